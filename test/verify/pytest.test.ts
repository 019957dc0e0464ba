import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture, FIXTURES, readJson, scratch, verdictOf, verify } from './harness.js';

const FIXTURE = path.join(FIXTURES, 'pytest');
const VENV_PYTHON = path.join(FIXTURE, '.venv', 'bin', 'python');

/**
 * The fixture's virtualenv, made from an interpreter that has pytest and pytest-xdist (Debian's, installed by
 * .ci/run) with --system-site-packages so it sees them; created once, gitignored.
 */
beforeAll(() => {
  assertBuilt();
  if (fs.existsSync(VENV_PYTHON)) return;
  const base = ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', 'import pytest, xdist']).status === 0);
  if (!base) throw new Error('no python3 with pytest and pytest-xdist: install python3-pytest python3-pytest-xdist python3-venv (.ci/run does)');
  const made = spawnSync(base, ['-m', 'venv', '--system-site-packages', path.join(FIXTURE, '.venv')], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`);
}, 120_000);

test('pytest: every verdict, the polluter, seeds and reports, through the project virtualenv', async () => {
  await checkFixture({
    runner: 'pytest',
    basic: 'tests/test_basic.py',
    suite: ['TestBasic'],
    testPrefix: 'test_',
    victim: ['tests/test_order_a.py', ['test_victim']],
    polluter: ['tests/test_order_b.py', ['test_polluter']],
    ports: [['tests/test_port_a.py', ['test_port_a']], ['tests/test_port_b.py', ['test_port_b']]],
    seed: 1,
  });
}, 900_000);

test('pytest: ids keep classes and parameters; the runner, its version and the exact commands are recorded', async () => {
  const s = scratch('pytest-ids');
  try {
    const out = path.join(s.dir, 'r.json');
    // Only the basic file, one serial run: a test-name filter (-k) leaves out the slow timing test.
    const result = await verify('pytest', ['tests/test_basic.py', 'not timing', '--modes', 'serial', '--runs', '1', '--results', out], s.state);
    expect(result.code, result.stderr).toBe(0);
    const results = readJson(out);
    expect(results.runner).toMatchObject({ id: 'pytest', shuffle: 'files', command: [VENV_PYTHON, '-m', 'pytest'] });
    expect(results.runner.version).toMatch(/^\d+\.\d+/);
    expect(Object.keys(results.tests).sort()).toEqual([
      'tests/test_basic.py > TestBasic > test_failing',
      'tests/test_basic.py > TestBasic > test_flaky',
      'tests/test_basic.py > TestBasic > test_stable',
      'tests/test_basic.py > test_square[2-4]',
      'tests/test_basic.py > test_square[3-9]',
    ]);
    expect(verdictOf(results, 'tests/test_basic.py', ['test_square[3-9]'])).toMatchObject({ verdict: 'stable', location: { line: 20, column: 1 } });
    expect(verdictOf(results, 'tests/test_basic.py', ['TestBasic', 'test_failing']).firstFailure).toMatchObject({
      message: "AssertionError: assert 'actual' == 'expected'",
      at: 'tests/test_basic.py:11:1',
    });
    expect(results.runs[0]!.commands).toEqual([
      ".venv/bin/python -m pytest -o junit_family=xunit1 -p no:rerunfailures -p no:flaky --rootdir=. --continue-on-collection-errors -n 0 -p no:randomly -k 'not timing' tests/test_basic.py",
    ]);
  } finally {
    s.remove();
  }
}, 300_000);
