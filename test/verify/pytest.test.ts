import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { ensurePytestVenv, PYTEST_VENV_PYTHON, readJson, scratch, verdictOf, verify } from './harness.js';

beforeAll(() => {
  assertBuilt();
  ensurePytestVenv();
}, 120_000);

// The full fixture check (every verdict, polluter, seeds, reports) runs with the other runners in runners.test.ts.
test('pytest: ids keep classes and parameters; the runner, its version and the exact commands are recorded', async () => {
  const s = scratch('pytest-ids');
  try {
    const out = path.join(s.dir, 'r.json');
    // Only the basic file, one serial run: a test-name filter (-k) leaves out the slow timing test.
    const result = await verify('pytest', ['tests/test_basic.py', 'not timing', '--modes', 'serial', '--runs', '1', '--results', out], s.state);
    expect(result.code, result.stderr).toBe(0);
    const results = readJson(out);
    expect(results.runner).toMatchObject({ id: 'pytest', shuffle: 'files', command: [PYTEST_VENV_PYTHON, '-m', 'pytest'] });
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
