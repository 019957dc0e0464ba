import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt, CLI, REPO_ROOT, runCli } from '../cli/cliHarness.js';
import { FIXTURES, readJson, scratch, verdictOf, verify } from './harness.js';

beforeAll(assertBuilt);

// The tests that run verify mostly wait for runner processes, and vitest runs test files one at a time on 2 cores:
// they run concurrently (separate state and result directories; none runs the fixtures' fixed-port tests in
// parallel mode, so they cannot meet).

const HANG = path.join(FIXTURES, 'hang/hang.cjs');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a condition (a process state or file the system under test changes), never a fixed sleep. */
async function eventually(condition: () => boolean, ms = 20_000): Promise<boolean> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe.concurrent('verify exit codes', () => {
  test('0 when nothing is flaky; results written to --results', async () => {
    const s = scratch('exit0');
    try {
      const out = path.join(s.dir, 'r.json');
      const result = await verify('node', ['test/order-b.test.mjs', '--modes', 'serial,shuffle', '--runs', '1', '--seed', '9', '--results', out], s.state);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/stable +test\/order-b\.test\.mjs:5 › polluter +serial 1\/1, shuffle 1\/1/);
      expect(result.stdout).toContain('1 test(s) over 2 run(s): 1 stable');
      expect(readJson(out).files).toEqual(['test/order-b.test.mjs']);
    } finally {
      s.remove();
    }
  }, 300_000);

  test('2 when the runner cannot start (not a "failing" verdict)', async () => {
    const s = scratch('nostart');
    try {
      const missing = await verify('node', ['--runner', 'node', '--command', '/nonexistent/runner', '--runs', '1', '--modes', 'serial', '--results', path.join(s.dir, 'r.json')], s.state);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot start \/nonexistent\/runner/);
      const silent = await verify('node', ['--command', `${process.execPath} -e process.exit(3)`, '--runs', '1', '--modes', 'serial', '--results', path.join(s.dir, 'r.json')], s.state);
      expect(silent.code).toBe(2);
      expect(silent.stderr).toContain('the runner wrote no results file');
      expect(fs.existsSync(path.join(s.dir, 'r.json'))).toBe(false);
    } finally {
      s.remove();
    }
  }, 120_000);

  test('2 on usage errors', async () => {
    expect((await runCli(['verify', '--modes', 'serial,sideways'])).stderr).toContain('unknown mode "sideways"');
    expect((await runCli(['verify', '--shard', '3/2'])).code).toBe(2);
    expect((await runCli(['verify', '--merge'])).stderr).toContain('--merge needs the result files');
  });
});

describe.concurrent('process trees', () => {
  test('a run that times out is killed with its children', async () => {
    const s = scratch('timeout');
    try {
      const pidFile = path.join(s.dir, 'child.pid');
      const result = await verify('node', ['--command', `${process.execPath} ${HANG}`, '--runs', '1', '--modes', 'serial', '--timeout', '2', '--results', path.join(s.dir, 'r.json')], s.state, {
        HANG_PID_FILE: pidFile,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('timed out after 2 s (process tree killed)');
      const child = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(await eventually(() => !alive(child))).toBe(true);
    } finally {
      s.remove();
    }
  }, 120_000);

  test('Ctrl-C kills the runner tree, removes temporary files and exits 130', async () => {
    const s = scratch('sigint');
    try {
      const pidFile = path.join(s.dir, 'child.pid');
      const tmp = path.join(s.dir, 'tmp');
      fs.mkdirSync(tmp);
      const proc = spawn(process.execPath, [CLI, 'verify', '--command', `${process.execPath} ${HANG}`, '--runs', '1', '--modes', 'serial', '--results', path.join(s.dir, 'r.json')], {
        cwd: path.join(FIXTURES, 'node'),
        env: { ...process.env, HANG_PID_FILE: pidFile, TMPDIR: tmp, FLAKELENS_FIXTURE_STATE: s.state },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
      expect(await eventually(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').length > 0)).toBe(true);
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('flakelens-verify-'))).toHaveLength(1);
      proc.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('verification cancelled');
      const child = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(await eventually(() => !alive(child))).toBe(true);
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('flakelens-verify-'))).toEqual([]);
    } finally {
      s.remove();
    }
  }, 120_000);
});

test.concurrent('two shards merge into one report with recomputed verdicts', async () => {
  const s = scratch('shards');
  try {
    const a = path.join(s.dir, 'a.json');
    const b = path.join(s.dir, 'b.json');
    const common = ['--modes', 'serial', '--runs', '2', '--seed', '5'];
    // One fixture state for both shards, like one CI checkout per job: the flaky counter alternates per shard run.
    const [ra, rb] = [await verify('node', [...common, '--shard', '1/2', '--results', a], s.state), await verify('node', [...common, '--shard', '2/2', '--results', b], s.state)];
    expect(ra.code, ra.stderr).toBe(1);
    expect(rb.code, rb.stderr).toBe(0);
    const shardA = readJson(a);
    const shardB = readJson(b);
    expect(shardA.files).toEqual(['test/basic.test.mjs', 'test/order-b.test.mjs', 'test/port-b.test.mjs']);
    expect(shardB.files).toEqual(['test/order-a.test.mjs', 'test/port-a.test.mjs']);
    expect(shardA.options.shard).toEqual({ index: 1, count: 2 });

    const merged = await runCli(['verify', '--merge', a, b, '--format', 'json', '--results', path.join(s.dir, 'merged.json')]);
    expect(merged.code).toBe(1);
    const result = JSON.parse(merged.stdout) as ReturnType<typeof readJson>;
    expect(result).toEqual(readJson(path.join(s.dir, 'merged.json')));
    expect(result.mergedFrom).toBe(2);
    expect(result.options.shard).toBeUndefined();
    expect(result.files).toEqual([...shardA.files, ...shardB.files].sort());
    expect(result.summary).toMatchObject({ tests: 8, runs: 2, failing: 1, flaky: 1 });
    expect(verdictOf(result, 'test/basic.test.mjs', ['basic', 'flaky']).verdict).toBe('flaky');
    expect(verdictOf(result, 'test/order-a.test.mjs', ['victim']).verdict).toBe('stable');
    expect(result.runs).toHaveLength(4);
  } finally {
    s.remove();
  }
}, 300_000);

test('the README example report is what markdown prints', () => {
  // Keeps the documented report in the shape the reporter produces (headings in order).
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('# flakelens verification report'));
  expect(section.indexOf('## Runs per mode')).toBeGreaterThan(0);
  expect(section.indexOf('## Verdicts')).toBeGreaterThan(section.indexOf('## Runs per mode'));
  expect(section.indexOf('## Evidence')).toBeGreaterThan(section.indexOf('## Verdicts'));
});
