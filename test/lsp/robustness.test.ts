import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, defaultCapabilities, positionOf, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf } from './lspClient.js';

const FOCUSED = `import { it } from 'vitest';\nit.only('a', () => {});\n`;

describe('bad input never kills the server', () => {
  let root: string;
  let client: LspClient;

  beforeAll(async () => {
    root = tempWorkspace({
      'ok.test.ts': FOCUSED,
      'big.test.ts': `import { it } from 'vitest';\n${'// padding\n'.repeat(40)}it.only('big', () => {});\n`,
      'binary.test.ts': `it.only('x', () => {});\u0000\u0001\u0002`,
      'broken.test.ts': `import { it } from 'vitest';\nit.only('broken', () => {\n  const x = ;\n`,
    });
    client = await LspClient.start({ root, initializationOptions: { maxFileSize: 300 } });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('survives malformed JSON-RPC on stdin', async () => {
    const hoverParams = { textDocument: { uri: uriOf(path.join(root, 'ok.test.ts')) }, position: { line: 0, character: 0 } };
    for (const garbage of ['not a header at all\r\n\r\n', 'Content-Length: 9\r\n\r\n{garbage}', 'Content-Length: 14\r\n\r\n[1, 2, "nope"]', 'Content-Length: x\r\n\r\n']) {
      client.process.stdin.write(garbage);
      // vscode-jsonrpc drops a bad header and resumes reading at the next chunk from the client,
      // so a request in the same chunk may wait for the next one: ask again until answered.
      let answered = false;
      for (let attempt = 0; attempt < 10 && !answered; attempt++) {
        const reply = client.request('textDocument/hover', hoverParams).then((hover) => {
          expect(hover).toBeNull();
          return true;
        });
        answered = await Promise.race([reply, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500))]);
      }
      expect(answered, `no answer after ${JSON.stringify(garbage)}`).toBe(true);
      expect(client.process.exitCode).toBeNull();
    }
  });

  it('answers a request with malformed params with an error response and keeps serving', async () => {
    await expect(client.request('textDocument/hover', {})).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('textDocument/codeAction', { textDocument: { uri: 'file:///nowhere.test.ts' } })).rejects.toMatchObject({ code: -32602 });
    // A document the server does not know has no actions.
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    expect(await client.request('textDocument/codeAction', { textDocument: { uri: 'file:///nowhere.test.ts' }, range, context: { diagnostics: [] } })).toEqual([]);
    // Unknown methods are answered by the protocol layer.
    await expect(client.request('flakelens/noSuchMethod', {})).rejects.toMatchObject({ code: -32601 });
    // A notification with nonsense params is logged, not fatal.
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: 'not a uri', type: 99 }, { uri: 42 }] });
    const okUri = uriOf(path.join(root, 'ok.test.ts'));
    const mark = client.mark();
    await client.open(path.join(root, 'ok.test.ts'), FOCUSED, 7);
    const published = await client.waitForDiagnostics(okUri, (p) => p.version === 7, { after: mark });
    expect(ruleDiagnostics(published, 'focused-test')).toHaveLength(1);
  });

  it('skips an oversized or binary test file with one Information diagnostic at line 0', () => {
    for (const name of ['big.test.ts', 'binary.test.ts']) {
      const published = client.published(uriOf(path.join(root, name))).at(-1)!;
      expect(published.diagnostics).toHaveLength(1);
      expect(published.diagnostics[0]).toMatchObject({ severity: 3, source: 'flakelens', range: { start: { line: 0, character: 0 } } });
      expect(published.diagnostics[0]!.message).toMatch(/did not analyse this file: .*(maxFileSize|binary)/);
    }
  });

  it('analyses a file with syntax errors as far as it parses and logs a note', async () => {
    const text = `import { it } from 'vitest';\nit.only('broken', () => {\n  const x = ;\n`;
    const published = client.published(uriOf(path.join(root, 'broken.test.ts'))).at(-1)!;
    expect(published.diagnostics.map((d) => d.range.start)).toEqual([positionOf(text, 'only')]);
    expect(client.messages.some((m) => m.method === 'window/logMessage' && m.params.message.includes('broken.test.ts') && m.params.message.includes('syntax error'))).toBe(true);
    expect(await client.shutdown()).toBe(0);
  });
});

describe('multi-root', () => {
  let outer: string;
  let client: LspClient;

  beforeAll(async () => {
    outer = tempWorkspace({
      'app/a.test.ts': FOCUSED,
      // The nested folder turns the rule off; its file must use the nested (longest) root's settings.
      'app/nested/flakelens.config.json': `{ "rules": { "focused-test": "off" } }`,
      'app/nested/b.test.ts': FOCUSED,
      'loose/package.json': `{ "name": "loose", "flakelens": { "rules": { "focused-test": "hint" } } }`,
      'loose/sub/c.test.ts': FOCUSED,
    });
    client = await LspClient.start({ root: path.join(outer, 'app'), capabilities: defaultCapabilities() });
    await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: [{ uri: uriOf(path.join(outer, 'app/nested')), name: 'nested' }], removed: [] },
    });
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(outer);
  });

  it('picks the workspace with the longest root for a file', async () => {
    const mark = client.mark();
    await client.open(path.join(outer, 'app/a.test.ts'), FOCUSED, 1);
    await client.open(path.join(outer, 'app/nested/b.test.ts'), FOCUSED, 1);
    const a = await client.waitForDiagnostics(uriOf(path.join(outer, 'app/a.test.ts')), (p) => p.version === 1, { after: mark });
    const b = await client.waitForDiagnostics(uriOf(path.join(outer, 'app/nested/b.test.ts')), (p) => p.version === 1, { after: mark });
    expect(ruleDiagnostics(a, 'focused-test')).toHaveLength(1);
    expect(b.diagnostics).toEqual([]);
  });

  it('roots a file outside every folder at the nearest package.json', async () => {
    const mark = client.mark();
    const file = path.join(outer, 'loose/sub/c.test.ts');
    await client.open(file, FOCUSED, 1);
    const c = await client.waitForDiagnostics(uriOf(file), (p) => p.version === 1, { after: mark });
    expect(c.diagnostics.map((d) => [d.code, d.severity])).toEqual([['focused-test', 4]]);
    expect(await client.shutdown()).toBe(0);
  });
});
