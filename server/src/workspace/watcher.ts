import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ALWAYS_IGNORED_DIRS } from '../config/schema.js';
import { RESULTS_DIR, RESULTS_FILE } from '../verify/results.js';

export type FileChangeKind = 'created' | 'changed' | 'deleted';

export interface FileChange {
  file: string;
  kind: FileChangeKind;
}

export interface WatcherOptions {
  /** Events arriving within this window are delivered as one batch (git checkout touches many files at once). */
  coalesceMs?: number;
  log?: (message: string) => void;
}

/** Not watched: never analysed, plus usual build output (a change there is rarely a test edit, and watching it is costly). */
const IGNORED_DIRS = new Set([...ALWAYS_IGNORED_DIRS, 'dist', 'coverage', '.next', '.turbo', '.cache']);

const VERIFY_DIR = RESULTS_DIR;
const VERIFY_RESULTS = path.join(RESULTS_DIR, RESULTS_FILE);

/** What a file looks like on disk now; equal signatures mean a change was already delivered. */
function signatureOf(file: string): string {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : 'not-a-file';
  } catch {
    return 'deleted';
  }
}

/**
 * Watches workspace roots for changes made outside the editor (git checkout, codegen, formatters)
 * and delivers them in coalesced batches. Changes reported by the client (workspace/didChangeWatchedFiles)
 * go through `notify`, and both sources are deduplicated against the file's state on disk.
 */
export class WorkspaceWatcher {
  private watcher: FSWatcher | undefined;
  private readonly roots = new Set<string>();
  private readonly pending = new Map<string, FileChangeKind>();
  private readonly delivered = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  /** Directories created since the last flush: scanned, since files written into them early are not reported. */
  private readonly newDirectories = new Set<string>();
  private readonly rescans = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly coalesceMs: number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly onChanges: (changes: FileChange[]) => void,
    options: WatcherOptions = {},
  ) {
    this.coalesceMs = options.coalesceMs ?? 50;
    this.log = options.log ?? (() => {});
  }

  /** Starts watching the roots; resolves once the initial scan is done (events before that are not reported). */
  async watch(roots: string[]): Promise<void> {
    const fresh = roots.map((r) => path.resolve(r)).filter((r) => !this.roots.has(r));
    if (this.closed || fresh.length === 0) return;
    for (const root of fresh) this.roots.add(root);
    if (!this.watcher) {
      this.watcher = watch(fresh, {
        ignoreInitial: true,
        persistent: true,
        followSymlinks: false,
        ignored: (p: string) => this.isIgnored(p),
      });
      this.watcher.on('add', (p) => this.record(p, 'created'));
      this.watcher.on('change', (p) => this.record(p, 'changed'));
      this.watcher.on('unlink', (p) => this.record(p, 'deleted'));
      // chokidar attaches to a new directory only after it appeared: files written into it (and into directories
      // below it) before that are never reported. A new directory is scanned after the burst instead.
      this.watcher.on('addDir', (p) => this.recordDirectory(p));
      this.watcher.on('error', (error) => this.log(`file watcher error: ${(error as Error).message ?? String(error)}`));
      const watcher = this.watcher;
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    } else {
      this.watcher.add(fresh);
      // chokidar has no per-add ready event; the scan of added roots completes shortly after.
    }
  }

  unwatch(root: string): void {
    const abs = path.resolve(root);
    if (!this.roots.delete(abs)) return;
    void this.watcher?.unwatch(abs);
  }

  /** Changes reported by the client; deduplicated with the watcher's own events. */
  notify(changes: FileChange[]): void {
    for (const change of changes) this.record(change.file, change.kind);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.rescans) clearTimeout(t);
    this.rescans.clear();
    this.pending.clear();
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }

  /** node_modules, .git and build output below a root are never watched (of .flakelens, only verify.json is). */
  isIgnored(file: string): boolean {
    const abs = path.resolve(file);
    let bestRoot: string | undefined;
    for (const root of this.roots) {
      const rel = path.relative(root, abs);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (!bestRoot || root.length > bestRoot.length) bestRoot = root;
    }
    if (bestRoot === undefined) return false;
    const rel = path.relative(bestRoot, abs);
    // The one file of .flakelens the server reads: verify results (the directory is watched for it alone).
    if (rel === VERIFY_DIR || rel === VERIFY_RESULTS) return false;
    return rel !== '' && rel.split(path.sep).some((segment) => IGNORED_DIRS.has(segment));
  }

  private record(file: string, kind: FileChangeKind): void {
    if (this.closed) return;
    const abs = path.resolve(file);
    if (this.isIgnored(abs)) return;
    this.pending.set(abs, kind);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
  }

  private recordDirectory(dir: string): void {
    if (this.closed) return;
    const abs = path.resolve(dir);
    if (this.isIgnored(abs)) return;
    this.newDirectories.add(abs);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
  }

  /** Every file below new directories (ignored directories skipped) becomes a `created` event unless already delivered. */
  private scanDirectories(dirs: Iterable<string>): void {
    const stack = [...dirs];
    const seen = new Set<string>();
    while (stack.length) {
      const dir = stack.pop()!;
      if (seen.has(dir)) continue;
      seen.add(dir);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (this.isIgnored(full)) continue;
        if (entry.isDirectory()) stack.push(full);
        else if (entry.isFile() && !this.pending.has(full) && !this.delivered.has(full)) this.pending.set(full, 'created');
      }
    }
  }

  private flush(): void {
    this.timer = undefined;
    if (this.newDirectories.size) {
      const dirs = [...this.newDirectories];
      this.newDirectories.clear();
      this.scanDirectories(dirs);
      // A burst may still be writing into them: look once more after it settles.
      const later = setTimeout(() => {
        this.rescans.delete(later);
        if (this.closed) return;
        this.scanDirectories(dirs);
        if (this.pending.size && !this.timer) this.timer = setTimeout(() => this.flush(), 0);
      }, this.coalesceMs * 10);
      this.rescans.add(later);
    }
    const changes: FileChange[] = [];
    for (const [file, kind] of this.pending) {
      const signature = signatureOf(file);
      if (signature === 'not-a-file') continue;
      if (this.delivered.get(file) === signature) continue;
      this.delivered.set(file, signature);
      changes.push({ file, kind: signature === 'deleted' ? 'deleted' : kind });
    }
    this.pending.clear();
    if (changes.length === 0) return;
    try {
      this.onChanges(changes);
    } catch (error) {
      this.log(`handling file changes failed: ${(error as Error).stack ?? String(error)}`);
    }
  }
}
