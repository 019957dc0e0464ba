import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, runCli, type CliResult } from '../cli/cliHarness.js';
import type { VerifyResults } from '../../server/src/verify/types.js';

export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/verify');

export const PYTEST_VENV_PYTHON = path.join(FIXTURES, 'pytest', '.venv', 'bin', 'python');

/**
 * The pytest fixture's virtualenv, made from an interpreter that has pytest and pytest-xdist (Debian's, installed
 * by .ci/run) with --system-site-packages so it sees them; created once, gitignored.
 */
export function ensurePytestVenv(): void {
  if (fs.existsSync(PYTEST_VENV_PYTHON)) return;
  const base = ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', 'import pytest, xdist']).status === 0);
  if (!base) throw new Error('no python3 with pytest and pytest-xdist: install python3-pytest python3-pytest-xdist python3-venv (.ci/run does)');
  // Made aside and renamed into place, so two test files starting at once never see a half-made one.
  const target = path.join(FIXTURES, 'pytest', '.venv');
  const aside = `${target}.${process.pid}`;
  const made = spawnSync(base, ['-m', 'venv', '--system-site-packages', aside], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`);
  try {
    fs.renameSync(aside, target);
  } catch (error) {
    fs.rmSync(aside, { recursive: true, force: true });
    if (!fs.existsSync(PYTEST_VENV_PYTHON)) throw error;
  }
}

/** A fresh state directory for a fixture (its counter and marker files) and a place for result files. */
export function scratch(name: string): { state: string; dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `flakelens-verify-test-${name}-`));
  const state = path.join(dir, 'state');
  fs.mkdirSync(state);
  return { state, dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function verify(fixture: string, args: string[], state: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['verify', ...args], { cwd: path.join(FIXTURES, fixture), env: { FLAKELENS_FIXTURE_STATE: state, ...env } });
}

export function readJson(file: string): VerifyResults {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as VerifyResults;
}

export function verdictOf(results: VerifyResults, file: string, titles: string[]) {
  const verdict = results.verdicts.find((v) => v.file === file && v.titles.join(' > ') === titles.join(' > '));
  expect(verdict, `no verdict for ${file} > ${titles.join(' > ')}; have ${results.verdicts.map((v) => v.id).join(', ')}`).toBeDefined();
  return verdict!;
}

export interface FixtureLayout {
  runner: string;
  basic: string;
  suite: string[];
  victim: [string, string[]];
  polluter: [string, string[]];
  ports: Array<[string, string[]]>;
  seed: number;
  /** Prefix of the basic tests' names (pytest's test_stable, ...). */
  testPrefix?: string;
  /** In the failing order the basic file cannot have run before the victim, so no polluter-search run includes it. */
  basicRunsAfterVictim?: boolean;
  /**
   * --stress-cpu (default 0). The timing verdict comes from the event-loop (or GIL) stall every stressed run gets;
   * the CPU spinners are exercised by one fixture only: five fixtures spinning at once on a 2-core machine slow
   * every other fixture's runs (and their unstressed timing tests) for nothing the assertions need.
   */
  stressCpu?: number;
}

/**
 * The full check of one runner's fixture: one verify run with every mode and --stress (2 runs each), then the
 * verdict of every fixture test, the polluter, the seeds, the exit code and the json/junit/markdown shapes.
 */
export async function checkFixture(layout: FixtureLayout): Promise<void> {
  const s = scratch(layout.runner);
  try {
    const out = path.join(s.dir, 'verify.json');
    const result = await verify(
      layout.runner,
      ['--runs', '2', '--seed', String(layout.seed), '--workers', '4', '--stress', '--stress-cpu', String(layout.stressCpu ?? 0), '--results', out, '--format', 'json'],
      s.state,
    );
    expect(result.stderr).toMatch(/run 1\/8 {2}serial {2}\d+ passed, \d+ failed/);
    expect(result.code, result.stderr).toBe(1);
    const results = readJson(out);
    expect(JSON.parse(result.stdout)).toEqual(results);
    expect(results.schemaVersion).toBe(1);
    expect(results.runner.id).toBe(layout.runner);
    expect(results.runner.version).toMatch(/^\d+\.\d+\.\d+/);
    const plan = results.runs.filter((r) => r.purpose === 'plan');
    expect(plan.map((r) => `${r.stress ? 'stress' : r.mode}${r.seed ?? ''}`)).toEqual([
      'serial',
      'serial',
      'parallel',
      'parallel',
      `shuffle${layout.seed}`,
      `shuffle${layout.seed + 1}`,
      'stress',
      'stress',
    ]);
    for (const run of results.runs) expect(run.commands.length).toBeGreaterThan(0);

    const basic = (title: string) => verdictOf(results, layout.basic, [...layout.suite, `${layout.testPrefix ?? ''}${title}`]);
    expect(basic('stable').verdict).toBe('stable');
    expect(basic('stable').conclusion).toBe('8/8 runs consistent: passed every run.');
    expect(basic('failing').verdict).toBe('failing');
    expect(basic('failing').firstFailure?.message).toMatch(/expected/i);
    expect(basic('flaky').verdict).toBe('flaky');
    expect(basic('flaky').counts.serial).toEqual({ passed: 1, failed: 1 });
    const timing = basic('timing');
    expect(timing.verdict).toBe('timing-sensitive');
    expect(timing.counts.stress).toEqual({ passed: 0, failed: 2 });

    const victim = verdictOf(results, ...layout.victim);
    expect(victim.verdict).toBe('order-dependent');
    expect(victim.polluters).toEqual([`${layout.polluter[0]} > ${layout.polluter[1].join(' > ')}`]);
    expect([layout.seed, layout.seed + 1]).toContain(victim.seed);
    expect(victim.repro).toBeDefined();
    expect(verdictOf(results, ...layout.polluter).verdict).toBe('stable');
    // The polluter search only reruns what ran before the victim: in these fixtures' failing order the basic file
    // runs after it (file permutations) or is another file (runners that isolate files), so it is never rerun.
    if (layout.basicRunsAfterVictim) {
      for (const run of results.runs.filter((r) => r.purpose !== 'plan')) {
        expect(Object.keys(run.outcomes).filter((id) => id.startsWith(`${layout.basic} > `))).toEqual([]);
      }
    }
    for (const port of layout.ports) {
      const v = verdictOf(results, ...port);
      expect(v.verdict).toBe('parallel-sensitive');
      expect(v.counts.parallel!.failed).toBeGreaterThan(0);
      expect(v.firstFailure?.message).toMatch(/port|another test/);
    }
    expect(results.summary).toMatchObject({ 'order-dependent': 1, 'parallel-sensitive': 2, 'timing-sensitive': 1, flaky: 1, failing: 1 });

    // The other reports, from the same result (merging one file recomputes the same verdicts, runs nothing).
    const junit = await runCliIn(['verify', '--merge', out, '--format', 'junit']);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="flakelens verify"/);
    expect(junit.stdout).toContain('<flakyFailure');
    expect(junit.stdout).toContain('type="order-dependent"');
    expect(junit.stdout).toMatch(/<failure message="[^"]*" type="failing">/);
    const markdown = await runCliIn(['verify', '--merge', out, '--format', 'markdown']);
    expect(markdown.stdout).toContain('# flakelens verification report');
    expect(markdown.stdout).toContain('## Runs per mode');
    expect(markdown.stdout).toContain(`| shuffle | 2 |`);
    expect(markdown.stdout).toContain('8/8 runs consistent');
    expect(markdown.stdout).toContain('Polluter → victim');
  } finally {
    s.remove();
  }
}

export function runCliIn(args: string[]): Promise<CliResult> {
  return runCli(args);
}
