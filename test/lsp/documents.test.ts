import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { defaultCapabilities, LspClient, positionOf, REPO_ROOT, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf } from './lspClient.js';

const CLEAN = `import { describe, it } from 'vitest';\ndescribe('orders', () => {\n  it('saves', () => {});\n});\n`;
const FOCUSED = `import { describe, it } from 'vitest';\ndescribe('orders', () => {\n  it.only('saves', () => {});\n});\n`;

function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x.ts', 'typescript', 1, text), edits);
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  if (action.edit?.documentChanges) {
    const change = action.edit.documentChanges[0] as { textDocument: { uri: string }; edits: TextEdit[] };
    expect(change.textDocument.uri).toBe(uri);
    return change.edits;
  }
  return action.edit!.changes![uri]!;
}

describe('push diagnostics, code actions and hover', () => {
  let root: string;
  let client: LspClient;
  let file: string;
  let uri: string;

  beforeAll(async () => {
    root = tempWorkspace({ 'orders.test.ts': CLEAN });
    file = path.join(root, 'orders.test.ts');
    uri = uriOf(file);
    client = await LspClient.start({ root, initializationOptions: { debounceMs: 300 } });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('publishes on didOpen for the opened version, buffer over disk', async () => {
    expect(client.published(uri).at(-1)?.diagnostics).toEqual([]); // disk content is clean
    const mark = client.mark();
    await client.open(file, FOCUSED, 1);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 1, { after: mark });
    const [diagnostic] = ruleDiagnostics(published, 'focused-test');
    expect(published.diagnostics).toHaveLength(1);
    expect(diagnostic!.range.start).toEqual(positionOf(FOCUSED, 'only'));
    expect(diagnostic!.message).toContain('Focused test');
  });

  it('debounces didChange and publishes only the latest version', async () => {
    const v2 = FOCUSED.replace(`it.only('saves'`, `it.only('saves'`).replace('describe(', 'describe.only(');
    const v3 = `import { it } from 'vitest';\n\n\nit.only('late', () => {});\n`;
    const mark = client.mark();
    await client.change(file, v2, 2);
    await client.change(file, v3, 3);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 3, { after: mark });
    expect(published.diagnostics.map((d) => d.range.start)).toEqual([positionOf(v3, 'only')]);
    // Version 2 was superseded within the debounce window: never analysed, never published.
    expect(client.published(uri).filter((p) => p.version === 2)).toEqual([]);
  });

  it('offers the rule fix (preferred) and the ignore actions for a flakelens diagnostic', async () => {
    const mark = client.mark();
    await client.change(file, FOCUSED, 4);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 4, { after: mark });
    const diagnostic = published.diagnostics[0]!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    expect(actions.map((a) => a.title)).toEqual(['Remove .only', 'Ignore focused-test for this line', 'Ignore focused-test for this file']);
    const [fix, ignoreLine, ignoreFile] = actions as [CodeAction, CodeAction, CodeAction];
    expect(fix.isPreferred).toBe(true);
    expect(fix.kind).toBe('quickfix');
    expect(fix.diagnostics).toEqual([diagnostic]);
    expect(applyEdits(FOCUSED, editsOf(fix, uri))).toBe(CLEAN);
    expect(applyEdits(FOCUSED, editsOf(ignoreLine, uri))).toBe(FOCUSED.replace(`  it.only`, `  // flakelens-ignore-next-line focused-test\n  it.only`));
    expect(applyEdits(FOCUSED, editsOf(ignoreFile, uri))).toBe(`// flakelens-ignore-file focused-test\n${FOCUSED}`);

    // The inserted directive really silences the finding.
    const silenced = applyEdits(FOCUSED, editsOf(ignoreLine, uri));
    const mark2 = client.mark();
    await client.change(file, silenced, 5);
    const after = await client.waitForDiagnostics(uri, (p) => p.version === 5, { after: mark2 });
    expect(after.diagnostics).toEqual([]);
  });

  it('ignores diagnostics from other sources and other action kinds', async () => {
    const foreign: Diagnostic = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'eslint', code: 'focused-test' };
    expect(await client.request('textDocument/codeAction', { textDocument: { uri }, range: foreign.range, context: { diagnostics: [foreign] } })).toEqual([]);
    const mark = client.mark();
    await client.change(file, FOCUSED, 6);
    const { diagnostics } = await client.waitForDiagnostics(uri, (p) => p.version === 6, { after: mark });
    expect(await client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics, only: ['source.organizeImports'] } })).toEqual([]);
  });

  it('hovers a finding with rule id, message, the installed docs page and its file: link', async () => {
    const onFinding = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(FOCUSED, 'only', 2) });
    const value = (onFinding.contents as { kind: string; value: string }).value;
    expect((onFinding.contents as { kind: string }).kind).toBe('markdown');
    expect(value).toContain('`focused-test`');
    expect(value).toContain('Focused test `it.only`');
    // The page's content (docs/rules/focused-test.md as installed, without its title), then the link to it.
    const page = fs.readFileSync(path.join(REPO_ROOT, 'docs/rules/focused-test.md'), 'utf8');
    expect(value).toContain('## Why it makes tests flaky');
    expect(value).toContain(page.slice(page.indexOf('## Use instead')).trim());
    expect(value).not.toContain('# focused-test\n');
    expect(value).toContain(`[Rule documentation](${pathToFileURL(path.join(REPO_ROOT, 'docs/rules/focused-test.md')).href})`);
    expect(onFinding.range?.start).toEqual(positionOf(FOCUSED, 'only'));
    expect(await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(FOCUSED, 'import') })).toBeNull();
  });

  it('on didClose drops the buffer and publishes the results of the saved file', async () => {
    const mark = client.mark();
    await client.close(file);
    const published = await client.waitForDiagnostics(uri, () => true, { after: mark });
    expect(published.version).toBeUndefined();
    expect(published.diagnostics).toEqual([]); // the file on disk has no .only
    expect(await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(FOCUSED, 'only') })).toBeNull();
  });

  it('shuts down cleanly', async () => {
    expect(await client.shutdown()).toBe(0);
  });
});

