import { beforeAll, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture } from './harness.js';

beforeAll(assertBuilt);

test('verify finds every verdict in the node fixture, with the polluter, seeds and reports', async () => {
  await checkFixture({
    runner: 'node',
    basic: 'test/basic.test.mjs',
    suite: ['basic'],
    victim: ['test/order-a.test.mjs', ['victim']],
    polluter: ['test/order-b.test.mjs', ['polluter']],
    ports: [['test/port-a.test.mjs', ['port a']], ['test/port-b.test.mjs', ['port b']]],
    seed: 1,
  });
}, 900_000);
