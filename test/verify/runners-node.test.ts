import { beforeAll, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture, type FixtureLayout } from './harness.js';

beforeAll(assertBuilt);

// Two fixtures at a time: each verify mostly waits (rendezvous, timer windows), so pairs overlap well on 2 cores.
const FIXTURES: FixtureLayout[] = [
  {
    runner: 'mocha',
    basic: 'test/basic.spec.cjs',
    suite: ['basic'],
    victim: ['test/order-a.spec.cjs', ['order', 'victim']],
    polluter: ['test/order-b.spec.cjs', ['order', 'polluter']],
    ports: [['test/port-a.spec.cjs', ['port a']], ['test/port-b.spec.cjs', ['port b']]],
    seed: 1,
  },
  {
    runner: 'node',
    basic: 'test/basic.test.mjs',
    suite: ['basic'],
    victim: ['test/order-a.test.mjs', ['victim']],
    polluter: ['test/order-b.test.mjs', ['polluter']],
    ports: [['test/port-a.test.mjs', ['port a']], ['test/port-b.test.mjs', ['port b']]],
    seed: 1,
  },
];

test.concurrent.each(FIXTURES)('verify finds every verdict in the $runner fixture, with the polluter, seeds and reports', async (layout) => {
  await checkFixture(layout);
}, 900_000);
