import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCheck } from '../../server/src/cli/check.js';
import { testSourceHashes, titleKey } from '../../server/src/engine/testBlocks.js';
import { RULES } from '../../server/src/rules/index.js';
import { resultsPath, writeResults } from '../../server/src/verify/results.js';
import { testId, type RunRecord, type Verdict, type VerifyResults } from '../../server/src/verify/types.js';
import { annotateSourceHashes, updateResults } from '../../server/src/verify/update.js';
import { nameFilterFor } from '../../server/src/verify/verifyTests.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { REPO_ROOT } from '../cli/cliHarness.js';

// The engine side of verify in the editor: verdicts -> findings on test titles (what check prints and the server
// publishes), source hashes recorded at run time agreeing with the test model's, and partial runs folded into verify.json.

const FILE = 'math.test.ts';
const TEXT = `import { describe, expect, it, test } from 'vitest';

describe('math', () => {
  it('adds', () => {
    expect(1 + 1).toBe(2);
  });

  it.each([[1, 2], [2, 3]])('increments %i', (a, b) => {
    expect(a + 1).toBe(b);
  });

  describe(\`nested\`, () => {
    test('waits', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(Date.now()).toBeGreaterThan(0);
    });
  });
});

const name = 'dynamic';
it(name, () => {});
`;

function run(index: number, outcomes: RunRecord['outcomes'], failures: RunRecord['failures'] = {}): RunRecord {
  const failed = Object.values(outcomes).filter((o) => o === 'f').length;
  return { index, mode: 'serial', stress: false, purpose: 'plan', commands: [`vitest run #${index}`], status: 'ok', exitCode: failed ? 1 : 0, durationMs: 1, passed: Object.keys(outcomes).length - failed, failed, outcomes, failures };
}

function results(verdicts: Array<Omit<Verdict, 'id' | 'file'>>, runs: RunRecord[] = [], file = FILE): VerifyResults {
  const full = verdicts.map((v) => ({ ...v, id: testId(file, v.titles), file }));
  return {
    schemaVersion: 1,
    tool: { name: 'flakelens', version: '0' },
    root: '/r',
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 1,
    runner: { id: 'vitest', version: '4.1.12', command: ['vitest'], shuffle: 'native' },
    options: { runs: 2, modes: ['serial'], stress: false, seed: 7, workers: 2 },
    files: [file],
    tests: Object.fromEntries(full.map((v) => [v.id, { file, titles: v.titles, ...(v.location ? { location: v.location } : {}) }])),
    runs,
    orderFindings: [],
    verdicts: full,
    summary: { stable: 0, failing: 0, flaky: 0, 'order-dependent': 0, 'parallel-sensitive': 0, 'timing-sensitive': 0, tests: full.length, runs: 2 },
  };
}

