#!/usr/bin/env node
// Verify benchmark: N serial runs of a generated suite through `flakelens verify`, against N plain invocations of
// the same runner with the same serial settings. Prints flakelens' own overhead as a ratio (target <= 10%).
// Usage: node bench/verify.mjs [--runs N] [--files F] [--runner node|vitest|pytest|all]   (npm run bench builds first)
// pytest is measured when /usr/bin/python3 (or python3) can import pytest.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'server/dist/bin/cli.js');
const WORK = path.join(ROOT, 'bench/.work/verify');

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, files: { type: 'string', default: '20' }, runner: { type: 'string', default: 'all' } } });
const runs = Number(values.runs);
const files = Number(values.files);
if (!fs.existsSync(CLI)) {
  console.error('server/dist/bin/cli.js is missing: run npm run build first (npm run bench does)');
  process.exit(2);
}

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pytest']).status === 0);

function generatePytest(dir) {
  fs.writeFileSync(path.join(dir, 'pytest.ini'), '[pytest]\ntestpaths = test\n');
  for (let f = 0; f < files; f++) {
    const body = Array.from({ length: 10 }, (_, t) => `def test_computes_${t}():\n    total = sum(i % ${t + 2} for i in range(20000))\n    assert isinstance(total, int)\n`).join('\n\n');
    fs.writeFileSync(path.join(dir, 'test', `test_unit_${f}.py`), `${body}\n`);
  }
  return dir;
}

function generate(runner) {
  const dir = path.join(WORK, runner);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'test'), { recursive: true });
  if (runner === 'pytest') return generatePytest(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-verify-${runner}`, private: true, type: 'module' }));
  if (runner === 'vitest') fs.writeFileSync(path.join(dir, 'vitest.config.js'), "export default { test: { include: ['test/**/*.test.js'] } };\n");
  const api = runner === 'vitest' ? "import { describe, test as it, expect } from 'vitest';\nconst equal = (a, b) => expect(a).toBe(b);" : "import { describe, it } from 'node:test';\nimport { strictEqual as equal } from 'node:assert';";
  for (let f = 0; f < files; f++) {
    const body = Array.from({ length: 10 }, (_, t) => `  it('computes ${t}', () => {\n    let sum = 0;\n    for (let i = 0; i < 20000; i++) sum += i % ${t + 2};\n    equal(typeof sum, 'number');\n  });`).join('\n');
    fs.writeFileSync(path.join(dir, 'test', `unit-${f}.test.js`), `${api}\n\ndescribe('unit ${f}', () => {\n${body}\n});\n`);
  }
  return dir;
}

function timed(argv, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, code: result.status };
}

const plainCommand = {
  node: [process.execPath, '--test', '--test-concurrency=1'],
  vitest: [process.execPath, path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--no-file-parallelism', '--maxWorkers=1', '--retry=0'],
  // The same switches flakelens passes in serial mode (JUnit XML aside).
  pytest: [PYTHON, '-m', 'pytest', '-q', '-p', 'no:rerunfailures', '-p', 'no:flaky', ...(PYTHON && spawnSync(PYTHON, ['-c', 'import xdist']).status === 0 ? ['-n', '0'] : []), '-p', 'no:randomly'],
};
const runnerCommand = { pytest: ['--command', `${PYTHON} -m pytest`] };

const rows = [];
for (const runner of values.runner === 'all' ? ['node', 'vitest', ...(PYTHON ? ['pytest'] : [])] : [values.runner]) {
  const dir = generate(runner);
  timed(plainCommand[runner], dir); // warm the file system cache and the runner's own caches
  let plain = 0;
  for (let i = 0; i < runs; i++) {
    const r = timed(plainCommand[runner], dir);
    if (r.code !== 0) throw new Error(`plain ${runner} run failed (exit ${r.code})`);
    plain += r.ms;
  }
  const results = path.join(dir, 'verify.json');
  const v = timed([process.execPath, CLI, 'verify', '--runner', runner, ...(runnerCommand[runner] ?? []), '--modes', 'serial', '--runs', String(runs), '--no-bisect', '--format', 'json', '--output', path.join(dir, 'report.json'), '--results', results], dir);
  if (v.code !== 0) throw new Error(`flakelens verify on ${runner} exited ${v.code}`);
  // flakelens' own time, measured inside the same verify: its wall time minus the time its runner processes ran.
  // Unlike verify - plain (two separate measurements), this does not move with the machine's load between them.
  const recorded = JSON.parse(fs.readFileSync(results, 'utf8'));
  const inRunner = recorded.runs.reduce((sum, r) => sum + r.durationMs, 0);
  rows.push({ runner, runs, files, plain, verify: v.ms, ratio: (v.ms - plain) / plain, own: v.ms - inRunner, ownRatio: (v.ms - inRunner) / inRunner });
}

console.log('\nverify overhead (serial runs; flakelens verify vs the same number of plain runner invocations)\n');
console.log('| runner | runs | files x tests | plain total | verify total | verify vs plain | flakelens own time | own / runner time |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.runner} | ${r.runs} | ${r.files} x 10 | ${(r.plain / 1000).toFixed(2)} s | ${(r.verify / 1000).toFixed(2)} s | ${(r.ratio * 100).toFixed(1)}% | ${(r.own / 1000).toFixed(2)} s | ${(r.ownRatio * 100).toFixed(1)}% ${r.ownRatio <= 0.1 ? '(<= 10%)' : '(over the 10% target)'} |`,
  );
}
console.log('\nverify vs plain compares two separate measurements (noisy on a shared machine); flakelens own time is the');
console.log("verify process's wall time minus the time its runner processes ran (startup, probing, listing, parsing, writing).");
