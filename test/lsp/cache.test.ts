import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { scratchWorkspace } from '../cli/cliHarness.js';
import { LspClient, uriOf } from './lspClient.js';

// The result cache across restarts must never change what the server shows: after each kind of change made while no
// server runs, a server that uses the cache publishes exactly what a server without it publishes. A wrong hit is a bug.

const helper = (url: string) => `export async function load(): Promise<number> {\n  const response = await fetch('${url}');\n  return response.status;\n}\nexport async function settle(): Promise<void> {}\n`;
const usesHelper = (name: string) =>
  `import { expect, it } from 'vitest';\nimport { load, settle } from '../src/helper';\n\nit('${name}', async () => {\n  load();\n  await settle();\n  expect(1).toBe(1);\n});\n`;
const spy = "import { it, vi } from 'vitest';\nimport * as api from '../src/api';\n\nit('spies', () => {\n  vi.spyOn(api, 'get').mockReturnValue(2);\n});\nit('after', () => {\n  api.get();\n});\n";
const vitestConfig = (restoreMocks: boolean) => `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { restoreMocks: ${restoreMocks} } });\n`;

let ws: { dir: string; remove: () => void };
const TESTS = ['tests/a.test.ts', 'tests/b.test.ts', 'tests/focus.test.ts', 'tests/spy.test.ts'];
/** Opened right after initialized, before the pass: what the server read for it must be in the cache's key too. */
const OPENED = 'tests/a.test.ts';

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(ws.dir, file)), { recursive: true });
  fs.writeFileSync(path.join(ws.dir, file), text);
}

interface Run {
  diagnostics: Record<string, Array<Pick<Diagnostic, 'code' | 'message' | 'range' | 'severity'>>>;
  /** How many files the pass took from the cache. */
  cached: number;
}

/** Starts a server, opens one document, waits for the whole pass, and returns every test file's last diagnostics. */
async function run(cacheLocation?: string): Promise<Run> {
  const client = await LspClient.start({ root: ws.dir, initializationOptions: { debounceMs: 0, ...(cacheLocation === undefined ? {} : { cacheLocation }) } });
  try {
    const opened = path.join(ws.dir, OPENED);
    await client.open(opened, fs.readFileSync(opened, 'utf8'), 1);
    const log = await client.waitFor('window/logMessage', (p) => /^workspace analysis: /.test(p.message), { timeoutMs: 120_000 });
    const cached = Number(/\((\d+) from the result cache\)/.exec(log.message)?.[1]);
    // The opened document's own analysis may come after the pass.
    await client.waitForDiagnostics(uriOf(opened), (p) => p.version === 1, { timeoutMs: 60_000 });
    const diagnostics: Run['diagnostics'] = {};
    for (const file of TESTS) {
      const last = client.published(uriOf(path.join(ws.dir, file))).at(-1);
      diagnostics[file] = (last?.diagnostics ?? []).map(({ code, message, range, severity }) => ({ code, message, range, severity }));
    }
    return { diagnostics, cached };
  } finally {
    await client.dispose();
  }
}

/** The cached server equals a fresh one (cache off); returns how many files came from the cache. */
async function cachedEqualsFresh(): Promise<number> {
  const cached = await run();
  const fresh = await run('');
  expect(cached.diagnostics).toEqual(fresh.diagnostics);
  expect(fresh.cached).toBe(0);
  return cached.cached;
}

beforeAll(() => {
  ws = scratchWorkspace('lsp-cache', {
    'src/helper.ts': helper('http://localhost/1'),
    'src/api.ts': 'export function get(): number {\n  return 1;\n}\n',
    'tests/a.test.ts': usesHelper('a'),
    'tests/b.test.ts': usesHelper('b'),
    'tests/focus.test.ts': "import { expect, it } from 'vitest';\n\nit.only('focused', () => {\n  expect(1).toBe(1);\n});\n",
    'tests/spy.test.ts': spy,
    'vitest.config.ts': vitestConfig(false),
  });
});
afterAll(() => ws.remove());

describe('the language server keeps results across restarts', () => {
  it('publishes unchanged files from the cache, and equals a fresh server after each kind of change', async () => {
    expect(await cachedEqualsFresh()).toBe(0); // no cache yet: written by this run
    expect(fs.existsSync(path.join(ws.dir, '.flakelens', 'cache.json'))).toBe(true);
    // Unchanged: every file but the open one comes from the cache.
    const first = await run();
    expect(first.cached).toBe(TESTS.length - 1);
    const all = Object.values(first.diagnostics).flat().map((d) => d.code);
    // The workspace has findings the changes below move: the comparisons are not between empty lists.
    expect(all).toEqual(expect.arrayContaining(['floating-promise', 'focused-test', 'missing-cleanup']));

    // A test file's own text: only it is analysed again.
    write('tests/focus.test.ts', "import { expect, it } from 'vitest';\n\nit('no longer focused', () => {\n  expect(1).toBe(1);\n});\n");
    expect(await cachedEqualsFresh()).toBe(TESTS.length - 2);

    // A helper: its dependents change (load() no longer returns a promise).
    write('src/helper.ts', 'export function load(): number {\n  return 1;\n}\nexport async function settle(): Promise<void> {}\n');
    expect(await cachedEqualsFresh()).toBeLessThan(TESTS.length - 1);

    // tsconfig: the same helper imported through a path alias that now points elsewhere.
    write('src/helper2.ts', helper('http://localhost/2'));
    write('tests/b.test.ts', usesHelper('b').replace("'../src/helper'", "'@h/helper'"));
    const tsconfig = (target: string) => JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, types: ['node'], paths: { '@h/helper': [target] } } });
    write('tsconfig.json', tsconfig('./src/helper.ts'));
    await cachedEqualsFresh();
    write('tsconfig.json', tsconfig('./src/helper2.ts'));
    expect(await cachedEqualsFresh()).toBe(0);

    // Runner config: restoreMocks undoes the spy.
    write('vitest.config.ts', vitestConfig(true));
    expect(await cachedEqualsFresh()).toBe(0);

    // A setting (the config file): a rule turned off.
    write('flakelens.config.json', JSON.stringify({ rules: { 'floating-promise': 'off' } }));
    expect(await cachedEqualsFresh()).toBe(0);

    // Unchanged again: the cache is back in use.
    expect((await run()).cached).toBe(TESTS.length - 1);
  }, 600_000);
});
