import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { defaultCapabilities, LspClient, positionOf, REPO_ROOT, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf } from './lspClient.js';

// Regressions found by driving the server from real editors (Neovim 0.7 from Debian 12).

const LF = `import { describe, it } from 'vitest';\ndescribe('orders', () => {\n  it('lists', () => {});\n  it.only('saves', () => {});\n});\n`;
const CRLF = LF.replace(/\n/g, '\r\n');
const EMOJI = `import { describe, it } from 'vitest';\ndescribe('orders 🎉', () => {\n  /* 🎉 é */ it.only('saves', () => {});\n});\n`;

function edits(action: CodeAction, uri: string): TextEdit[] {
  return action.edit!.changes![uri]!;
}

function apply(text: string, list: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x.ts', 'typescript', 1, text), list);
}

/** The code actions for the flakelens diagnostics as published (or as given). */
function codeActions(client: LspClient, uri: string, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
  return client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
}

describe('editor regressions (push)', () => {
  let root: string;
  let client: LspClient;

  beforeAll(async () => {
    root = tempWorkspace({ 'crlf.test.ts': CRLF, 'emoji.test.ts': EMOJI });
    client = await LspClient.start({ root, initializationOptions: { debounceMs: 50 } });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('a quick fix in a CRLF file edits the right place after incremental changes', async () => {
    const file = path.join(root, 'crlf.test.ts');
    const uri = uriOf(file);
    let mark = client.mark();
    await client.open(file, CRLF, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1, { after: mark });
    // Type `.only` after the first `it`, as an editor sends it: one incremental change per keystroke.
    mark = client.mark();
    const at = positionOf(CRLF, "it('lists'", 2);
    [...'.only'].forEach((ch, i) => {
      const pos = { line: at.line, character: at.character + i };
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 + i }, contentChanges: [{ range: { start: pos, end: pos }, text: ch }] });
    });
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 6, { after: mark });
    const typed = CRLF.replace("it('lists'", "it.only('lists'");
    const focused = ruleDiagnostics(published, 'focused-test');
    expect(focused.map((d) => d.range.start)).toEqual([positionOf(typed, 'only'), positionOf(typed, 'only', 0, 1)]);
    for (const diagnostic of focused) {
      const actions = await codeActions(client, uri, [diagnostic]);
      const fix = actions.find((a) => a.title === 'Remove .only')!;
      expect(fix).toBeDefined();
      const fixed = apply(typed, edits(fix, uri));
      // Exactly the `.only` under the diagnostic is gone, nothing else.
      expect(fixed.split('.only')).toHaveLength(2);
      expect(fixed.replace('.only', '')).toBe(CRLF.replace('.only', ''));
      expect(fixed).toContain('\r\n');
    }
  });

  it('reports UTF-16 positions on lines with emoji and non-ASCII text, and hovers there', async () => {
    const uri = uriOf(path.join(root, 'emoji.test.ts'));
    const published = client.published(uri).at(-1)!;
    const [diagnostic] = ruleDiagnostics(published, 'focused-test');
    expect(diagnostic!.range).toEqual({ start: positionOf(EMOJI, 'only'), end: positionOf(EMOJI, 'only', 4) });
    const mark = client.mark();
    await client.open(path.join(root, 'emoji.test.ts'), EMOJI, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1, { after: mark });
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(EMOJI, 'only', 2) });
    expect(hover?.range).toEqual(diagnostic!.range);
  });

  it('still offers the fix when the client echoes the diagnostic range in other units (Neovim 0.7: byte columns)', async () => {
    const uri = uriOf(path.join(root, 'emoji.test.ts'));
    const [diagnostic] = ruleDiagnostics(client.published(uri).at(-1)!, 'focused-test');
    const line = EMOJI.split('\n')[2]!;
    const byteColumn = Buffer.byteLength(line.slice(0, diagnostic!.range.start.character));
    expect(byteColumn).not.toBe(diagnostic!.range.start.character);
    const echoed: Diagnostic = {
      ...diagnostic!,
      range: { start: { line: 2, character: byteColumn }, end: { line: 2, character: byteColumn + 4 } },
    };
    const actions = await codeActions(client, uri, [echoed]);
    const fix = actions.find((a) => a.title === 'Remove .only');
    expect(fix).toBeDefined();
    expect(apply(EMOJI, edits(fix!, uri))).toBe(EMOJI.replace('.only', ''));
    expect(actions.map((a) => a.title)).toContain('Ignore focused-test for this line');
  });

  it('answers requests after shutdown with InvalidRequest, ignores notifications, then exits with 0', async () => {
    await client.connection.sendRequest('shutdown');
    const uri = uriOf(path.join(root, 'emoji.test.ts'));
    await expect(client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 14 } })).rejects.toMatchObject({ code: -32600 });
    const mark = client.mark();
    await client.open(path.join(root, 'late.test.ts'), LF, 1);
    await client.connection.sendNotification('exit');
    expect(await client.exitCode()).toBe(0);
    expect(client.messages.slice(mark).filter((m) => m.method === 'textDocument/publishDiagnostics')).toEqual([]);
    expect(client.stderr).toBe('');
  });
});

describe('editor regressions (pull, plaintext hover)', () => {
  let root: string;
  let client: LspClient;

  beforeAll(async () => {
    root = tempWorkspace({ 'a.test.ts': LF, 'big.test.ts': `import { it } from 'vitest';\n${'// padding\n'.repeat(40)}it.only('big', () => {});\n` });
    client = await LspClient.start({
      root,
      initializationOptions: { maxFileSize: 300 },
      capabilities: defaultCapabilities({
        textDocument: { diagnostic: { dynamicRegistration: false }, hover: { contentFormat: ['plaintext'] }, publishDiagnostics: { versionSupport: true } },
      }),
    });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('pulls the "did not analyse" note for an open file over maxFileSize, as push does', async () => {
    const file = path.join(root, 'big.test.ts');
    const uri = uriOf(file);
    const pushed = client.published(uri).at(-1)!.diagnostics;
    expect(pushed).toHaveLength(1);
    await client.open(file, `import { it } from 'vitest';\n${'// padding\n'.repeat(40)}it.only('big', () => {});\n`, 1);
    const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
    expect(report.kind).toBe('full');
    expect(report.items).toEqual(pushed);
    expect(report.items[0].message).toMatch(/did not analyse this file: .*maxFileSize/);
  });

  it('hovers in plaintext for a client without markdown support', async () => {
    const file = path.join(root, 'a.test.ts');
    const uri = uriOf(file);
    await client.open(file, LF, 1);
    const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
    expect(ruleDiagnostics(report, 'focused-test')).toHaveLength(1);
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(LF, 'only', 1) });
    expect(hover?.contents).toMatchObject({ kind: 'plaintext' });
    const value = (hover!.contents as { value: string }).value;
    expect(value).toContain('focused-test');
    expect(value).toContain('Why it makes tests flaky:');
    expect(value).toContain('Use instead:');
    expect(value).toContain("    it('adds an item', () => {"); // the page's code, indented
    expect(value).toContain(`Rule documentation: ${pathToFileURL(path.join(REPO_ROOT, 'docs/rules/focused-test.md')).href}`);
    expect(value).not.toMatch(/\*\*|```|\]\(/);
    expect(await client.shutdown()).toBe(0);
  });
});
