import { beforeAll, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture } from './harness.js';

beforeAll(assertBuilt);

test('verify finds every verdict in the mocha fixture, with the polluter, seeds and reports', async () => {
  await checkFixture({
    runner: 'mocha',
    basic: 'test/basic.spec.cjs',
    suite: ['basic'],
    victim: ['test/order-a.spec.cjs', ['order', 'victim']],
    polluter: ['test/order-b.spec.cjs', ['order', 'polluter']],
    ports: [['test/port-a.spec.cjs', ['port a']], ['test/port-b.spec.cjs', ['port b']]],
    seed: 1,
  });
}, 900_000);
