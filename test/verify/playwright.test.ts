import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { readJson, scratch, verdictOf, verify } from './harness.js';

beforeAll(assertBuilt);

// Playwright Test without a browser (no test uses `page`). Only the order-dependent pair is checked here: each
// Playwright start is slow, and the other verdicts go through the same classification as the other runners.
test('playwright: a shuffled file order exposes the order-dependent victim and its polluter', async () => {
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
