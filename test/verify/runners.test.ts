import { beforeAll, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture, ensurePytestVenv, type FixtureLayout } from './harness.js';

beforeAll(() => {
  assertBuilt();
  ensurePytestVenv();
}, 120_000);

// Every runner's fixture at once: each verify mostly waits (rendezvous, timer windows) and the fixtures use
// separate ports and state directories, so they overlap well even on 2 cores.
const FIXTURES: FixtureLayout[] = [
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
    runner: 'node',
    basic: 'test/basic.test.mjs',
    suite: ['basic'],
    victim: ['test/order-a.test.mjs', ['victim']],
    polluter: ['test/order-b.test.mjs', ['polluter']],
    ports: [['test/port-a.test.mjs', ['port a']], ['test/port-b.test.mjs', ['port b']]],
    seed: 1,
    basicRunsAfterVictim: true,
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

test.concurrent.each(FIXTURES)('verify finds every verdict in the $runner fixture, with the polluter, seeds and reports', async (layout) => {
  await checkFixture(layout);
}, 900_000);
