import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch } from 'chokidar';
import { ALWAYS_IGNORED_DIRS } from '../config/schema.js';
import { RESULTS_DIR, RESULTS_FILE } from '../verify/results.js';

export type FileChangeKind = 'created' | 'changed' | 'deleted';

export interface FileChange {
  file: string;
  kind: FileChangeKind;
}

/**
 * Where file system events come from: chokidar by default; tests script it. Events: add, change, unlink (files),
 * addDir, unlinkDir, error, and ready once the initial scan of the first roots is done.
 */
export interface WatchSource {
  on(event: 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir', listener: (file: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  add(paths: string[]): unknown;
  unwatch(path: string): unknown;
  close(): Promise<void>;
  /** Each watched directory with the names of the entries the source knows in it (chokidar's getWatched). */
  getWatched?(): Record<string, string[]>;
}

export type WatchSourceFactory = (roots: string[], ignored: (file: string) => boolean) => WatchSource;

const chokidarSource: WatchSourceFactory = (roots, ignored) => watch(roots, { ignoreInitial: true, persistent: true, followSymlinks: false, ignored });

export interface WatcherOptions {
  /** Events arriving within this window are delivered as one batch (git checkout touches many files at once). */
  coalesceMs?: number;
  /**
   * A burst that created directories is reconciled with a scan of them once no event came for this long (default
   * 10 x coalesceMs), and at the latest `maxWaitMs` after the burst began (a steady stream must not starve it).
   */
  settleMs?: number;
  maxWaitMs?: number;
  source?: WatchSourceFactory;
  log?: (message: string) => void;
}

/**
 * A directory whose mtime is within this of the start of the initial scan may have changed during it (the kernel's
 * file times are coarser than Date.now, and the clocks may differ by a tick).
 */
const MTIME_SLACK_MS = 2000;

/** A reconcile that still finds missed files looks again after the next quiet period, this many times at most. */
const MAX_RECONCILES_PER_BURST = 5;

/** Not watched: never analysed, plus usual build output (a change there is rarely a test edit, and watching it is costly). */
const IGNORED_DIRS = new Set([...ALWAYS_IGNORED_DIRS, 'dist', 'coverage', '.next', '.turbo', '.cache']);

const VERIFY_DIR = RESULTS_DIR;
const VERIFY_RESULTS = path.join(RESULTS_DIR, RESULTS_FILE);

/** A directory's entries; none when it is gone or unreadable (it may vanish while it is scanned). */
function entriesOf(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

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
  private source: WatchSource | undefined;
  private readonly roots = new Set<string>();
  private readonly pending = new Map<string, FileChangeKind>();
  private readonly delivered = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  /**
   * Directories created during the current burst. chokidar reads a new directory and only then watches it (on Linux,
   * an inotify watch per directory): files written into it (or into directories below it) in between are never
   * reported, and under load its throttled re-reads can drop more. Once the burst settles they are scanned.
   */
  private readonly burstDirectories = new Set<string>();
  private burstStarted = 0;
  private reconciles = 0;
  private reconcileTimer: NodeJS.Timeout | undefined;
  /** Files a scan made pending since the last flush (not reported by the source at that point). */
  private readonly scanned = new Set<string>();
  private closed = false;
  private readonly coalesceMs: number;
  private readonly settleMs: number;
  private readonly maxWaitMs: number;
  private readonly createSource: WatchSourceFactory;
  private readonly log: (message: string) => void;

  constructor(
    private readonly onChanges: (changes: FileChange[]) => void,
    options: WatcherOptions = {},
  ) {
    this.coalesceMs = options.coalesceMs ?? 50;
    this.settleMs = options.settleMs ?? this.coalesceMs * 10;
    this.maxWaitMs = options.maxWaitMs ?? Math.max(this.settleMs * 10, 5000);
    this.createSource = options.source ?? chokidarSource;
    this.log = options.log ?? (() => {});
  }

  /** Starts watching the roots; resolves once the initial scan is done (events before that are not reported). */
  async watch(roots: string[]): Promise<void> {
    const fresh = roots.map((r) => path.resolve(r)).filter((r) => !this.roots.has(r));
    if (this.closed || fresh.length === 0) return;
    for (const root of fresh) this.roots.add(root);
    if (!this.source) {
      const scanStarted = Date.now();
      const source = this.createSource(fresh, (p: string) => this.isIgnored(p));
      this.source = source;
      source.on('add', (p) => this.record(p, 'created'));
      source.on('change', (p) => this.record(p, 'changed'));
      source.on('unlink', (p) => this.record(p, 'deleted'));
      source.on('addDir', (p) => this.recordDirectory(p));
      // Delivered as a deleted path: the consumer drops whatever it knows below it (files whose own unlink was lost,
      // or that were found by a scan and never known to the source).
      source.on('unlinkDir', (p) => this.record(p, 'deleted'));
      source.on('error', (error) => this.log(`file watcher error: ${(error as Error).message ?? String(error)}`));
      await new Promise<void>((resolve) => source.once('ready', () => resolve()));
      this.catchUpWithInitialScan(scanStarted);
    } else {
      this.source.add(fresh);
      // chokidar has no per-add ready event; the scan of added roots completes shortly after.
    }
  }

  /**
   * chokidar reads a directory and only then watches it: an entry created in between is never reported, and if it is
   * a directory nothing written into it later is either. At startup that is the server's own .flakelens/cache.json,
   * written by the first analysis while the scan runs, after which a verify run's verify.json went unseen. Directories
   * modified since the scan began are compared with what the source knows; what it missed is watched and delivered.
   */
  private catchUpWithInitialScan(scanStarted: number): void {
    const source = this.source;
    const watched = source?.getWatched?.();
    if (!source || !watched || this.closed) return;
    for (const [dir, known] of Object.entries(watched)) {
      if (this.rootOf(dir) === undefined) continue; // chokidar also lists each root's parent
      try {
        const stat = fs.statSync(dir);
        if (!stat.isDirectory() || stat.mtimeMs < scanStarted - MTIME_SLACK_MS) continue;
      } catch {
        continue;
      }
      const names = new Set(known);
      for (const entry of entriesOf(dir)) {
        const full = path.join(dir, entry.name);
        if (names.has(entry.name) || this.isIgnored(full)) continue;
        if (entry.isDirectory()) {
          source.add([full]);
          this.scanInto(full);
        } else if (entry.isFile() && !this.pending.has(full)) {
          source.add([full]);
          this.foundByScan(full);
        }
      }
    }
    if (this.pending.size > 0 && !this.timer) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
  }

  unwatch(root: string): void {
    const abs = path.resolve(root);
    if (!this.roots.delete(abs)) return;
    void this.source?.unwatch(abs);
  }

  /** Nothing waits to be delivered or reconciled (what the source has not reported yet is unknown, of course). */
  get idle(): boolean {
    return !this.timer && !this.reconcileTimer && this.pending.size === 0;
  }

  /** Changes reported by the client; deduplicated with the watcher's own events. */
  notify(changes: FileChange[]): void {
    for (const change of changes) this.record(change.file, change.kind);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = undefined;
    this.pending.clear();
    this.burstDirectories.clear();
    const source = this.source;
    this.source = undefined;
    await source?.close();
  }

  /** node_modules, .git and build output below a root are never watched (of .flakelens, only verify.json is). */
  isIgnored(file: string): boolean {
    const abs = path.resolve(file);
    const bestRoot = this.rootOf(abs);
    if (bestRoot === undefined) return false;
    const rel = path.relative(bestRoot, abs);
    // The one file of .flakelens the server reads: verify results (the directory is watched for it alone).
    if (rel === VERIFY_DIR || rel === VERIFY_RESULTS) return false;
    return rel !== '' && rel.split(path.sep).some((segment) => IGNORED_DIRS.has(segment));
  }

  /** The innermost watched root containing the path (the root itself included). */
  private rootOf(abs: string): string | undefined {
    let bestRoot: string | undefined;
    for (const root of this.roots) {
      const rel = path.relative(root, abs);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (!bestRoot || root.length > bestRoot.length) bestRoot = root;
    }
    return bestRoot;
  }

  private record(file: string, kind: FileChangeKind): void {
    if (this.closed) return;
    const abs = path.resolve(file);
    if (this.isIgnored(abs)) return;
    this.pending.set(abs, kind);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
    this.burstActivity();
  }

  private recordDirectory(dir: string): void {
    if (this.closed) return;
    const abs = path.resolve(dir);
    if (this.isIgnored(abs)) return;
    if (this.burstDirectories.size === 0) {
      this.burstStarted = Date.now();
      this.reconciles = 0;
    }
    // Files already there are delivered with the next batch (a directory below one scanned in this burst was seen by
    // that scan); the reconcile catches what is written later.
    if (!this.isWithinBurst(abs)) this.scanInto(abs);
    this.burstDirectories.add(abs);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
    this.burstActivity();
  }

  /** Any event during a burst with new directories postpones their reconcile, up to maxWaitMs after the burst began. */
  private burstActivity(): void {
    if (this.burstDirectories.size === 0) return;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    const due = Math.min(this.settleMs, Math.max(0, this.burstStarted + this.maxWaitMs - Date.now()));
    this.reconcileTimer = setTimeout(() => this.reconcile(), due);
  }

  /**
   * The burst is quiet: scan its new directories and deliver every file not delivered in its current state. When
   * the scan found files the source never reported, it may still be missing some: look again after the next quiet
   * period (a bounded number of times).
   */
  private reconcile(): void {
    this.reconcileTimer = undefined;
    if (this.closed) return;
    for (const dir of this.burstDirectories) if (!this.isWithinBurst(dir)) this.scanInto(dir);
    const missed = this.flush();
    this.reconciles++;
    if (missed > 0 && this.reconciles < MAX_RECONCILES_PER_BURST) {
      this.burstStarted = Date.now();
      this.burstActivity();
      return;
    }
    this.burstDirectories.clear();
  }

  /** Whether a directory of this burst contains `dir` (so a scan of that one covers it). */
  private isWithinBurst(dir: string): boolean {
    for (const other of this.burstDirectories) {
      if (other !== dir && dir.startsWith(other + path.sep)) return true;
    }
    return false;
  }

  /** A file only a scan found: delivered as created, and counted as one the source missed. */
  private foundByScan(file: string): void {
    this.pending.set(file, 'created');
    this.scanned.add(file);
  }

  /** Every file below `dir` (ignored directories skipped) not pending yet becomes a pending `created`. */
  private scanInto(dir: string): void {
    const stack = [dir];
    const seen = new Set<string>();
    while (stack.length) {
      const current = stack.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      for (const entry of entriesOf(current)) {
        const full = path.join(current, entry.name);
        if (this.isIgnored(full)) continue;
        if (entry.isDirectory()) stack.push(full);
        else if (entry.isFile() && !this.pending.has(full)) this.foundByScan(full);
      }
    }
  }

  /**
   * Delivers pending changes whose file state differs from what was delivered last. Returns how many of them only a
   * scan found (changes the source missed).
   */
  private flush(): number {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const changes: FileChange[] = [];
    for (const [file, kind] of this.pending) {
      const signature = signatureOf(file);
      if (signature === 'not-a-file') continue;
      if (this.delivered.get(file) === signature) continue;
      if (signature === 'deleted' && kind === 'deleted') this.forgetBelow(file);
      this.delivered.set(file, signature);
      changes.push({ file, kind: signature === 'deleted' ? 'deleted' : kind });
    }
    this.pending.clear();
    const missed = changes.filter((c) => this.scanned.has(c.file)).length;
    this.scanned.clear();
    if (missed > 0) this.log(`file watcher: a scan found ${missed} file change(s) the watcher had not reported`);
    if (changes.length === 0) return 0;
    try {
      this.onChanges(changes);
    } catch (error) {
      this.log(`handling file changes failed: ${(error as Error).stack ?? String(error)}`);
    }
    return missed;
  }

  /** A deleted directory: what was delivered below it is gone too (a file recreated there is new again). */
  private forgetBelow(dir: string): void {
    const prefix = dir + path.sep;
    for (const file of this.delivered.keys()) if (file.startsWith(prefix)) this.delivered.set(file, 'deleted');
  }
}
