import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, removeWorkspace, tempWorkspace, uriOf, writeFile } from './lspClient.js';

const config = (restoreMocks: boolean): string =>
  `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { restoreMocks: ${restoreMocks}, include: ['unit/**/*.test.ts'] } });\n`;
const TEST = `import { expect, it } from 'vitest';\nit('adds', () => {\n  expect(1 + 1).toBe(2);\n});\n`;

interface ExplainReply {
  runnerConfig: { configFile?: string; restoreMocks: { kind: string; value?: unknown } };
}

describe('runner config changes', () => {
  let root: string;
  let client: LspClient;
  let unitUri: string;
  let otherUri: string;

  beforeAll(async () => {
    root = tempWorkspace({
      'vitest.config.ts': config(false),
      'unit/cart.test.ts': TEST,
      // Governed by its own config: a change to the root config must not re-analyse it.
      'other/vitest.config.ts': `export default { test: { clearMocks: true } };\n`,
      'other/jobs.test.ts': TEST,
    });
    unitUri = uriOf(path.join(root, 'unit/cart.test.ts'));
    otherUri = uriOf(path.join(root, 'other/jobs.test.ts'));
    client = await LspClient.start({ root });
    // Generous waits: the first program build is slow on a loaded machine; nothing here measures time.
    await client.waitFor('window/logMessage', (p) => p.message.startsWith('file watcher ready'), { timeoutMs: 100_000 });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end', { timeoutMs: 100_000 });
  }, 240_000);
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  const explain = (uri: string): Promise<ExplainReply> => client.request<ExplainReply>('flakelens/explain', { textDocument: { uri } });

  it('answers flakelens/explain with the governing config', async () => {
    const unit = await explain(unitUri);
    expect(unit.runnerConfig.configFile).toBe(path.join(root, 'vitest.config.ts'));
    expect(unit.runnerConfig.restoreMocks).toMatchObject({ kind: 'known', value: false });
    expect((await explain(otherUri)).runnerConfig.configFile).toBe(path.join(root, 'other/vitest.config.ts'));
  }, 60_000);

  it('re-reads a vitest config changed on disk and re-analyses only the files it governs', async () => {
    const mark = client.mark();
    writeFile(root, 'vitest.config.ts', config(true));
    await client.waitFor('window/logMessage', (p) => p.message.startsWith('files changed on disk: re-analysing'), { after: mark, timeoutMs: 60_000 });
    const log = client.messages.slice(mark).find((m) => m.method === 'window/logMessage' && m.params.message.startsWith('files changed on disk'));
    expect(log!.params.message).toBe('files changed on disk: re-analysing 1 test file(s)');
    await client.waitForDiagnostics(unitUri, () => true, { after: mark, timeoutMs: 60_000 });
    expect((await explain(unitUri)).runnerConfig.restoreMocks).toMatchObject({ kind: 'known', value: true });
  }, 120_000);

  it('an unsaved config buffer wins over disk and re-analyses the governed file', async () => {
    const file = path.join(root, 'vitest.config.ts');
    const mark = client.mark();
    await client.open(file, config(true));
    await client.change(file, config(false), 2);
    await client.waitForDiagnostics(unitUri, () => true, { after: mark, timeoutMs: 60_000 });
    expect((await explain(unitUri)).runnerConfig.restoreMocks).toMatchObject({ kind: 'known', value: false });
    await client.close(file);
    expect((await explain(unitUri)).runnerConfig.restoreMocks).toMatchObject({ kind: 'known', value: true });
  }, 120_000);
});
