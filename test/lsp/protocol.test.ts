import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { CLI, LspClient, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf } from './lspClient.js';

describe('requests before initialize', () => {
  it('answers -32002 ServerNotInitialized and still initializes afterwards', async () => {
    const root = tempWorkspace({ 'a.test.ts': 'export {};\n' });
    const child = spawn(process.execPath, [CLI, '--stdio'], { cwd: root, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onError(() => {});
    connection.listen();
    try {
      const uri = uriOf(path.join(root, 'a.test.ts'));
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: 'export {};\n' } });
      const position = { line: 0, character: 0 };
      await expect(connection.sendRequest('textDocument/hover', { textDocument: { uri }, position })).rejects.toMatchObject({ code: -32002 });
      await expect(connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } })).rejects.toMatchObject({ code: -32002 });
      await expect(connection.sendRequest('shutdown')).rejects.toMatchObject({ code: -32002 });
      const result = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(root), capabilities: {} })) as { capabilities: unknown };
      expect(result.capabilities).toBeDefined();
      await expect(connection.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(root), capabilities: {} })).rejects.toMatchObject({ code: -32600 });
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      expect(stderr).not.toMatch(/Cannot read properties/);
    } finally {
      if (child.exitCode === null) child.kill();
      connection.dispose();
      removeWorkspace(root);
    }
  }, 60_000);
});

describe('positions and client-supplied diagnostics', () => {
  let root: string;
  let client: LspClient;
  // U+2028/U+2029 inside a comment and a string: TypeScript breaks lines there, LSP clients do not.
  const TEXT = `import { it } from 'vitest';\n// a comment\u2028with a line separator\nconst s = 'a\u2029b';\nit.only('x', () => {\n  void s;\n});\n`;
  let file: string;
  let diagnostic: Diagnostic;

  beforeAll(async () => {
    root = tempWorkspace({ 'sep.test.ts': 'export {};\n' });
    file = path.join(root, 'sep.test.ts');
    client = await LspClient.start({ root, initializationOptions: { debounceMs: 0 } });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
    const mark = client.mark();
    await client.open(file, TEXT, 2);
    const published = await client.waitForDiagnostics(uriOf(file), (p) => p.version === 2, { after: mark });
    [diagnostic] = ruleDiagnostics(published, 'focused-test');
  }, 120_000);
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('reports lines as the client counts them (U+2028/U+2029 are not line breaks)', () => {
    expect(diagnostic).toBeDefined();
    expect(diagnostic.range.start).toEqual({ line: 3, character: 3 });
  });

  it('still offers "Remove .only" on such a file', async () => {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(file) }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    const remove = actions.find((a) => a.title === 'Remove .only');
    expect(remove).toBeDefined();
    const [edit] = remove!.edit!.changes![uriOf(file)]!;
    expect(edit!.range).toEqual({ start: { line: 3, character: 2 }, end: { line: 3, character: 7 } });
  });

  it('ignores client-supplied diagnostics that are not ours or do not fit the document', async () => {
    const at = (line: number, character = 0) => ({ start: { line, character }, end: { line, character } });
    const bogus: unknown[] = [
      { ...diagnostic, range: at(-1) },
      { ...diagnostic, range: at(1.5) },
      { ...diagnostic, range: at(1_000_000) },
      { ...diagnostic, range: at(3, 500) },
      { ...diagnostic, range: { start: diagnostic.range.end, end: diagnostic.range.start } },
      { ...diagnostic, source: 'eslint' },
      { ...diagnostic, code: 'no-such-rule' },
      { ...diagnostic, code: 42 },
      { range: diagnostic.range },
      null,
      'focused-test',
    ];
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(file) }, range: at(0), context: { diagnostics: bogus } });
    expect(actions).toEqual([]);
  });

  it('answers -32602 InvalidParams for malformed params', async () => {
    const uri = uriOf(file);
    await expect(client.request('textDocument/hover', { textDocument: { uri }, position: { line: -1, character: 0 } })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('textDocument/hover', { textDocument: { uri: 7 }, position: { line: 0, character: 0 } })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 } }, context: { diagnostics: [] } })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: {} })).rejects.toMatchObject({ code: -32602 });
    expect(client.stderr).not.toMatch(/Cannot read properties/);
  });
});
