import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver-protocol';
import type { CodeLens, Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSourceHashes, titleKey } from '../../server/src/engine/testBlocks.js';
import { testId, type Verdict, type VerifyResults } from '../../server/src/verify/types.js';
import { LspClient, positionOf, removeWorkspace, tempWorkspace, uriOf, writeFile } from './lspClient.js';

// The editor side of verify: verdicts from .flakelens/verify.json as diagnostics, hover and code lenses, staleness,
// and the "Verify" command (a real node:test run) with progress and cancellation.

const CART = `import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const cart = [];

describe('cart', () => {
  it('clears the cart', () => {
    cart.length = 0;
  });

  it('adds an item', () => {
    cart.push('apple');
    assert.equal(cart.length, 1);
  });

  it('keeps the total', async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(cart.length, 3);
  });

  it('ships', () => {
    assert.ok(true);
  });
});
`;

// Runs once per invocation; records its pid; with a "hang" file in the workspace it never finishes.
const SLOW = `import * as fs from 'node:fs';
import { it } from 'node:test';

it('waits', async () => {
  fs.mkdirSync(new URL('../pids/', import.meta.url), { recursive: true });
  fs.writeFileSync(new URL('../pids/' + process.pid, import.meta.url), '');
  if (fs.existsSync(new URL('../hang', import.meta.url))) await new Promise(() => setInterval(() => {}, 1000));
});
`;

const CART_FILE = 'test/cart.test.mjs';
const id = (title: string) => testId(CART_FILE, ['cart', title]);

/** A verify.json as `flakelens verify` writes it, for the cart tests as they are in CART. */
function fixtureResults(text: string): VerifyResults {
  const hashes = testSourceHashes(CART_FILE, text);
  const tests: VerifyResults['tests'] = {};
  for (const [title, line] of [['clears the cart', 7], ['adds an item', 11], ['keeps the total', 16], ['ships', 21]] as const) {
    tests[id(title)] = { file: CART_FILE, titles: ['cart', title], location: { line, column: 3 }, sourceHash: hashes.get(titleKey(['cart', title]))! };
  }
  const verdict = (title: string, rest: Omit<Verdict, 'id' | 'file' | 'titles'>): Verdict => ({ id: id(title), file: CART_FILE, titles: ['cart', title], ...rest });
  const verdicts: Verdict[] = [
    verdict('clears the cart', { verdict: 'stable', counts: { serial: { passed: 10, failed: 0 } }, conclusion: '10/10 runs consistent: passed every run.' }),
    verdict('adds an item', {
      verdict: 'order-dependent',
      counts: { serial: { passed: 10, failed: 0 }, shuffle: { passed: 8, failed: 2 } },
      firstFailure: { message: 'Expected values to be strictly equal:\n\n2 !== 1\n', run: 2, mode: 'shuffle', stress: false, seed: 42 },
      seed: 42,
      polluters: [id('keeps the total')],
      repro: 'node --test test/cart.test.mjs',
      conclusion: 'Fails reproducibly in shuffle seed 42 and passes in another order; polluter: keeps the total.',
    }),
    verdict('keeps the total', {
      verdict: 'flaky',
      counts: { serial: { passed: 10, failed: 0 }, parallel: { passed: 7, failed: 3 } },
      firstFailure: { message: 'expected 3, got 2', at: 'test/cart.test.mjs:18:12', run: 1, mode: 'parallel', stress: false },
      conclusion: 'Mixed results without a consistent cause.',
    }),
    verdict('ships', { verdict: 'stable', counts: { serial: { passed: 10, failed: 0 }, parallel: { passed: 10, failed: 0 } }, conclusion: '20/20 runs consistent: passed every run.' }),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'flakelens', version: '0.1.0' },
    root: '/elsewhere/when/it/ran',
    startedAt: '2026-12-01T12:00:00.000Z',
    durationMs: 1000,
    runner: { id: 'node', version: '20.19.0', command: ['node'], shuffle: 'files' },
    options: { runs: 10, modes: ['serial', 'parallel', 'shuffle'], stress: false, seed: 42, workers: 2 },
    files: [CART_FILE],
    tests,
    runs: [
      {
        index: 1,
        mode: 'parallel',
        stress: false,
        purpose: 'plan',
        commands: ['node --test --test-concurrency=2 test/cart.test.mjs'],
        status: 'ok',
        exitCode: 1,
        durationMs: 100,
        passed: 3,
        failed: 1,
        outcomes: { [id('clears the cart')]: 'p', [id('adds an item')]: 'p', [id('keeps the total')]: 'f', [id('ships')]: 'p' },
        failures: { [id('keeps the total')]: { message: 'expected 3, got 2' } },
      },
    ],
    orderFindings: [],
    verdicts,
    summary: { stable: 2, failing: 0, flaky: 1, 'order-dependent': 1, 'parallel-sensitive': 0, 'timing-sensitive': 0, tests: 4, runs: 30 },
  };
}

