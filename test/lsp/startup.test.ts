import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { LspClient, REPO_ROOT, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf } from './lspClient.js';

const DIST = path.join(REPO_ROOT, 'server/dist');

/**
 * Static imports of an emitted module (import/export ... from), and packages it loads with
 * `createRequire(import.meta.url)('pkg')` anywhere in it (CommonJS packages are loaded that way to skip the ESM
 * loader's lexing); dynamic import() is left out: it loads later.
 */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const out: string[] = [];
  for (const statement of source.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      out.push(statement.moduleSpecifier.text);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isCallExpression(node.expression) && node.expression.expression.getText(source) === 'createRequire') {
      const [specifier] = node.arguments;
      if (specifier && ts.isStringLiteral(specifier)) out.push(specifier.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The packages (and node: builtins) an entry module loads before its first line runs, following relative imports. */
function staticGraph(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier));
      else packages.add(specifier.startsWith('node:') ? 'node:' : specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
    }
  }
  return { modules, packages };
}

describe('the language server answers initialize before it loads the engine', () => {
  // The module the CLI loads for --stdio (and the other transports).
  const cli = path.join(DIST, 'bin/cli.js');
  const lspEntry = (): string => {
    const text = fs.readFileSync(cli, 'utf8');
    const match = /'--stdio'[\s\S]*?await import\('([^']+)'\)/.exec(text);
    expect(match, 'the --stdio branch of cli.js imports the server module').not.toBeNull();
    return path.resolve(path.dirname(cli), match![1]!);
  };

  it('loads neither ts-morph nor typescript (nor the engine) before the initialize answer', () => {
    const { modules, packages } = staticGraph(lspEntry());
    for (const file of staticGraph(cli).modules) modules.add(file);
    for (const pkg of staticGraph(cli).packages) packages.add(pkg);
    // Only the protocol libraries: ts-morph alone takes over a second of CPU to load.
    expect([...packages].sort()).toEqual(['node:', 'vscode-languageserver', 'vscode-languageserver-textdocument']);
    const relative = [...modules].map((f) => path.relative(DIST, f)).sort();
    expect(relative.some((f) => f.startsWith('engine/analyze') || f.startsWith('rules/') || f.startsWith('workspace/'))).toBe(false);
  });

  it('loads the engine afterwards, with a dynamic import the walk above does not follow', () => {
    const entry = lspEntry();
    expect(fs.readFileSync(entry, 'utf8')).toMatch(/await import\('\.\/server\.js'\)/);
    // The walk does see ts-morph's compiler where it is loaded: the first test can fail.
    expect(staticGraph(path.join(DIST, 'lsp/server.js')).packages.has('@ts-morph/common')).toBe(true);
  });
});

describe('work that arrives while the engine loads', () => {
  let root: string;
  let client: LspClient;
  const text = `import { it } from 'vitest';\nit.only('x', () => {});\n`;
  let file: string;

  beforeAll(async () => {
    root = tempWorkspace({ 'early.test.ts': text });
    file = path.join(root, 'early.test.ts');
    client = await LspClient.start({ root, initializationOptions: { debounceMs: 0 } });
  }, 60_000);
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('is kept in order: a document opened right after initialized is analysed and requests wait instead of failing', async () => {
    // Sent without waiting for anything: the engine is still loading (it takes over a second), so all of it is queued.
    void client.open(file, text, 1);
    const lenses = client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uriOf(file) } });
    const hover = client.request('textDocument/hover', { textDocument: { uri: uriOf(file) }, position: { line: 1, character: 4 } });
    const published = await client.waitForDiagnostics(uriOf(file), (p) => p.version === 1, { timeoutMs: 60_000 });
    expect(ruleDiagnostics(published, 'focused-test')).toHaveLength(1);
    expect((await lenses).length).toBeGreaterThan(0);
    expect(JSON.stringify(await hover)).toMatch(/focused-test/);
  }, 90_000);
});