describe('verdicts as findings', () => {
  let root: string;
  let workspace: Workspace;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(REPO_ROOT, 'test/fixtures/.tmp-verify-editor-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{ "name": "x", "private": true, "scripts": { "test": "vitest run" } }\n');
    fs.writeFileSync(path.join(root, FILE), TEXT);
    workspace = new Workspace({ root, rules: RULES });
  });
  afterAll(() => {
    workspace?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** One workspace throughout: a new verify.json reaches it as a file change, as in the server. */
  function analyse(verify: VerifyResults | undefined) {
    const file = resultsPath(root);
    fs.rmSync(path.join(root, '.flakelens'), { recursive: true, force: true });
    if (verify) writeResults(file, verify);
    const affected = workspace.fileChanged(file, verify ? 'changed' : 'deleted');
    if (verify) expect(affected).toEqual([path.join(root, FILE)]);
    return workspace.analyzeFile(path.join(root, FILE));
  }

  test('the hashes verify records agree with the test model for every test it can name', () => {
    const analysis = analyse(undefined);
    const recorded = testSourceHashes(FILE, TEXT);
    const tests = analysis.testBlocks!.filter((b) => b.kind === 'test');
    expect(tests.map((b) => b.titles)).toEqual([['math', 'adds'], ['math', 'increments %i'], ['math', 'nested', 'waits'], undefined]);
    for (const block of tests.filter((b) => b.titles)) expect(recorded.get(titleKey(block.titles!)), block.titles!.join(' › ')).toBe(block.hash);
  });

  test('no verify.json: only the static findings', () => {
    expect(analyse(undefined).findings.map((f) => f.ruleId)).toEqual(['fixed-sleep']);
  });

  test('a flaky verdict on the test title, evidence on the static finding inside it; it.each cases found by their line', () => {
    const verify = results([
      { titles: ['math', 'adds'], verdict: 'stable', counts: { serial: { passed: 2, failed: 0 } }, conclusion: 'ok' },
      { titles: ['math', 'increments 2'], location: { line: 8, column: 3 }, verdict: 'failing', counts: { serial: { passed: 0, failed: 2 } }, firstFailure: { message: 'expected 3 to be 4', run: 1, mode: 'serial', stress: false }, conclusion: 'broken' },
      { titles: ['math', 'nested', 'waits'], verdict: 'timing-sensitive', counts: { serial: { passed: 2, failed: 0 }, stress: { passed: 1, failed: 1 } }, firstFailure: { message: 'Test timed out in 5000ms.\nmore', run: 2, mode: 'serial', stress: true }, conclusion: 'load' },
      { titles: ['gone', 'renamed'], verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } }, conclusion: 'x' },
    ]);
    annotateSourceHashes(verify, root);
    const analysis = analyse(verify);
    const shown = analysis.findings.map((f) => [f.ruleId, f.severity, f.range.start.line, f.message]);
    expect(shown).toEqual([
      ['verify/failing', 'info', 7, '"math › increments 2": Failing: failed all 2 verification runs (broken, not flaky): expected 3 to be 4'],
      ['verify/timing-sensitive', 'warning', 12, 'Timing-sensitive: failed 1 of 2 stressed runs under CPU load, passed every run without load: Test timed out in 5000ms.'],
      ['fixed-sleep', 'warning', 13, expect.any(String)],
    ]);
    const sleep = analysis.findings.find((f) => f.ruleId === 'fixed-sleep')!;
    expect(sleep.related).toEqual([{ file: path.join(root, FILE), range: analysis.findings[1]!.range, message: expect.stringMatching(/^Verified timing-sensitive: Timing-sensitive: failed 1 of 2/) }]);
    // The stable test: no finding, but its evidence for hover.
    expect(analysis.testBlocks!.find((b) => b.titles?.join() === 'math,adds')!.verdict).toMatchObject({ kind: 'stable', stale: false });
  });

  test('check prints the same verdict findings as the analysis the server publishes', () => {
    const verify = results([{ titles: ['math', 'adds'], verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } }, firstFailure: { message: 'boom', run: 1, mode: 'serial', stress: false }, conclusion: 'x' }]);
    const analysis = analyse(verify);
    const outcome = runCheck({ root, paths: [root], rules: RULES });
    if (outcome.kind !== 'report') throw new Error('config error');
    const checked = outcome.report.files.find((f) => f.path === FILE)!.findings;
    expect(checked.map((f) => [f.ruleId, f.severity, f.message])).toEqual(analysis.findings.map((f) => [f.ruleId, f.severity, f.message]));
    expect(checked.map((f) => f.ruleId)).toContain('verify/flaky');
  });

  test('check --cache: a new, changed or deleted verify.json is not answered from the cache', () => {
    const cacheLocation = path.join(root, '.cache-test.json');
    const codes = () => {
      const outcome = runCheck({ root, paths: [root], rules: RULES, cacheLocation });
      if (outcome.kind !== 'report') throw new Error('config error');
      return outcome.report.files.find((f) => f.path === FILE)!.findings.map((f) => f.ruleId).filter((id) => id.startsWith('verify/'));
    };
    const verdict = (kind: 'flaky' | 'failing') =>
      writeResults(resultsPath(root), results([{ titles: ['math', 'adds'], verdict: kind, counts: { serial: { passed: kind === 'flaky' ? 1 : 0, failed: kind === 'flaky' ? 1 : 2 } }, conclusion: kind }]));
    try {
      fs.rmSync(path.join(root, '.flakelens'), { recursive: true, force: true });
      expect(codes()).toEqual([]);
      verdict('flaky');
      expect(codes()).toEqual(['verify/flaky']);
      verdict('failing');
      expect(codes()).toEqual(['verify/failing']);
      fs.rmSync(resultsPath(root));
      expect(codes()).toEqual([]);
    } finally {
      fs.rmSync(cacheLocation, { force: true });
    }
  });

  test('a verify.json that cannot be read: the static findings, and check says why the verdicts are missing', () => {
    fs.mkdirSync(path.join(root, '.flakelens'), { recursive: true });
    fs.writeFileSync(resultsPath(root), '{ "schemaVersion": 1, "runs": ');
    workspace.fileChanged(resultsPath(root), 'changed');
    expect(workspace.analyzeFile(path.join(root, FILE)).findings.map((f) => f.ruleId)).toEqual(['fixed-sleep']);
    const outcome = runCheck({ root, paths: [root], rules: RULES });
    if (outcome.kind !== 'report') throw new Error('config error');
    expect(outcome.report.notes).toEqual([expect.stringMatching(/^verify results not shown: .*verify\.json: /)]);
  });

  test('a verdict on a test whose text changed since the run is stale, at info; without a recorded hash no staleness is claimed', () => {
    const verify = results([{ titles: ['math', 'adds'], verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } }, conclusion: 'x' }]);
    expect(analyse(verify).findings.find((f) => f.ruleId === 'verify/flaky')).toMatchObject({ severity: 'warning', message: 'Flaky: failed 1 of 2 serial runs' });
    annotateSourceHashes(verify, root, () => TEXT.replace('expect(1 + 1)', 'expect(2 + 0)'));
    expect(analyse(verify).findings.find((f) => f.ruleId === 'verify/flaky')).toMatchObject({ severity: 'info', message: 'Flaky: failed 1 of 2 serial runs (stale: test changed since the run)' });
  });

  test('an it.each case (computed title) is stale when its call changed, found by the line the runner reported', () => {
    const each = () => results([{ titles: ['math', 'increments 2'], location: { line: 8, column: 3 }, verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } }, conclusion: 'x' }]);
    const fresh = annotateSourceHashes(each(), root);
    expect(Object.values(fresh.tests)[0]!.sourceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(analyse(fresh).findings.find((f) => f.ruleId === 'verify/flaky')).toMatchObject({ severity: 'warning', message: '"math › increments 2": Flaky: failed 1 of 2 serial runs' });
    const changed = annotateSourceHashes(each(), root, () => TEXT.replace('expect(a + 1).toBe(b);', 'expect(a + 1).toEqual(b);'));
    expect(analyse(changed).findings.find((f) => f.ruleId === 'verify/flaky')!.message).toMatch(/\(stale: test changed since the run\)$/);
  });
});

