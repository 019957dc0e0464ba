import { afterAll, describe, expect, it } from 'vitest';
import { LspClient, removeWorkspace, tempWorkspace, uriOf, defaultCapabilities } from './lspClient.js';

const FOCUSED = `import { it } from 'vitest';\nit.only('saves', () => {});\n`;

describe('lifecycle', () => {
  const roots: string[] = [];
  const clients: LspClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    roots.forEach(removeWorkspace);
  });

  it('initialize advertises the capabilities; shutdown then exit ends with code 0', async () => {
    const root = tempWorkspace({ 'a.test.ts': FOCUSED });
    roots.push(root);
    const client = await LspClient.start({ root });
    clients.push(client);
    const { capabilities, serverInfo } = client.initializeResult;
    expect(serverInfo?.name).toBe('flakelens');
    expect(capabilities.hoverProvider).toBe(true);
    expect(capabilities.codeActionProvider).toEqual({ codeActionKinds: ['quickfix'] });
    expect(capabilities.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    // A push client gets no pull provider.
    expect(capabilities.diagnosticProvider).toBeUndefined();
    expect(await client.shutdown()).toBe(0);
  });

  it('exit without shutdown ends with code 1', async () => {
    const root = tempWorkspace({ 'a.test.ts': FOCUSED });
    roots.push(root);
    const client = await LspClient.start({ root, capabilities: defaultCapabilities({ window: {} }) });
    clients.push(client);
    await client.connection.sendNotification('exit');
    expect(await client.exitCode()).toBe(1);
  });

  it('reports workDoneProgress during the first workspace analysis and publishes every test file', async () => {
    const root = tempWorkspace({
      'a.test.ts': FOCUSED,
      'b.test.ts': `import { it } from 'vitest';\nit('fine', () => {});\n`,
      'src/helper.ts': `export const x = 1;\n`,
      'node_modules/pkg/c.test.ts': FOCUSED,
    });
    roots.push(root);
    const client = await LspClient.start({ root });
    clients.push(client);
    const created = await client.waitFor('request:window/workDoneProgress/create');
    const token = created.token;
    const begin = await client.waitFor('$/progress', (p) => p.token === token && p.value.kind === 'begin');
    expect(begin.value.title).toBe('flakelens');
    // Shown before the (slow, on large workspaces) listing and project loading.
    expect(begin.value.message).toBe('Finding test files');
    await client.waitFor('$/progress', (p) => p.token === token && p.value.kind === 'end');
    const reports = client.messages.filter((m) => m.method === '$/progress' && m.params.token === token && m.params.value.kind === 'report');
    expect(reports[0]!.params.value.message).toContain('2 test files');
    expect(reports.map((r) => r.params.value.percentage)).toEqual([0, 50, 100]);

    const a = await client.waitForDiagnostics(uriOf(`${root}/a.test.ts`));
    expect(a.diagnostics.map((d) => d.code)).toEqual(['focused-test']);
    expect(a.diagnostics[0]).toMatchObject({ source: 'flakelens', severity: 1, codeDescription: { href: expect.stringContaining('docs/rules/focused-test.md') } });
    const b = await client.waitForDiagnostics(uriOf(`${root}/b.test.ts`));
    expect(b.diagnostics).toEqual([]);
    // Neither helpers nor node_modules are published.
    expect(client.published(uriOf(`${root}/src/helper.ts`))).toEqual([]);
    expect(client.published(uriOf(`${root}/node_modules/pkg/c.test.ts`))).toEqual([]);
    expect(await client.shutdown()).toBe(0);
  });
});
