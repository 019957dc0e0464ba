import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeLens, Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../server/src/cli/check.js';
import { pythonTestSources } from '../../server/src/engine/pythonTests.js';
import { titleKey } from '../../server/src/engine/testKeys.js';
import { RULES } from '../../server/src/rules/index.js';
import { testId, type Verdict, type VerifyResults } from '../../server/src/verify/types.js';
import { LspClient, positionOf, removeWorkspace, tempWorkspace, uriOf, writeFile } from './lspClient.js';

// pytest verdicts in the editor: Python files get no static analysis, only the verdicts of .flakelens/verify.json
// on each test's `def` name (and class), hover, "Verify ×10" lenses running the test by its node id, staleness by
// the same source hash verify records, and `check` reporting exactly what the server shows.

const CART = `import pytest

STATE = []


class TestCart:
    def test_clear(self):
        STATE.clear()

    @pytest.mark.parametrize("n", [1, 2])
    def test_add(self, n):
        STATE.append(n)
        assert len(STATE) == 1


async def test_total():
    assert sum([1, 2]) == 3
`;

const FILE = 'tests/test_cart.py';
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pytest']).status === 0);

function fixtureResults(text: string): VerifyResults {
  const hashes = pythonTestSources(text).byTitle;
  const tests: VerifyResults['tests'] = {};
  const entries: Array<[string[], string[], number]> = [
    [['TestCart', 'test_clear'], ['TestCart', 'test_clear'], 7],
    [['TestCart', 'test_add[1]'], ['TestCart', 'test_add'], 10],
    [['TestCart', 'test_add[2]'], ['TestCart', 'test_add'], 10],
    [['test_total'], ['test_total'], 16],
  ];
  for (const [titles, fn, line] of entries) tests[testId(FILE, titles)] = { file: FILE, titles, location: { line, column: 1 }, sourceHash: hashes.get(titleKey(fn))! };
  const verdict = (titles: string[], rest: Omit<Verdict, 'id' | 'file' | 'titles'>): Verdict => ({ id: testId(FILE, titles), file: FILE, titles, location: tests[testId(FILE, titles)]!.location!, ...rest });
  const verdicts: Verdict[] = [
    verdict(['TestCart', 'test_clear'], { verdict: 'stable', counts: { serial: { passed: 10, failed: 0 } }, conclusion: '10/10 runs consistent: passed every run.' }),
    verdict(['TestCart', 'test_add[2]'], {
      verdict: 'order-dependent',
      counts: { serial: { passed: 10, failed: 0 }, shuffle: { passed: 7, failed: 3 } },
      firstFailure: { message: 'assert 2 == 1', run: 2, mode: 'shuffle', stress: false, seed: 5 },
      seed: 5,
      polluters: [testId(FILE, ['TestCart', 'test_add[1]'])],
      repro: `python3 -m pytest ${FILE}::TestCart::test_add`,
      conclusion: 'Fails reproducibly in shuffle seed 5; polluter: test_add[1].',
    }),
    verdict(['test_total'], {
      verdict: 'flaky',
      counts: { serial: { passed: 8, failed: 2 } },
      firstFailure: { message: 'assert 4 == 3', run: 1, mode: 'serial', stress: false },
      conclusion: 'Mixed results without a consistent cause.',
    }),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'flakelens', version: '0.1.0' },
    root: '/elsewhere',
    startedAt: '2026-12-01T12:00:00.000Z',
    durationMs: 1000,
    runner: { id: 'pytest', version: '7.2.1', command: ['python3', '-m', 'pytest'], shuffle: 'files' },
    options: { runs: 10, modes: ['serial', 'shuffle'], stress: false, seed: 5, workers: 2 },
    files: [FILE],
    tests,
    runs: [],
    orderFindings: [],
    verdicts,
    summary: { stable: 1, failing: 0, flaky: 1, 'order-dependent': 1, 'parallel-sensitive': 0, 'timing-sensitive': 0, tests: 4, runs: 20 },
  };
}

const PATIENT = { timeoutMs: 120_000 };
const verifyDiagnostics = (list: Diagnostic[]) => list.filter((d) => typeof d.code === 'string' && d.code.startsWith('verify/'));
const hoverText = (h: Hover | null) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');
const shape = (list: Diagnostic[]) => list.map((d) => ({ code: d.code, message: d.message, severity: d.severity, start: d.range.start, end: d.range.end })).sort((a, b) => a.start.line - b.start.line || String(a.code).localeCompare(String(b.code)));

/** The report's 1-based line and column as an LSP position. */
const lsp = (p: { line: number; column: number }) => ({ line: p.line - 1, character: p.column - 1 });

/** `check`'s verdict findings for the workspace as the server would publish them. */
function checkShape(root: string): ReturnType<typeof shape> {
  const outcome = runCheck({ root, paths: [root], rules: RULES });
  if (outcome.kind !== 'report') throw new Error('config error');
  const file = outcome.report.files.find((f) => f.path === FILE);
  const severity = { error: 1, warning: 2, info: 3, hint: 4 } as const;
  return (file?.findings ?? [])
    .map((f) => ({ code: f.ruleId, message: f.message, severity: severity[f.severity], start: lsp(f.range.start), end: lsp(f.range.end) }))
    .sort((a, b) => a.start.line - b.start.line || a.code.localeCompare(b.code));
}

