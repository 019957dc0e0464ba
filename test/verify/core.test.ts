import { describe, expect, test } from 'vitest';
import { findPolluters } from '../../server/src/verify/bisect.js';
import { classifyAll, orderSuspects } from '../../server/src/verify/classify.js';
import { parseShard, permute, planRuns, shardFiles } from '../../server/src/verify/plan.js';
import { mergeResults } from '../../server/src/verify/results.js';
import { displayCommand } from '../../server/src/verify/verify.js';
import type { Mode, OrderFinding, RunRecord, TestInfo, VerifyResults } from '../../server/src/verify/types.js';

let counter = 0;
function run(mode: Mode, outcomes: Record<string, 'p' | 'f'>, extra: Partial<RunRecord> = {}): RunRecord {
  const failed = Object.values(outcomes).filter((o) => o === 'f').length;
  return {
    index: ++counter,
    mode,
    stress: false,
    purpose: 'plan',
    commands: ['x'],
    status: 'ok',
    exitCode: failed ? 1 : 0,
    durationMs: 10,
    passed: Object.keys(outcomes).length - failed,
    failed,
    outcomes,
    failures: Object.fromEntries(Object.entries(outcomes).filter(([, o]) => o === 'f').map(([id]) => [id, { message: `${id} failed` }])),
    ...extra,
  };
}

const tests: Record<string, TestInfo> = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => [id, { file: 'f.test.js', titles: [id] }]));

describe('plan', () => {
  test('a seed always gives the same file order', () => {
    expect(permute(['a', 'b', 'c', 'd', 'e'], 1)).toEqual(['e', 'c', 'b', 'a', 'd']);
    expect(permute(['a', 'b', 'c', 'd', 'e'], 1)).toEqual(permute(['a', 'b', 'c', 'd', 'e'], 1));
    expect(permute(['a', 'b', 'c', 'd', 'e'], 2)).not.toEqual(permute(['a', 'b', 'c', 'd', 'e'], 1));
  });

  test('runs x modes, seeds base+k, stressed serial runs last', () => {
    expect(planRuns({ runs: 2, modes: ['serial', 'shuffle'], stress: true, seed: 41 })).toEqual([
      { mode: 'serial', stress: false },
      { mode: 'serial', stress: false },
      { mode: 'shuffle', stress: false, seed: 41 },
      { mode: 'shuffle', stress: false, seed: 42 },
      { mode: 'serial', stress: true },
      { mode: 'serial', stress: true },
    ]);
  });

  test('shards split sorted files round-robin, disjoint and complete', () => {
    const files = ['e', 'a', 'd', 'b', 'c'];
    expect(shardFiles(files, 1, 2)).toEqual(['a', 'c', 'e']);
    expect(shardFiles(files, 2, 2)).toEqual(['b', 'd']);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('4/3')).toBeUndefined();
    expect(parseShard('0/3')).toBeUndefined();
  });
});

describe('classify', () => {
  test('each verdict from its evidence', () => {
    const runs = [
      run('serial', { a: 'p', b: 'f', c: 'p', d: 'p', e: 'p', f: 'p' }),
      run('serial', { a: 'p', b: 'f', c: 'f', d: 'p', e: 'p', f: 'p' }),
      run('parallel', { a: 'p', b: 'f', c: 'p', d: 'f', e: 'p', f: 'p' }),
      run('shuffle', { a: 'p', b: 'f', c: 'p', d: 'p', e: 'f', f: 'p' }, { seed: 7 }),
      run('shuffle', { a: 'p', b: 'f', c: 'p', d: 'p', e: 'p', f: 'f' }, { seed: 8 }),
      run('serial', { a: 'p', b: 'f', c: 'p', d: 'p', e: 'p', f: 'p' }, { stress: true }),
    ];
    const findings: OrderFinding[] = [{ victim: 'e', seed: 7, reproduced: true, polluters: ['a'], minimal: true, repro: 'npx x', runs: 3 }];
    const verdicts = Object.fromEntries(classifyAll(tests, runs, findings).map((v) => [v.id, v]));
    expect(verdicts.a!.verdict).toBe('stable');
    expect(verdicts.b!.verdict).toBe('failing');
    expect(verdicts.c!.verdict).toBe('flaky');
    expect(verdicts.d!.verdict).toBe('parallel-sensitive');
    expect(verdicts.e!).toMatchObject({ verdict: 'order-dependent', seed: 7, polluters: ['a'], repro: 'npx x' });
    // A shuffle failure that did not reproduce is not an order dependence.
    expect(verdicts.f!.verdict).toBe('flaky');
    // A victim that fails alone names no polluter (python-semver's .rst doctests need tests/ collected first).
    const alone = Object.fromEntries(classifyAll(tests, runs, [{ victim: 'e', seed: 7, reproduced: true, polluters: [], minimal: false, failsAlone: true, runs: 2 }]).map((v) => [v.id, v]));
    expect(alone.e!).toMatchObject({ verdict: 'order-dependent', polluters: [], failsAlone: true });
    expect(alone.e!.conclusion).toMatch(/fails run alone/);
    expect(verdicts.c!.firstFailure).toMatchObject({ run: runs[1]!.index, mode: 'serial', message: 'c failed' });
  });

  test('fails only under stress: timing-sensitive; same seed, different result: flaky', () => {
    const runs = [
      run('serial', { a: 'p', b: 'p' }),
      run('shuffle', { a: 'p', b: 'p' }, { seed: 3 }),
      run('shuffle', { a: 'p', b: 'f' }, { seed: 3 }),
      run('serial', { a: 'f', b: 'p' }, { stress: true }),
    ];
    const verdicts = Object.fromEntries(classifyAll(tests, runs, []).map((v) => [v.id, v.verdict]));
    expect(verdicts).toEqual({ a: 'timing-sensitive', b: 'flaky' });
    expect(orderSuspects(tests, runs)).toEqual([]);
  });

  test('order suspects: never fails serially but fails in a shuffled order', () => {
    const runs = [run('serial', { a: 'p', e: 'p' }), run('shuffle', { a: 'p', e: 'f' }, { seed: 5 }), run('shuffle', { a: 'p', e: 'p' }, { seed: 6 })];
    expect(orderSuspects(tests, runs)).toEqual([{ id: 'e', seed: 5 }]);
  });
});

