import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type CheckOptions } from '../../server/src/cli/check.js';
import type { CheckReport } from '../../server/src/cli/report.js';
import { RULES } from '../../server/src/rules/index.js';
import { REPO_ROOT, runCli, scratchWorkspace } from './cliHarness.js';

// The result cache must never change what `check` reports: every step below edits the workspace, runs a cached
// check and compares it with a check without cache on the same files. A wrong hit is a correctness bug.

const helper = (delay: number) => `export async function settle(): Promise<void> {\n  await new Promise((r) => setTimeout(r, ${delay}));\n}\nexport function load(): Promise<number> {\n  return Promise.resolve(1);\n}\n`;
const usesHelper = (name: string) =>
  `import { expect, it } from 'vitest';\nimport { load, settle } from '../src/helper';\n\nit('${name}', async () => {\n  load();\n  await settle();\n  expect(1).toBe(1);\n});\n`;
const standalone = "import { expect, it } from 'vitest';\n\nit('standalone', async () => {\n  expect(Promise.resolve(1)).resolves.toBe(1);\n});\n";

let ws: { dir: string; remove: () => void };
let cacheFile: string;

function report(cache: boolean): { report: CheckReport; stats?: { hits: number; analysed: number; missReason?: string } } {
  let stats: { hits: number; analysed: number; missReason?: string } | undefined;
  const options: CheckOptions = { root: ws.dir, paths: [ws.dir], rules: RULES, ...(cache ? { cacheLocation: cacheFile, onCache: (s) => (stats = s) } : {}) };
  const outcome = runCheck(options);
  if (outcome.kind !== 'report') throw new Error(JSON.stringify(outcome.problems));
  return { report: outcome.report, ...(stats ? { stats } : {}) };
}

/** What must be equal with and without the cache: every file's findings and notes, and the run's notes. */
function essence(r: CheckReport): unknown {
  return { files: r.files.map((f) => ({ path: f.path, findings: f.findings, notes: f.notes })), notes: r.notes, summary: r.summary };
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(ws.dir, file)), { recursive: true });
  fs.writeFileSync(path.join(ws.dir, file), text);
}

/** A cached run after an edit: same report as an uncached one; returns the cache statistics. */
function cachedEqualsFresh(): { hits: number; analysed: number; missReason?: string } {
  const cached = report(true);
  const fresh = report(false);
  expect(essence(cached.report)).toEqual(essence(fresh.report));
  return cached.stats!;
}

beforeAll(() => {
  ws = scratchWorkspace('cache', {
    'src/helper.ts': helper(10),
    'src/other.ts': 'export const other = 1;\n',
    'tests/a.test.ts': usesHelper('a'),
    'tests/b.test.ts': usesHelper('b'),
    'tests/c.test.ts': standalone,
    // Asks the runner config model (fake timers configured?), so the config file is part of what the run read.
    'tests/w.test.ts': "import { expect, it } from 'vitest';\nimport { settle } from '../src/helper';\n\nit('w', async () => {\n  const start = Date.now();\n  await settle();\n  expect(Date.now() - start).toBeLessThan(100);\n});\n",
    'vitest.config.ts': "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: {} });\n",
  });
  cacheFile = path.join(ws.dir, '.flakelens', 'cache.json');
});
afterAll(() => ws.remove());

