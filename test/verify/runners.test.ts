import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture, ensurePytestVenv, PYTEST_VENV_PYTHON, readJson, scratch, verdictOf, verify, type FixtureLayout } from './harness.js';

beforeAll(() => {
  assertBuilt();
  ensurePytestVenv();
}, 120_000);

// Every runner's fixture at once, with the Playwright and pytest checks below: each verify mostly waits (runner
// start-up, rendezvous, timer windows) and the fixtures use separate ports and state directories, so they overlap
// well even on 2 cores. vitest runs test files one at a time on 2 cores, so overlapping them here is what keeps
// test/verify short. At most 5 tests run at once (vitest's maxConcurrency), in the order declared: the slowest
// fixtures start first and the short checks take the slots the quicker ones leave.
const SLOWEST: FixtureLayout[] = [
  {
    runner: 'vitest',
    basic: 'basic.test.js',
    suite: ['basic'],
    victim: ['order.test.js', ['victim']],
    polluter: ['order.test.js', ['polluter']],
    ports: [['port-a.test.js', ['port a']], ['port-b.test.js', ['port b']]],
    seed: 1,
    basicRunsAfterVictim: true,
  },
  {
    runner: 'jest',
    basic: 'basic.test.js',
    suite: ['basic'],
    victim: ['order.test.js', ['victim']],
    polluter: ['order.test.js', ['polluter']],
    ports: [['port-a.test.js', ['port a']], ['port-b.test.js', ['port b']]],
    seed: 1,
    basicRunsAfterVictim: true,
  },
  {
    runner: 'node',
    basic: 'test/basic.test.mjs',
    suite: ['basic'],
    victim: ['test/order-a.test.mjs', ['victim']],
    polluter: ['test/order-b.test.mjs', ['polluter']],
    ports: [['test/port-a.test.mjs', ['port a']], ['test/port-b.test.mjs', ['port b']]],
    seed: 1,
    basicRunsAfterVictim: true,
    // The one fixture whose stressed runs also get flakelens' CPU spinners (see FixtureLayout.stressCpu).
    stressCpu: 0.25,
  },
];

const QUICKER: FixtureLayout[] = [
  {
    runner: 'mocha',
    basic: 'test/basic.spec.cjs',
    suite: ['basic'],
    victim: ['test/order-a.spec.cjs', ['order', 'victim']],
    polluter: ['test/order-b.spec.cjs', ['order', 'polluter']],
    ports: [['test/port-a.spec.cjs', ['port a']], ['test/port-b.spec.cjs', ['port b']]],
    seed: 1,
    // mocha lists its files in its own order: seed 1 runs basic before the victim, so it is a candidate.
    basicRunsAfterVictim: false,
  },
  {
    // Through the fixture's virtualenv; pytest-randomly is not installed, so shuffle permutes files.
    runner: 'pytest',
    basic: 'tests/test_basic.py',
    suite: ['TestBasic'],
    testPrefix: 'test_',
    victim: ['tests/test_order_a.py', ['test_victim']],
    polluter: ['tests/test_order_b.py', ['test_polluter']],
    ports: [['tests/test_port_a.py', ['test_port_a']], ['tests/test_port_b.py', ['test_port_b']]],
    seed: 1,
    basicRunsAfterVictim: true,
  },
];

test.concurrent.each(SLOWEST)('verify finds every verdict in the $runner fixture, with the polluter, seeds and reports', async (layout) => {
  await checkFixture(layout);
}, 900_000);

// Playwright Test without a browser (no test uses `page`). Only the order-dependent pair is checked here: each
// Playwright start is slow, and the other verdicts go through the same classification as the other runners.
test.concurrent('playwright: a shuffled file order exposes the order-dependent victim and its polluter', async () => {
  const s = scratch('playwright');
  try {
    const out = path.join(s.dir, 'r.json');
    // Seed 7 puts order-b (the polluter) first.
    const result = await verify('playwright', ['order-a.spec.js', 'order-b.spec.js', '--modes', 'serial,shuffle', '--runs', '1', '--seed', '7', '--results', out], s.state);
    expect(result.code, result.stderr).toBe(1);
    const results = readJson(out);
    expect(results.runner).toMatchObject({ id: 'playwright', shuffle: 'files' });
    expect(results.files).toEqual(['order-a.spec.js', 'order-b.spec.js']);
    const victim = verdictOf(results, 'order-a.spec.js', ['victim']);
    expect(victim).toMatchObject({ verdict: 'order-dependent', seed: 7, polluters: ['order-b.spec.js > polluter'], counts: { serial: { passed: 1, failed: 0 }, shuffle: { passed: 0, failed: 1 } } });
    expect(victim.repro).toBe('npx playwright test --retries=0 --workers=1 order-b.spec.js && npx playwright test --retries=0 --workers=1 order-a.spec.js');
    expect(verdictOf(results, 'order-b.spec.js', ['polluter']).verdict).toBe('stable');
  } finally {
    s.remove();
  }
}, 600_000);

// The full pytest fixture check is in QUICKER; this one checks ids, the recorded command and the name filter.
test.concurrent('pytest: ids keep classes and parameters; the runner, its version and the exact commands are recorded', async () => {
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

test.concurrent.each(QUICKER)('verify finds every verdict in the $runner fixture, with the polluter, seeds and reports', async (layout) => {
  await checkFixture(layout);
}, 900_000);
