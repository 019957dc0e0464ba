import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, removeWorkspace, ruleDiagnostics, tempWorkspace, uriOf } from './lspClient.js';

const testText = (name: string) => `import { it } from 'vitest';\nit.only('${name}', () => {});\n`;

/**
 * The real server with its real (chokidar) watcher: a checkout or a generator creating many files in new nested
 * directories, a tree renamed into place, and a directory renamed away. Every new file gets its diagnostics and every
 * file that went away is cleared. (The deterministic version, with a watcher that loses events, is
 * test/workspace/watcher-reconcile.test.ts.)
 */
describe('bulk changes on disk through the real watcher', () => {
  let root: string;
  let client: LspClient;

  beforeAll(async () => {
    root = tempWorkspace({ 'tests/first.test.ts': testText('first') });
    client = await LspClient.start({ root });
    await client.waitFor('window/logMessage', (p) => p.message.startsWith('file watcher ready'), { timeoutMs: 120_000 });
    await client.waitFor('$/progress', (p) => p.value.kind === 'end', { timeoutMs: 120_000 });
  }, 240_000);
  afterAll(async () => {
    await client?.dispose();
    removeWorkspace(root);
  });

  const focused = (file: string) => {
    const last = client.published(uriOf(file)).at(-1);
    return last !== undefined && ruleDiagnostics(last, 'focused-test').length === 1;
  };
  /** Every file's latest publication satisfies `ok`; woken by each publication, bounded by the timeout. */
  const allPublished = async (files: string[], ok: (file: string) => boolean, timeoutMs = 120_000) => {
    const pending = () => files.filter((f) => !ok(f));
    const deadline = Date.now() + timeoutMs;
    while (pending().length > 0 && Date.now() < deadline) {
      await client.waitFor('textDocument/publishDiagnostics', () => true, { after: client.mark(), timeoutMs: Math.max(1, deadline - Date.now()) }).catch(() => undefined);
    }
    expect(pending()).toEqual([]);
  };

  it('analyses every file of new nested directories (mkdir -p, many files at once) and of a tree renamed into place', async () => {
    const created: string[] = [];
    for (let d = 0; d < 4; d++) {
      for (let e = 0; e < 3; e++) {
        const dir = path.join(root, 'tests', 'bulk', `d${d}`, `e${e}`);
        fs.mkdirSync(path.join(dir, 'deep'), { recursive: true });
        for (let f = 0; f < 4; f++) {
          for (const sub of ['', 'deep']) {
            const file = path.join(dir, sub, `f${f}.test.ts`);
            fs.writeFileSync(file, testText(`${d}-${e}-${sub}-${f}`));
            created.push(file);
          }
        }
      }
    }
    // What git checkout or a generator does: write elsewhere, rename the whole tree in.
    const staging = fs.mkdtempSync(path.join(root, '..', '.tmp-lsp-staging-'));
    for (let i = 0; i < 12; i++) {
      const rel = path.join(`p${i % 3}`, i % 2 ? 'nested' : '', `g${i}.test.ts`);
      fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
      fs.writeFileSync(path.join(staging, rel), testText(`g${i}`));
      created.push(path.join(root, 'tests', 'generated', rel));
    }
    fs.renameSync(staging, path.join(root, 'tests', 'generated'));
    expect(created).toHaveLength(108);
    await allPublished(created, focused);
  }, 180_000);

  it('clears the files of a directory renamed away and analyses them under their new names', async () => {
    const from = path.join(root, 'tests', 'bulk', 'd0');
    const to = path.join(root, 'tests', 'moved-d0');
    const before = fs.readdirSync(from, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    expect(before).toHaveLength(24);
    fs.renameSync(from, to);
    await allPublished(before, (file) => client.published(uriOf(file)).at(-1)?.diagnostics.length === 0);
    await allPublished(before.map((f) => path.join(to, path.relative(from, f))), focused);
    expect(focused(path.join(root, 'tests', 'first.test.ts'))).toBe(true);
    expect(await client.shutdown()).toBe(0);
  }, 180_000);
});
