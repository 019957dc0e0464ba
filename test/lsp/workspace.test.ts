import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf, writeFile } from './lspClient.js';

const RUNNER_HELPER = `export { it } from 'vitest';\n`;
const LOCAL_HELPER = `export function it(name: string, fn: () => void): void {\n  void name;\n  fn();\n}\nit.only = it;\n`;
const USES_HELPER = `import { it } from './support/runner';\nit.only('checkout', () => {});\n`;

describe('changes outside the editor', () => {
  let root: string;
  let client: LspClient;
  let testUri: string;

  beforeAll(async () => {
    root = tempWorkspace({ 'support/runner.ts': RUNNER_HELPER, 'checkout.test.ts': USES_HELPER });
    testUri = uriOf(path.join(root, 'checkout.test.ts'));
    client = await LspClient.start({ root });
    await client.waitFor('window/logMessage', (p) => p.message.startsWith('file watcher ready'));
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('resolves the runner through the helper module on the first analysis', () => {
    expect(ruleDiagnostics(client.published(testUri).at(-1)!, 'focused-test')).toHaveLength(1);
  });

  it('re-publishes the importing test when the helper changes on disk', async () => {
    let mark = client.mark();
    writeFile(root, 'support/runner.ts', LOCAL_HELPER);
    // The helper's own `it` is not a test runner, so `.only` on it is no finding.
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 0, { after: mark });
    mark = client.mark();
    writeFile(root, 'support/runner.ts', RUNNER_HELPER);
    await client.waitForDiagnostics(testUri, (p) => ruleDiagnostics(p, 'focused-test').length === 1, { after: mark });
  });

  it('handles a client didChangeWatchedFiles for a change the watcher already delivered only once', async () => {
    const mark = client.mark();
    const helper = writeFile(root, 'support/runner.ts', LOCAL_HELPER);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 0, { after: mark });
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(helper), type: 2 }] });
    // A later, different change is the sync point: the client's report has been handled by then.
    const mark2 = client.mark();
    // Order matters: no intermediate state has zero findings.
    writeFile(root, 'support/runner.ts', RUNNER_HELPER);
    writeFile(root, 'checkout.test.ts', `${USES_HELPER}it.only('again', () => {});\n`);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 2, { after: mark2 });
    // The duplicate report caused no extra analysis between the two real changes.
    expect(client.messages.slice(mark).filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === testUri && m.params.diagnostics.length === 0)).toHaveLength(1);
    writeFile(root, 'checkout.test.ts', USES_HELPER);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 1, { after: client.mark() });
  });

  it('publishes a test file created on disk and clears it when deleted', async () => {
    const uri = uriOf(path.join(root, 'generated.test.ts'));
    let mark = client.mark();
    const file = writeFile(root, 'generated.test.ts', `import { test } from 'vitest';\ntest.only('gen', () => {});\n`);
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 1, { after: mark });
    mark = client.mark();
    fs.rmSync(file);
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, { after: mark });
  });

  it('applies a flakelens.config.json change to every test file', async () => {
    let mark = client.mark();
    const config = writeFile(root, 'flakelens.config.json', `{ "rules": { "focused-test": "warning" } }`);
    const warned = await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 1 && p.diagnostics[0]!.severity === 2, { after: mark });
    expect(warned.diagnostics[0]!.code).toBe('focused-test');
    mark = client.mark();
    fs.rmSync(config);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 1 && p.diagnostics[0]!.severity === 1, { after: mark });
  });

  it('re-analyses importing tests when an open helper buffer changes, and again when it closes', async () => {
    const helper = path.join(root, 'support/runner.ts');
    let mark = client.mark();
    await client.open(helper, RUNNER_HELPER, 1);
    await client.change(helper, LOCAL_HELPER, 2);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 0, { after: mark });
    expect(client.published(uriOf(helper))).toEqual([]); // helpers get no diagnostics
    mark = client.mark();
    await client.close(helper);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 1, { after: mark });
  });

  it('ignores changes under node_modules', async () => {
    const mark = client.mark();
    writeFile(root, 'node_modules/dep/index.test.ts', `import { it } from 'vitest';\nit.only('x', () => {});\n`);
    // Sync point: a real change after it.
    writeFile(root, 'support/runner.ts', LOCAL_HELPER);
    await client.waitForDiagnostics(testUri, (p) => p.diagnostics.length === 0, { after: mark });
    expect(client.published(uriOf(path.join(root, 'node_modules/dep/index.test.ts')))).toEqual([]);
    expect(await client.shutdown()).toBe(0);
  });
});

describe('settings from the client', () => {
  let root: string;
  let client: LspClient;
  let settings: Record<string, unknown> = {};

  beforeAll(async () => {
    root = tempWorkspace({ 'a.test.ts': `import { it } from 'vitest';\nit.only('a', () => {});\n` });
    client = await LspClient.start({
      root,
      // initializationOptions sit below workspace/configuration.
      initializationOptions: { rules: { 'focused-test': 'hint' } },
      configuration: (items) => items.map((item) => (item.section === 'flakelens' ? settings : null)),
    });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end');
  });
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  it('applies initializationOptions and pulls workspace/configuration per folder', () => {
    const uri = uriOf(path.join(root, 'a.test.ts'));
    expect(client.published(uri).at(-1)!.diagnostics.map((d) => d.severity)).toEqual([4]);
    const pull = client.requestsFromServer.find((r) => r.method === 'workspace/configuration');
    expect(pull?.params.items).toEqual([{ scopeUri: uriOf(root), section: 'flakelens' }]);
    expect(client.requestsFromServer.some((r) => r.method === 'client/registerCapability' && r.params.registrations[0].method === 'workspace/didChangeConfiguration')).toBe(true);
  });

  it('turns a rule off on didChangeConfiguration and reports a bad option once', async () => {
    const uri = uriOf(path.join(root, 'a.test.ts'));
    settings = { rules: { 'focused-test': 'off' }, debounce: 5 };
    let mark = client.mark();
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, { after: mark });
    const warning = await client.waitFor('window/showMessage', () => true, { after: mark });
    expect(warning.type).toBe(2);
    expect(warning.message).toContain('unknown option "debounce"');

    settings = { rules: { 'focused-test': 'error' }, debounce: 5 };
    mark = client.mark();
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 1 && p.diagnostics[0]!.severity === 1, { after: mark });
    expect(client.messages.filter((m) => m.method === 'window/showMessage')).toHaveLength(1);
    expect(await client.shutdown()).toBe(0);
  });
});