describe('check --cache', () => {
  it('reuses every result of an unchanged workspace, and re-analyses only what an edit can affect', () => {
    const cold = cachedEqualsFresh();
    expect(cold).toMatchObject({ hits: 0, analysed: 4, missReason: 'no cache' });
    expect(report(true).stats).toEqual({ hits: 4, analysed: 0 });

    // A test file's own text.
    write('tests/c.test.ts', standalone.replace("'standalone'", "'renamed'"));
    expect(cachedEqualsFresh()).toEqual({ hits: 3, analysed: 1 });

    // A helper: its dependents only.
    write('src/helper.ts', helper(20));
    expect(cachedEqualsFresh()).toEqual({ hits: 1, analysed: 3 });

    // A helper that now declares globals changes what every file of the program sees: everything again.
    write('src/helper.ts', `${helper(20)}declare global {\n  var flakelensCacheProbe: number;\n}\n`);
    expect(cachedEqualsFresh()).toEqual({ hits: 0, analysed: 4 });
    write('src/helper.ts', helper(20));
    cachedEqualsFresh();
  }, 240_000);

  it('is invalidated by a changed tsconfig, runner config or setting, a new test file, and a file an import now resolves to', () => {
    report(true);
    write('tsconfig.json', fs.readFileSync(path.join(ws.dir, 'tsconfig.json'), 'utf8').replace('"strict":true', '"strict":false'));
    expect(cachedEqualsFresh()).toMatchObject({ hits: 0, missReason: expect.stringContaining('tsconfig.json changed') });

    write('vitest.config.ts', "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { fakeTimers: { toFake: ['setTimeout'] } } });\n");
    expect(cachedEqualsFresh()).toMatchObject({ hits: 0, missReason: expect.stringContaining('vitest.config.ts changed') });

    write('flakelens.config.json', JSON.stringify({ rules: { 'floating-promise': 'error' } }));
    expect(cachedEqualsFresh()).toMatchObject({ hits: 0, missReason: expect.stringContaining('settings') });

    write('tests/d.test.ts', standalone);
    expect(cachedEqualsFresh()).toMatchObject({ hits: 0, missReason: expect.stringContaining('test files') });

    // An import that did not resolve: creating its target must not leave the old (unresolved) result in place.
    write('tests/e.test.ts', "import { it } from 'vitest';\nimport { later } from '../src/later';\n\nit('e', async () => {\n  later();\n});\n");
    cachedEqualsFresh();
    write('src/later.ts', 'export async function later(): Promise<void> {}\n');
    expect(cachedEqualsFresh()).toMatchObject({ hits: 0, missReason: expect.stringContaining('later') });
  }, 240_000);

  it('CLI: --cache writes .flakelens/cache.json under the root, --cache-location elsewhere; a cache it cannot write is a note', async () => {
    fs.rmSync(path.join(ws.dir, '.flakelens'), { recursive: true, force: true });
    const first = await runCli(['check', ws.dir, '--cache', '--format', 'json']);
    expect(fs.existsSync(cacheFile)).toBe(true);
    const second = await runCli(['check', ws.dir, '--cache', '--format', 'json']);
    expect(second.stdout).toBe(first.stdout);
    const elsewhere = path.join(ws.dir, 'custom', 'flakelens-cache.json');
    await runCli(['check', ws.dir, '--cache-location', elsewhere, '--format', 'json']);
    expect(fs.existsSync(elsewhere)).toBe(true);
    const blocked = await runCli(['check', ws.dir, '--cache-location', path.join(ws.dir, 'tests', 'c.test.ts', 'cache.json'), '--format', 'json']);
    expect(blocked.stdout).toBe(first.stdout);
    expect(blocked.stderr).toMatch(/note: cannot write the cache .*cache\.json/);
  }, 240_000);

  it('CLI: a run where every file hits does not load the compiler, and reports the runner config findings as before', async () => {
    // retries: 2 is a retry-marker finding on the config file itself, which needs the compiler to parse.
    write('vitest.config.ts', "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { retry: 2 } });\n");
    const location = path.join(ws.dir, '.flakelens', 'no-compiler.json');
    const preload = ['-r', path.join(REPO_ROOT, 'test/helpers/reportCompilerLoad.cjs')];
    const first = await runCli(['check', ws.dir, '--cache-location', location, '--format', 'json'], { nodeArgs: preload });
    expect(first.stderr).toContain('compiler loaded: true');
    expect(JSON.parse(first.stdout).files.some((f: { path: string; findings: unknown[] }) => f.path === 'vitest.config.ts' && f.findings.length > 0)).toBe(true);
    const second = await runCli(['check', ws.dir, '--cache-location', location, '--format', 'json'], { nodeArgs: preload });
    expect(second.stderr).toContain('compiler loaded: false');
    expect(second.stdout).toBe(first.stdout);
    // One changed file: analysed with the compiler, the config file's findings unchanged.
    write('tests/c.test.ts', standalone.replace("'standalone'", "'renamed again'"));
    const third = await runCli(['check', ws.dir, '--cache-location', location, '--format', 'json'], { nodeArgs: preload });
    expect(third.stderr).toContain('compiler loaded: true');
    expect(JSON.parse(third.stdout).files.find((f: { path: string }) => f.path === 'vitest.config.ts')).toEqual(JSON.parse(first.stdout).files.find((f: { path: string }) => f.path === 'vitest.config.ts'));
  }, 240_000);
});