const PATIENT = { timeoutMs: 120_000 };
const verifyDiagnostics = (list: Diagnostic[]) => list.filter((d) => typeof d.code === 'string' && d.code.startsWith('verify/'));
const byCode = (list: Diagnostic[], code: string) => list.find((d) => d.code === code);
const hoverText = (h: Hover | null) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

/** Resolves once `dir` holds an entry (fs.watch, no polling sleeps); rejects after the timeout. */
function firstEntry(dir: string, timeoutMs = 60_000): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  return new Promise((resolve, reject) => {
    const done = (value?: string, error?: Error) => {
      watcher.close();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value!);
    };
    const check = () => {
      const entries = fs.readdirSync(dir);
      if (entries.length) done(entries[0]);
    };
    const watcher = fs.watch(dir, check);
    const timer = setTimeout(() => done(undefined, new Error(`nothing appeared in ${dir}`)), timeoutMs);
    check();
  });
}

/** Alive = exists and is not a zombie (a container's init may not reap reparented children at once). */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Waits until the process has exited, by re-checking on a short interval with a deadline. */
async function gone(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('verify in the editor', () => {
  let root: string;
  let tmp: string;
  let client: LspClient;
  let cartUri: string;
  let slowUri: string;
  let text = CART;

  beforeAll(async () => {
    root = tempWorkspace({
      'package.json': '{ "name": "lsp-verify", "private": true, "type": "module", "scripts": { "test": "node --test" } }\n',
      [CART_FILE]: CART,
      'test/slow.test.mjs': SLOW,
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-lsp-verify-tmp-'));
    cartUri = uriOf(path.join(root, CART_FILE));
    slowUri = uriOf(path.join(root, 'test/slow.test.mjs'));
    client = await LspClient.start({ root, env: { TMPDIR: tmp } });
    // Generous waits: on a loaded 2-core machine the first analysis (a typed program) takes long; they catch hangs.
    const slow = { timeoutMs: 120_000 };
    await client.waitFor('window/logMessage', (p) => p.message.startsWith('file watcher ready'), slow);
    await client.waitFor('$/progress', (p) => p.value.kind === 'end', slow);
    await client.open(path.join(root, CART_FILE), CART, 1, 'javascript');
    await client.waitForDiagnostics(cartUri, (p) => p.version === 1, slow);
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('never runs tests while analysing', () => {
    expect(fs.existsSync(path.join(root, 'pids'))).toBe(false);
    expect(client.initializeResult.capabilities.executeCommandProvider?.commands).toEqual(['flakelens.verify']);
    expect(client.initializeResult.capabilities.codeLensProvider).toBeDefined();
  });

  it('shows verdicts from a verify.json written after initialize on the tests they are about', async () => {
    const mark = client.mark();
    writeFile(root, '.flakelens/verify.json', JSON.stringify(fixtureResults(CART), null, 2));
    const published = await client.waitForDiagnostics(cartUri, (p) => verifyDiagnostics(p.diagnostics).length === 2, { after: mark, ...PATIENT });
    const flaky = byCode(published.diagnostics, 'verify/flaky')!;
    expect(flaky.message).toBe('Flaky: failed 3 of 10 parallel runs: expected 3, got 2');
    expect(flaky.severity).toBe(2);
    expect(flaky.source).toBe('flakelens');
    expect(flaky.range.start).toEqual(positionOf(CART, "'keeps the total'"));
    expect(flaky.codeDescription?.href).toMatch(/docs\/verify\/flaky\.md$/);
    expect(fs.existsSync(new URL(flaky.codeDescription!.href))).toBe(true);
    expect(flaky.relatedInformation?.[0]?.location.range.start).toEqual({ line: 17, character: 11 });

    const order = byCode(published.diagnostics, 'verify/order-dependent')!;
    expect(order.message).toBe('Order-dependent: fails when "cart › keeps the total" runs before it (with shuffle seed 42): Expected values to be strictly equal:');
    expect(order.severity).toBe(2);
    expect(order.range.start).toEqual(positionOf(CART, "'adds an item'"));
    expect(order.relatedInformation?.[0]).toEqual({
      location: { uri: cartUri, range: { start: positionOf(CART, "'keeps the total'"), end: positionOf(CART, "'keeps the total'", "'keeps the total'".length) } },
      message: 'Polluter: "cart › keeps the total" runs before this test and makes it fail',
    });
    // Stable tests get no diagnostic.
    expect(published.diagnostics.filter((d) => d.range.start.line === positionOf(CART, "'ships'").line)).toEqual([]);
    // The static finding inside the verified-flaky test carries the evidence.
    const sleep = byCode(published.diagnostics, 'fixed-sleep')!;
    expect(sleep.relatedInformation?.map((r) => r.message)).toEqual(['Verified flaky: Flaky: failed 3 of 10 parallel runs: expected 3, got 2']);
  });

  it('hovers a verdict with the counts per mode, seed, first failure and reproduction', async () => {
    const flaky = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: cartUri }, position: positionOf(CART, "'keeps the total'", 2) }));
    expect(flaky).toContain('`verify/flaky` (warning)');
    expect(flaky).toContain('| serial | 10 | 0 |');
    expect(flaky).toContain('| parallel | 7 | 3 |');
    expect(flaky).toContain('**First failure** (run 1, parallel): `expected 3, got 2` at `test/cart.test.mjs:18:12`');
    expect(flaky).toContain('**Run that failed first:** `node --test --test-concurrency=2 test/cart.test.mjs`');
    const order = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: cartUri }, position: positionOf(CART, "'adds an item'", 2) }));
    expect(order).toContain('**Seed:** 42 (file order permuted by flakelens)');
    expect(order).toContain('**Polluter:** `cart › keeps the total`');
    expect(order).toContain('**Reproduce:** `node --test test/cart.test.mjs`');
    const stable = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: cartUri }, position: positionOf(CART, "'ships'", 2) }));
    expect(stable).toContain('**Verified stable**: 20/20 runs consistent');
    expect(stable).toContain('| parallel | 10 | 0 |');
  });

  it('puts a "Verify ×10" code lens above every test and suite', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: cartUri } });
    expect(lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments])).toEqual([
      [positionOf(CART, "'cart'").line, 'Verify ×10', 'flakelens.verify', [cartUri, ['cart']]],
      [positionOf(CART, "'clears the cart'").line, 'Verify ×10', 'flakelens.verify', [cartUri, ['cart', 'clears the cart']]],
      [positionOf(CART, "'adds an item'").line, 'Verify ×10', 'flakelens.verify', [cartUri, ['cart', 'adds an item']]],
      [positionOf(CART, "'keeps the total'").line, 'Verify ×10', 'flakelens.verify', [cartUri, ['cart', 'keeps the total']]],
      [positionOf(CART, "'ships'").line, 'Verify ×10', 'flakelens.verify', [cartUri, ['cart', 'ships']]],
    ]);
  });

  it('marks the verdict of an edited test stale, at info, and keeps the others', async () => {
    const mark = client.mark();
    text = CART.replace('assert.equal(cart.length, 3);', 'assert.equal(cart.length, 3, "total");');
    await client.change(path.join(root, CART_FILE), text, 2);
    const published = await client.waitForDiagnostics(cartUri, (p) => p.version === 2, { after: mark, ...PATIENT });
    const flaky = byCode(published.diagnostics, 'verify/flaky')!;
    expect(flaky.message).toBe('Flaky: failed 3 of 10 parallel runs: expected 3, got 2 (stale: test changed since the run)');
    expect(flaky.severity).toBe(3);
    expect(byCode(published.diagnostics, 'verify/order-dependent')!.severity).toBe(2);
    // A stale verdict is no evidence for the static finding any more.
    expect(byCode(published.diagnostics, 'fixed-sleep')!.relatedInformation).toBeUndefined();
  });

  it('drops the verdicts when verify.json is deleted and shows them again when it comes back', async () => {
    let mark = client.mark();
    fs.rmSync(path.join(root, '.flakelens/verify.json'));
    await client.waitForDiagnostics(cartUri, (p) => verifyDiagnostics(p.diagnostics).length === 0, { after: mark, ...PATIENT });
    mark = client.mark();
    writeFile(root, '.flakelens/verify.json', JSON.stringify(fixtureResults(CART), null, 2));
    await client.waitForDiagnostics(cartUri, (p) => verifyDiagnostics(p.diagnostics).length === 2, { after: mark, ...PATIENT });
  });

  it('runs "Verify" on one test with progress and merges the result into verify.json', async () => {
    await client.open(path.join(root, 'test/slow.test.mjs'), SLOW, 1, 'javascript');
    await client.waitForDiagnostics(slowUri, (p) => p.version === 1, PATIENT);
    const mark = client.mark();
    const response = await client.request<{ verdicts: Array<{ titles: string[]; verdict: string }> }>('workspace/executeCommand', {
      command: 'flakelens.verify',
      arguments: [slowUri, ['waits'], { runs: 2, modes: ['serial'] }],
    });
    expect(response.verdicts).toEqual([expect.objectContaining({ titles: ['waits'], verdict: 'stable' })]);
    expect(fs.readdirSync(path.join(root, 'pids'))).toHaveLength(2);
    const create = client.requestsFromServer.filter((m) => m.method === 'window/workDoneProgress/create').at(-1)!;
    const progress = client.messages.slice(mark).filter((m) => m.method === '$/progress' && m.params.token === create.params.token).map((m) => m.params.value);
    expect(progress[0]).toMatchObject({ kind: 'begin', title: 'Verify ×2', cancellable: true });
    expect(progress.filter((v) => v.kind === 'report').map((v) => v.message)).toEqual([
      'run 1/2: serial',
      'run 1/2: 1 passed, 0 failed',
      'run 2/2: serial',
      'run 2/2: 1 passed, 0 failed',
    ]);
    expect(progress.at(-1)).toEqual({ kind: 'end' });
    const written = JSON.parse(fs.readFileSync(path.join(root, '.flakelens/verify.json'), 'utf8')) as VerifyResults;
    expect(written.verdicts.map((v) => `${v.titles.join(' › ')}: ${v.verdict}`).sort()).toEqual([
      'cart › adds an item: order-dependent',
      'cart › clears the cart: stable',
      'cart › keeps the total: flaky',
      'cart › ships: stable',
      'waits: stable',
    ]);
    expect(written.tests[testId('test/slow.test.mjs', ['waits'])]!.sourceHash).toBe(testSourceHashes('slow.test.mjs', SLOW).get(titleKey(['waits'])));
    // The watcher path shows the new verdict: the file is analysed again, and its stable test's hover has the counts.
    await client.waitForDiagnostics(slowUri, () => true, { after: mark, ...PATIENT });
    const hover = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: slowUri }, position: positionOf(SLOW, "'waits'", 2) }));
    expect(hover).toContain('| serial | 2 | 0 |');
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('flakelens-verify-'))).toEqual([]);
  });

  it.each(['progress', 'request'] as const)('cancels a running verification through the %s: the runner is killed, temp files removed, progress ended', async (how) => {
    fs.rmSync(path.join(root, 'pids'), { recursive: true, force: true });
    writeFile(root, 'hang', '');
    try {
      const mark = client.mark();
      const source = new CancellationTokenSource();
      const pending = client.connection
        .sendRequest('workspace/executeCommand', { command: 'flakelens.verify', arguments: [slowUri, ['waits'], { runs: 3, modes: ['serial'] }] }, source.token)
        .then(
          () => undefined,
          (error: { code?: number }) => error,
        );
      const pid = Number(await firstEntry(path.join(root, 'pids')));
      expect(isAlive(pid)).toBe(true);
      const create = client.requestsFromServer.filter((m) => m.method === 'window/workDoneProgress/create').at(-1)!;
      if (how === 'progress') await client.connection.sendNotification('window/workDoneProgress/cancel', { token: create.params.token });
      else source.cancel();
      const error = await pending;
      expect(error?.code).toBe(-32800);
      await client.waitFor('$/progress', (p) => p.token === create.params.token && p.value.kind === 'end', { after: mark, ...PATIENT });
      expect(await gone(pid)).toBe(true);
      expect(fs.readdirSync(path.join(root, 'pids'))).toHaveLength(1);
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('flakelens-verify-'))).toEqual([]);
    } finally {
      fs.rmSync(path.join(root, 'hang'), { force: true });
    }
  });
});