describe('pull diagnostics', () => {
  let root: string;
  let client: LspClient;

  beforeAll(async () => {
    root = tempWorkspace({ 'a.test.ts': FOCUSED });
    client = await LspClient.start({
      root,
      capabilities: defaultCapabilities({ textDocument: { diagnostic: { dynamicRegistration: false }, publishDiagnostics: { versionSupport: true } } }),
    });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('advertises a diagnostic provider and answers textDocument/diagnostic instead of pushing for open documents', async () => {
    expect(client.initializeResult.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: true, workspaceDiagnostics: false });
    const file = path.join(root, 'a.test.ts');
    const uri = uriOf(file);
    // Not open yet: the workspace pass pushed it.
    expect(ruleDiagnostics(client.published(uri).at(-1)!, 'focused-test')).toHaveLength(1);

    const mark = client.mark();
    await client.open(file, FOCUSED, 1);
    const first = await client.request('textDocument/diagnostic', { textDocument: { uri } });
    expect(first.kind).toBe('full');
    expect(ruleDiagnostics(first, 'focused-test').map((d) => d.range.start)).toEqual([positionOf(FOCUSED, 'only')]);
    const again = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    expect(again).toEqual({ kind: 'unchanged', resultId: first.resultId });

    await client.change(file, CLEAN, 2);
    const changed = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    expect(changed.kind).toBe('full');
    expect(changed.items).toEqual([]);
    // The pushed copy was cleared on open and nothing non-empty was pushed for the open document.
    const pushedSinceOpen = client.published(uri).slice(-1)[0]!;
    expect(pushedSinceOpen.diagnostics).toEqual([]);
    expect(client.messages.slice(mark).filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.diagnostics.length > 0)).toEqual([]);
    expect(await client.shutdown()).toBe(0);
  });
});
