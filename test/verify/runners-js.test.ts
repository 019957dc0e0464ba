import { beforeAll, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture, type FixtureLayout } from './harness.js';

beforeAll(assertBuilt);

// Two fixtures at a time: each verify mostly waits (rendezvous, timer windows), so pairs overlap well on 2 cores.
const FIXTURES: FixtureLayout[] = [
  {
    runner: 'vitest',
    basic: 'basic.test.js',
    suite: ['basic'],
    victim: ['order.test.js', ['victim']],
    polluter: ['order.test.js', ['polluter']],
    ports: [['port-a.test.js', ['port a']], ['port-b.test.js', ['port b']]],
    seed: 1,
  },
  {
    runner: 'jest',
    basic: 'basic.test.js',
    suite: ['basic'],
    victim: ['order.test.js', ['victim']],
    polluter: ['order.test.js', ['polluter']],
    ports: [['port-a.test.js', ['port a']], ['port-b.test.js', ['port b']]],
    seed: 1,
  },
];

test.concurrent.each(FIXTURES)('verify finds every verdict in the $runner fixture, with the polluter, seeds and reports', async (layout) => {
  await checkFixture(layout);
}, 900_000);