describe('pytest verdicts in the editor', () => {
  let root: string;
  let client: LspClient;
  let uri: string;

  beforeAll(async () => {
    root = tempWorkspace({ 'pytest.ini': '[pytest]\ntestpaths = tests\n', [FILE]: CART, 'tests/helpers.py': 'def test_like():\n    pass\n' });
    uri = uriOf(path.join(root, FILE));
    client = await LspClient.start({ root });
    await client.waitFor('window/logMessage', (p) => p.message.startsWith('file watcher ready'), PATIENT);
    await client.open(path.join(root, FILE), CART, 1, 'python');
    await client.waitForDiagnostics(uri, (p) => p.version === 1, PATIENT);
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('shows verdicts on the def names, parametrised ids on their function, and check reports the same', async () => {
    const mark = client.mark();
    writeFile(root, '.flakelens/verify.json', JSON.stringify(fixtureResults(CART), null, 2));
    const published = await client.waitForDiagnostics(uri, (p) => verifyDiagnostics(p.diagnostics).length === 2, { after: mark, ...PATIENT });
    // Verdicts only: no static rule runs on Python.
    expect(published.diagnostics).toEqual(verifyDiagnostics(published.diagnostics));
    const [order, flaky] = shape(published.diagnostics);
    expect(order).toMatchObject({ code: 'verify/order-dependent', severity: 2, start: positionOf(CART, 'test_add'), end: positionOf(CART, 'test_add', 'test_add'.length) });
    expect(order!.message).toBe('"TestCart › test_add[2]": Order-dependent: fails when "TestCart › test_add[1]" runs before it (with shuffle seed 5): assert 2 == 1');
    expect(flaky).toMatchObject({ code: 'verify/flaky', severity: 2, start: positionOf(CART, 'test_total'), message: 'Flaky: failed 2 of 10 serial runs: assert 4 == 3' });
    expect(checkShape(root)).toEqual(shape(published.diagnostics));
  });

  it('hovers a verdict with its counts, a stable test with its evidence', async () => {
    const flaky = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(CART, 'test_total', 2) }));
    expect(flaky).toContain('`verify/flaky` (warning)');
    expect(flaky).toContain('| serial | 8 | 2 |');
    const stable = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(CART, 'test_clear', 2) }));
    expect(stable).toContain('**Verified stable**: 10/10 runs consistent');
  });

  it('puts "Verify ×10" on each test and class, with the title path of its node id', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.arguments])).toEqual([
      [positionOf(CART, 'TestCart').line, 'Verify ×10', [uri, ['TestCart']]],
      [positionOf(CART, 'test_clear').line, 'Verify ×10', [uri, ['TestCart', 'test_clear']]],
      [positionOf(CART, 'test_add').line, 'Verify ×10', [uri, ['TestCart', 'test_add']]],
      [positionOf(CART, 'test_total').line, 'Verify ×10', [uri, ['test_total']]],
    ]);
  });

  it('marks the verdict of an edited test stale and keeps the others, as check does on the saved text', async () => {
    const mark = client.mark();
    const edited = CART.replace('assert sum([1, 2]) == 3', 'assert sum([1, 2]) == 3, "total"');
    await client.change(path.join(root, FILE), edited, 2);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 2, { after: mark, ...PATIENT });
    const [order, flaky] = shape(published.diagnostics);
    expect(flaky).toMatchObject({ code: 'verify/flaky', severity: 3, message: 'Flaky: failed 2 of 10 serial runs: assert 4 == 3 (stale: test changed since the run)' });
    expect(order!.severity).toBe(2);
    fs.writeFileSync(path.join(root, FILE), edited);
    expect(checkShape(root)).toEqual(shape(published.diagnostics));
    fs.writeFileSync(path.join(root, FILE), CART);
    const back = client.mark();
    await client.change(path.join(root, FILE), CART, 3);
    await client.waitForDiagnostics(uri, (p) => p.version === 3, { after: back, ...PATIENT });
  });

  it.skipIf(!PYTHON)('"Verify" on one test runs only that node id and records the hash the editor computes', async () => {
    const mark = client.mark();
    const response = await client.request<{ verdicts: Array<{ titles: string[]; verdict: string }> }>('workspace/executeCommand', {
      command: 'flakelens.verify',
      arguments: [uri, ['TestCart', 'test_add'], { runs: 2, modes: ['serial'] }],
    });
    // Both parameters of the function, nothing else of the file (test_clear and test_total did not run).
    expect(response.verdicts.map((v) => `${v.titles.join('::')}: ${v.verdict}`).sort()).toEqual(['TestCart::test_add[1]: stable', 'TestCart::test_add[2]: failing']);
    const written = JSON.parse(fs.readFileSync(path.join(root, '.flakelens/verify.json'), 'utf8')) as VerifyResults;
    const run = written.runs.at(-1)!;
    expect(run.commands[0]).toMatch(/ tests\/test_cart\.py::TestCart::test_add$/);
    expect(written.tests[testId(FILE, ['TestCart', 'test_add[2]'])]!.sourceHash).toBe(pythonTestSources(CART).byTitle.get(titleKey(['TestCart', 'test_add'])));
    // The new failing verdict (info) replaces the order-dependent one on test_add; test_total keeps its flaky one.
    const published = await client.waitForDiagnostics(uri, (p) => verifyDiagnostics(p.diagnostics).some((d) => d.code === 'verify/failing'), { after: mark, ...PATIENT });
    expect(shape(published.diagnostics).map((d) => d.code)).toEqual(['verify/failing', 'verify/flaky']);
    expect(checkShape(root)).toEqual(shape(published.diagnostics));
  });
});