describe('bisect', () => {
  test('one polluter among many', async () => {
    const tried: string[][] = [];
    const result = await findPolluters(['a', 'b', 'c', 'd', 'e', 'f', 'g'], async (subset) => {
      tried.push([...subset]);
      return subset.includes('f');
    });
    expect(result).toEqual({ polluters: ['f'], minimal: true, runs: tried.length });
    expect(tried.length).toBeLessThanOrEqual(6);
  });

  test('polluters that only act together are reported together, not minimal', async () => {
    const result = await findPolluters(['a', 'b', 'c', 'd'], async (subset) => subset.includes('a') && subset.includes('d'));
    expect(result.polluters).toEqual(['a', 'b', 'c', 'd']);
    expect(result.minimal).toBe(false);
  });
});

describe('merge', () => {
  function part(file: string, outcomes: Array<'p' | 'f'>): VerifyResults {
    const id = `${file} > t`;
    const runs = outcomes.map((o) => run('serial', { [id]: o }));
    return {
      schemaVersion: 1,
      tool: { name: 'flakelens', version: '0' },
      root: '/r',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 5,
      runner: { id: 'node', version: '20', command: ['node'], shuffle: 'files' },
      options: { runs: outcomes.length, modes: ['serial'], stress: false, seed: 1, workers: 2 },
      files: [file],
      tests: { [id]: { file, titles: ['t'] } },
      runs,
      orderFindings: [],
      verdicts: [],
      summary: { stable: 0, failing: 0, flaky: 0, 'order-dependent': 0, 'parallel-sensitive': 0, 'timing-sensitive': 0, tests: 0, runs: outcomes.length },
    };
  }

  test('verdicts are recomputed from the runs of every shard', () => {
    const merged = mergeResults([part('a.js', ['p', 'f']), part('b.js', ['p', 'p'])]);
    expect(merged.mergedFrom).toBe(2);
    expect(merged.files).toEqual(['a.js', 'b.js']);
    expect(merged.verdicts.map((v) => [v.id, v.verdict])).toEqual([
      ['a.js > t', 'flaky'],
      ['b.js > t', 'stable'],
    ]);
    expect(merged.summary).toMatchObject({ tests: 2, runs: 2, flaky: 1, stable: 1 });
    expect(merged.runs.map((r) => r.index)).toEqual([1, 2, 3, 4]);
  });

  test('results of different runners do not merge', () => {
    const other = part('b.js', ['p']);
    other.runner = { ...other.runner, id: 'jest' };
    expect(() => mergeResults([part('a.js', ['p']), other])).toThrow(/cannot merge jest results with node results/);
  });
});

test('reproduction commands leave out the reporter flags that only feed flakelens', () => {
  const ctx = { command: [process.execPath, '/x/node_modules/vitest/vitest.mjs'], tmp: '/tmp/fv' };
  expect(
    displayCommand([...ctx.command, 'run', '--reporter=json', '--outputFile=/tmp/fv/run-1.json', '--sequence.seed=3', '-t', '^(?:a b)$'], ctx, 'vitest'),
  ).toBe("npx vitest run --sequence.seed=3 -t '^(?:a b)$'");
  expect(displayCommand([...ctx.command, '--reporter', 'json', '--reporter-option', 'output=/tmp/fv/r.json', '--grep', 'x'], ctx, 'mocha')).toBe('npx mocha --grep x');
  expect(displayCommand([process.execPath, '--test', '/w/test/a.test.mjs'], { command: [process.execPath], tmp: '/tmp/fv', root: '/w' }, undefined)).toBe('node --test test/a.test.mjs');
});