describe('a partial run folded into verify.json', () => {
  const a = ['s', 'a'];
  const b = ['s', 'b'];
  const idA = testId(FILE, a);
  const idB = testId(FILE, b);

  test('re-verified tests replace their runs and verdict; the others keep theirs with run numbers followed', () => {
    const existing = results(
      [
        { titles: a, verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } }, firstFailure: { message: 'x', run: 2, mode: 'serial', stress: false }, conclusion: 'a flaky' },
        { titles: b, verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } }, firstFailure: { message: 'y', run: 2, mode: 'serial', stress: false }, conclusion: 'b flaky' },
      ],
      [run(1, { [idA]: 'p', [idB]: 'p' }), run(2, { [idA]: 'f', [idB]: 'f' }, { [idA]: { message: 'x' }, [idB]: { message: 'y' } })],
    );
    existing.tests[idB]!.sourceHash = 'old-b';
    const fresh = results([{ titles: a, verdict: 'stable', counts: { serial: { passed: 2, failed: 0 } }, conclusion: 'a stable' }], [run(1, { [idA]: 'p' }), run(2, { [idA]: 'p' })]);
    // The name filter skipped b: the runner still reported it, without a hash of the old text.
    fresh.tests[idB] = { file: FILE, titles: b, sourceHash: 'new-b' };
    const merged = updateResults(existing, fresh);
    expect(merged.verdicts.map((v) => [v.id, v.verdict, v.conclusion, v.firstFailure?.run])).toEqual([
      [idA, 'stable', 'a stable', undefined],
      [idB, 'flaky', 'b flaky', 2],
    ]);
    expect(merged.runs.map((r) => [r.index, r.outcomes])).toEqual([
      [1, { [idB]: 'p' }],
      [2, { [idB]: 'f' }],
      [3, { [idA]: 'p' }],
      [4, { [idA]: 'p' }],
    ]);
    expect(merged.runs[1]!.failures).toEqual({ [idB]: { message: 'y' } });
    expect(merged.tests[idB]!.sourceHash).toBe('old-b');
    expect(updateResults({ ...existing, runner: { ...existing.runner, id: 'jest' } }, fresh)).toBe(fresh);
  });

  test('the name filter: a test by its path, a suite by its tests, the whole file when a title is not a literal or an each template', () => {
    const blocks = [
      { kind: 'suite' as const, titles: ['s'], callStart: 0, callEnd: 100 },
      { kind: 'test' as const, titles: ['s', 'a'], callStart: 10, callEnd: 20 },
      { kind: 'test' as const, titles: ['s', 'b'], callStart: 30, callEnd: 40 },
      { kind: 'suite' as const, titles: ['t'], callStart: 200, callEnd: 300 },
      { kind: 'test' as const, callStart: 210, callEnd: 220 },
      { kind: 'suite' as const, titles: ['u'], callStart: 400, callEnd: 500 },
      { kind: 'test' as const, titles: ['u', 'adds %i'], callStart: 410, callEnd: 420 },
      { kind: 'test' as const, titles: ['u', 'sums $a and $b'], callStart: 430, callEnd: 440 },
    ].map((b) => ({ ...b, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, start: b.callStart, end: b.callStart, callLine: 0 }));
    expect(nameFilterFor(['s', 'a'], blocks)).toEqual([['s', 'a']]);
    expect(nameFilterFor(['s'], blocks)).toEqual([['s', 'a'], ['s', 'b']]);
    expect(nameFilterFor(['t'], blocks)).toBeUndefined();
    expect(nameFilterFor([], blocks)).toBeUndefined();
    // it.each templates: the runner reports formatted names, so the whole file runs.
    expect(nameFilterFor(['u', 'adds %i'], blocks)).toBeUndefined();
    expect(nameFilterFor(['u', 'sums $a and $b'], blocks)).toBeUndefined();
    expect(nameFilterFor(['u'], blocks)).toBeUndefined();
  });
});
