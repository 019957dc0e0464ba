import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connection, Diagnostic, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { RULES } from '../../server/src/rules/index.js';
import { DiagnosticsService } from '../../server/src/lsp/diagnostics.js';
import { Scheduler } from '../../server/src/lsp/scheduler.js';
import type { Settings } from '../../server/src/lsp/configuration.js';
import { Workspaces } from '../../server/src/workspace/workspaces.js';
import { WorkspaceWatcher, type WatchSource } from '../../server/src/workspace/watcher.js';

/**
 * The server's handling of changes on disk (watcher -> DiagnosticsService.filesChanged -> workspaces -> published
 * diagnostics), with chokidar replaced by a scripted source that behaves like chokidar on Linux at its worst: a
 * directory created during a burst is reported (addDir), but files written into it before its inotify watch exists
 * are not, and a deleted directory is reported once (unlinkDir) without its files. Every file must still be analysed
 * (and every deleted one cleared): that only happens through the watcher's reconcile scan.
 */
class LossySource extends EventEmitter implements WatchSource {
  /** Every event this source emitted, to prove the files under test were never reported by it. */
  readonly emitted: Array<[string, string]> = [];

  constructor() {
    super();
    setImmediate(() => this.emit('ready'));
  }

  report(event: 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir', file: string): void {
    this.emitted.push([event, file]);
    this.emit(event, file);
  }

  add(): void {}
  unwatch(): void {}
  async close(): Promise<void> {}
}

const REPO = path.resolve(__dirname, '../..');
// Under the repository, so `vitest` resolves from its node_modules as in a real workspace.
const root = fs.mkdtempSync(path.join(REPO, 'test/fixtures/.tmp-watch-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const testText = (name: string) => `import { it } from 'vitest';\nit.only('${name}', () => {});\n`;

function harness() {
  const published = new Map<string, Diagnostic[]>();
  const connection = {
    sendDiagnostics: async (p: { uri: string; diagnostics: Diagnostic[] }) => {
      published.set(p.uri, p.diagnostics);
    },
    sendNotification: async () => {},
    languages: { diagnostics: { refresh: async () => {} } },
  } as unknown as Connection;
  const documents = { get: () => undefined, all: () => [] } as unknown as TextDocuments<TextDocument>;
  const workspaces = new Workspaces(RULES);
  workspaces.setFolders([root]);
  const scheduler = new Scheduler((key, error) => {
    throw new Error(`analysis of ${key} failed: ${String(error)}`);
  });
  const logs: string[] = [];
  const diagnostics = new DiagnosticsService({
    connection,
    documents,
    workspaces,
    scheduler,
    settings: { reportProblems: () => {} } as unknown as Settings,
    log: (m) => logs.push(m),
    pullMode: false,
    refreshSupport: false,
  });
  const source = new LossySource();
  const watcher = new WorkspaceWatcher((changes) => diagnostics.filesChanged(changes), { coalesceMs: 10, settleMs: 50, source: () => source, log: (m) => logs.push(m) });
  const focusedAt = (file: string) => published.get(pathToFileURL(file).href)?.some((d) => d.code === 'focused-test') === true;
  /** Waits until the watcher has delivered and reconciled everything and every analysis it caused has run. */
  const settled = async () => {
    while (!(watcher.idle && scheduler.idle)) await new Promise<void>((resolve) => setTimeout(resolve, 5));
  };
  const dispose = async () => {
    await watcher.close();
    diagnostics.dispose();
    scheduler.dispose();
    workspaces.dispose();
  };
  return { published, source, watcher, focusedAt, settled, logs, dispose };
}

describe('watcher reconcile with a source that loses events in new directories', () => {
  it('analyses every file written into new nested directories, moved in as a tree, or in an existing directory; clears every file of a deleted directory', async () => {
    const h = harness();
    fs.mkdirSync(path.join(root, 'tests'), { recursive: true });
    await h.watcher.watch([root]);
    try {
      const expected: string[] = [];
      // mkdir -p tests/gen/gN/a/b/c, then files at every level, all before the source reports anything.
      const newDirs: string[] = [];
      for (let g = 0; g < 2; g++) {
        const deepest = path.join(root, 'tests', 'gen', `g${g}`, 'a', 'b', 'c');
        fs.mkdirSync(deepest, { recursive: true });
        for (let dir = deepest; dir !== path.join(root, 'tests'); dir = path.dirname(dir)) if (!newDirs.includes(dir)) newDirs.push(dir);
        for (let dir = deepest, level = 0; level < 4; dir = path.dirname(dir), level++) {
          for (let f = 0; f < 4; f++) {
            const file = path.join(dir, `l${level}f${f}.test.ts`);
            fs.writeFileSync(file, testText(`${g}-${level}-${f}`));
            expected.push(file);
          }
        }
      }
      // git checkout / a generator writing to a temporary directory and renaming the tree into place.
      const staging = fs.mkdtempSync(path.join(root, '..', '.tmp-watch-staging-'));
      fs.mkdirSync(path.join(staging, 'deep', 'er'), { recursive: true });
      const moved: string[] = [];
      for (const rel of ['m1.test.ts', 'deep/m2.test.ts', 'deep/er/m3.test.ts']) {
        fs.writeFileSync(path.join(staging, rel), testText(rel));
        moved.push(path.join(root, 'tests', 'checkout', rel));
      }
      fs.renameSync(staging, path.join(root, 'tests', 'checkout'));
      expected.push(...moved);
      // A file in a directory that was already watched: the source reports it as usual.
      const plain = path.join(root, 'tests', 'plain.test.ts');
      fs.writeFileSync(plain, testText('plain'));
      expected.push(plain);

      // What the source says about that burst: the new directories (top-down), the moved tree's top only, the plain file.
      for (const dir of newDirs.sort()) h.source.report('addDir', dir);
      h.source.report('addDir', path.join(root, 'tests', 'checkout'));
      h.source.report('add', plain);

      await h.settled();
      expect(expected.filter((f) => !h.focusedAt(f))).toEqual([]);
      // Nothing but the plain file was reported by the source: the rest was found by the reconcile.
      expect(h.source.emitted.filter(([event]) => event === 'add').map(([, file]) => file)).toEqual([plain]);
      expect(h.logs.some((m) => /found \d+ file change\(s\) the watcher had not reported/.test(m))).toBe(true);

      // rm -rf tests/gen: the source reports the top directory only.
      const gone = expected.filter((f) => f.startsWith(path.join(root, 'tests', 'gen') + path.sep));
      fs.rmSync(path.join(root, 'tests', 'gen'), { recursive: true, force: true });
      h.source.report('unlinkDir', path.join(root, 'tests', 'gen'));
      await h.settled();
      expect(gone.filter(h.focusedAt)).toEqual([]);
      expect(h.focusedAt(plain)).toBe(true);
      expect(moved.every(h.focusedAt)).toBe(true);
    } finally {
      await h.dispose();
    }
  }, 120_000);
});
