import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { runCli } from '../cli/cliHarness.js';
import { LspClient, uriOf } from '../lsp/lspClient.js';

// A workspace copied without node_modules: `vitest` does not resolve. Tests are still recognised from the import
// specifier (rules that need no types, such as focused-test, still report); findings that need the runner's types
// are missing. The engine detects it; the CLI and the server say so once per workspace, with the fix.

const FOCUSED = "import { describe, it } from 'vitest';\ndescribe('a', () => {\n  it.only('b', () => {});\n});\n";
let root: string;

beforeAll(() => {
  // Outside this repository, so nothing resolves from its node_modules.
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-nodeps-'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'copied', private: true, devDependencies: { vitest: '^4.0.0' } }));
  for (const name of ['a.test.ts', 'b.test.ts']) fs.writeFileSync(path.join(root, name), FOCUSED);
  fs.writeFileSync(path.join(root, 'c.test.ts'), "import { test } from 'node:test';\ntest('plain', () => {});\n");
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a runner module that does not resolve', () => {
  it('is reported by the engine for the files importing it, and only for them', () => {
    const workspace = new Workspace({ root, rules: RULES });
    try {
      const a = workspace.analyzeFile(path.join(root, 'a.test.ts'));
      expect(a.unresolvedRunnerModules).toEqual(['vitest']);
      // The import alone identifies vitest's `it`: `.only` is reported without typings.
      expect(a.findings.map((f) => f.ruleId)).toEqual(['focused-test']);
    } finally {
      workspace.dispose();
    }
    // In this repository vitest resolves: nothing to say.
    const repoWorkspace = new Workspace({ root: path.resolve(__dirname, '../fixtures/sample-workspace'), rules: RULES });
    try {
      const cart = repoWorkspace.analyzeFile(path.resolve(__dirname, '../fixtures/sample-workspace/tests/unit/cart.test.ts'));
      expect(cart.unresolvedRunnerModules).toBeUndefined();
      expect(cart.findings.length).toBeGreaterThan(0);
    } finally {
      repoWorkspace.dispose();
    }
  }, 120_000);

  it('identifies each runner from the import specifier alone: named, namespace and default imports', () => {
    const file = path.join(root, 'kinds.test.ts');
    fs.writeFileSync(file, [
      "import { describe, it } from 'mocha';",
      "import * as v from 'vitest';",
      "import test from 'node:test';",
      "import type { TestContext } from 'node:test';",
      "describe('suite', async () => {",
      '  await Promise.resolve();',
      "  it('late', () => {});",
      '});',
      "v.it.only('namespace', () => {});",
      "test.only('default', () => {});",
      '',
    ].join('\n'));
    const workspace = new Workspace({ root, rules: RULES });
    try {
      const analysis = workspace.analyzeFile(file);
      expect(analysis.findings.map((f) => `${f.ruleId}@${f.range.start.line}`)).toEqual(['async-describe@6', 'focused-test@8', 'focused-test@9']);
      expect(analysis.unresolvedRunnerModules).toEqual(['mocha', 'vitest', 'node:test']);
    } finally {
      workspace.dispose();
      fs.rmSync(file);
    }
  }, 120_000);

  it('identifies a CommonJS require of a runner from the specifier alone: destructured, renamed, whole module, property', () => {
    const lines = [
      "const { describe, it } = require('node:test');",
      "const { test: check } = require('node:test');",
      "const test = require('node:test');",
      "const mocha = require('mocha');",
      "const only = require('mocha').it;",
      "const { helper } = require('./helper');",
      "describe('suite', () => {",
      "  it('plain', () => {});",
      '});',
      "mocha.describe('mocha suite', async () => {",
      '  await Promise.resolve();',
      "  mocha.it('late', () => {});",
      '});',
      "check.only('renamed', () => {});",
      "test.only('module', () => {});",
      "mocha.it.only('namespace', () => {});",
      "only.only('property', () => {});",
      "helper.only('not a runner', () => {});",
      // A `let` may be given another value before it is called: only `const` bindings name the runner.
      "let later = require('node:test');",
      "later.only('maybe not a runner', () => {});",
      '',
    ].join('\n');
    // In JavaScript the checker binds these as aliases; in TypeScript `require` returns `any`, typings or not.
    // (node:test runs an async suite's body to its end before its tests: only mocha's async describe is reported.)
    for (const name of ['cjs.test.js', 'cjs.test.ts']) {
      const file = path.join(root, name);
      fs.writeFileSync(file, lines);
      const workspace = new Workspace({ root, rules: RULES });
      try {
        const analysis = workspace.analyzeFile(file);
        expect(analysis.findings.map((f) => `${f.ruleId}@${f.range.start.line}`), name).toEqual(['async-describe@11', 'focused-test@13', 'focused-test@14', 'focused-test@15', 'focused-test@16']);
        expect(analysis.tests, name).toBe(6);
        // JavaScript resolves `require` as an import: the note names the modules. TypeScript does not: no note.
        expect(analysis.unresolvedRunnerModules, name).toEqual(name.endsWith('.js') ? ['node:test', 'mocha'] : undefined);
      } finally {
        workspace.dispose();
        fs.rmSync(file);
      }
    }
  }, 120_000);

  it('a file with its own `require` and a runner installed without typings: no runner, and no note', () => {
    const own = path.join(root, 'own-require.test.ts');
    fs.writeFileSync(own, "function require(name: string): any { return { it: { only() {} } }; }\nconst { it } = require('mocha');\nit.only('not mocha', () => {});\n");
    // mocha installed, but without typings (no @types/mocha): the module resolves, the checker has no symbol for it.
    const mocha = path.join(root, 'node_modules', 'mocha');
    fs.mkdirSync(mocha, { recursive: true });
    fs.writeFileSync(path.join(mocha, 'package.json'), JSON.stringify({ name: 'mocha', main: 'index.js' }));
    fs.writeFileSync(path.join(mocha, 'index.js'), 'exports.it = function it() {};\n');
    const untyped = path.join(root, 'untyped.test.js');
    fs.writeFileSync(untyped, "const { it } = require('mocha');\nit.only('installed, untyped', () => {});\n");
    const workspace = new Workspace({ root, rules: RULES });
    try {
      expect(workspace.analyzeFile(own).findings).toEqual([]);
      const analysis = workspace.analyzeFile(untyped);
      expect(analysis.findings.map((f) => f.ruleId)).toEqual(['focused-test']);
      // Installing dependencies would not help: it is installed.
      expect(analysis.unresolvedRunnerModules).toBeUndefined();
    } finally {
      workspace.dispose();
      fs.rmSync(own);
      fs.rmSync(untyped);
      fs.rmSync(path.join(root, 'node_modules'), { recursive: true, force: true });
    }
  }, 120_000);

  it('CLI: one note for the run, naming the module and the fix', async () => {
    const { code, stderr } = await runCli(['check', root]);
    expect(code).toBe(1); // the .only in a and b
    const notes = stderr.split('\n').filter((l) => l.includes('cannot be resolved'));
    expect(notes).toHaveLength(1);
    // Without @types/node, node:test does not resolve either.
    expect(notes[0]).toMatch(/^flakelens: note: 'vitest' \(imported by a\.test\.ts\), 'node:test' \(imported by c\.test\.ts\) cannot be resolved from .*: tests are recognised from the import alone, but findings that need the runner's types are missing\. Install dependencies \(e\.g\. npm install\) in the workspace\.$/);
    const json = await runCli(['check', root, '--format', 'json']);
    expect((JSON.parse(json.stdout) as { notes: string[] }).notes).toEqual([expect.stringMatching(/^'vitest' \(imported by a\.test\.ts\), 'node:test' \(imported by c\.test\.ts\) cannot be resolved .* Install dependencies/)]);
  }, 120_000);

  it('LSP: one window/showMessage warning and a log line per workspace', async () => {
    const client = await LspClient.start({ root });
    try {
      await client.waitFor('$/progress', (p) => p.value.kind === 'end', { timeoutMs: 90_000 });
      const shown = client.messages.filter((m) => m.method === 'window/showMessage');
      if (shown.length !== 1) throw new Error(client.messages.map((m) => `${m.method} ${JSON.stringify(m.params).slice(0, 200)}`).join('\n'));
      expect(shown).toHaveLength(1);
      expect(shown[0]!.params.type).toBe(2); // Warning
      expect(shown[0]!.params.message).toMatch(/^flakelens: 'vitest' \(imported by [ab]\.test\.ts\) cannot be resolved .* Install dependencies/);
      const logged = client.messages.filter((m) => m.method === 'window/logMessage' && m.params.message === shown[0]!.params.message);
      expect(logged).toHaveLength(1);
      // Opening and editing another such file says nothing new.
      const mark = client.mark();
      await client.open(path.join(root, 'b.test.ts'), FOCUSED.replace("'b'", "'c'"), 1);
      await client.waitForDiagnostics(uriOf(path.join(root, 'b.test.ts')), (p) => p.version === 1, { after: mark, timeoutMs: 60_000 });
      expect(client.messages.slice(mark).filter((m) => m.method === 'window/showMessage')).toEqual([]);
    } finally {
      await client.dispose();
    }
  }, 180_000);
});
