import { beforeAll, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { checkFixture } from './harness.js';

beforeAll(assertBuilt);

test('verify finds every verdict in the vitest fixture, with the polluter, seeds and reports', async () => {
  await checkFixture({
    runner: 'vitest',
    basic: 'basic.test.js',
    suite: ['basic'],
    victim: ['order.test.js', ['victim']],
    polluter: ['order.test.js', ['polluter']],
    ports: [['port-a.test.js', ['port a']], ['port-b.test.js', ['port b']]],
    seed: 1,
  });
}, 900_000);
