import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

// bench/floor.mjs (the part of a cold check no rule can avoid, which `npm run bench` prints beside every ratio) reaches
// into the Workspace's project entries: it must keep building the programs `check` builds, for the built server.

const FLOOR = path.resolve(__dirname, '../../bench/floor.mjs');
const ROOT = path.resolve(__dirname, '../fixtures/sample-workspace');

function floor(args: string[]): Record<string, number> {
  const child = spawnSync(process.execPath, [FLOOR, ...args], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout.trim()) as Record<string, number>;
}

describe('bench/floor.mjs', () => {
  it('builds and binds the programs that own the checked test files', () => {
    const result = floor([ROOT]);
    expect(result.testFiles).toBeGreaterThanOrEqual(3);
    expect(result.programs).toBe(1);
    // The test files, the helpers they import and the lib and runner declarations.
    expect(result.sourceFiles).toBeGreaterThan(result.testFiles! + 10);
  }, 60_000);

  it('--first: the first program the server builds for one opened document', () => {
    const result = floor([ROOT, '--first', path.join(ROOT, 'tests/unit/cart.test.ts')]);
    expect(result.ms).toBeGreaterThan(0);
    expect(result.sourceFiles).toBeGreaterThan(10);
  }, 60_000);
});
