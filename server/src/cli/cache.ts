import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileAnalysis } from '../engine/analyze.js';
import {
  existsNow,
  fingerprintFile,
  hashText,
  listingKey,
  listNow,
  type ProbeRecorder,
} from '../workspace/probes.js';
import { toolVersion } from './version.js';

/**
 * The result cache of `check --cache`. A file's analysis is reused when
 * - the run's key is the same: flakelens build, effective config and rules, the set of test files checked (a test file
 *   that is a script or declares globals changes what every file of its program sees);
 * - every question the last run asked of the file system outside private closures gets the same answer: each file
 *   read (tsconfigs, runner configs, setup files, declaration files, installed packages), each existence check (a
 *   module resolution that failed may succeed now), each directory listed;
 * - the file's private closure (itself and the modules it imports that declare nothing global) has the same texts.
 * A wrong hit is a correctness bug, so anything not provably the same is a miss.
 */
const CACHE_FORMAT = 1;

interface CacheData {
  format: number;
  key: string;
  reads: Array<[file: string, fingerprint: string]>;
  exists: Array<[target: string, kind: 'file' | 'dir', result: boolean]>;
  lists: Array<[dir: string, listing: string]>;
  /** Project problems (an unreadable tsconfig, say): said again when the programs are not rebuilt. */
  problems: string[];
  /**
   * The analyses of the runner config files governing the checked tests (`check` only). What governs a test file
   * depends on the shared answers above and on the test files' texts, so they are reused when every test file hit.
   */
  configFiles?: Array<[file: string, analysis: FileAnalysis]>;
  /** `dependencies`: every user file the test imports, transitively (the language server re-analyses it when one changes). */
  files: Record<string, { closure: Array<[file: string, fingerprint: string]>; analysis: FileAnalysis; dependencies?: string[] }>;
}

export const DEFAULT_CACHE_LOCATION = path.join('.flakelens', 'cache.json');

/** The flakelens build: its version plus the size and mtime of every file of the engine it runs from. */
function buildId(): string {
  const dir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const parts: string[] = [toolVersion()];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.[cm]?[jt]s$/.test(e.name)) {
        const stat = fs.statSync(full);
        parts.push(`${path.relative(dir, full)}:${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return hashText(parts.join('\n'));
}

export class CheckCache {
  private readonly previous: CacheData | undefined;
  private readonly previousReads: ReadonlyMap<string, string>;
  /** Whether the previous run's shared answers still hold (its per-file entries may be used). */
  readonly valid: boolean;
  private readonly reads = new Map<string, string>();
  /** Files read this run that the previous run did not read as shared files. */
  private readonly freshReads = new Set<string>();
  private readonly exists = new Map<string, [target: string, kind: 'file' | 'dir', result: boolean]>();
  private readonly lists = new Map<string, string>();
  private readonly files: CacheData['files'] = {};
  /**
   * A question got two different answers during the run (a file changed while it was analysed, as in a long-running
   * language server): which one each analysis saw is unknown, so the cache is not written.
   */
  private changedDuringRun: string | undefined;
  /** The cache file as read, when valid: a run that changed nothing does not write it again. */
  private previousText: string | undefined;

  readonly recorder: ProbeRecorder = {
    read: (file, text) => {
      const fingerprint = text === undefined ? '-' : fingerprintFile(file, text);
      const known = this.reads.get(file);
      if (known !== undefined) {
        if (known !== fingerprint) this.changedDuringRun ??= `${file} changed`;
        return;
      }
      this.reads.set(file, fingerprint);
      this.freshReads.add(file);
    },
    exists: (target, kind, result) => {
      const key = `${kind}:${target}`;
      const known = this.exists.get(key);
      if (!known) this.exists.set(key, [target, kind, result]);
      else if (known[2] !== result) this.changedDuringRun ??= `${target} ${result ? 'appeared' : 'disappeared'}`;
    },
    list: (dir, names) => {
      const listing = listingKey(names);
      const known = this.lists.get(dir);
      if (known === undefined) this.lists.set(dir, listing);
      else if (known !== listing) this.changedDuringRun ??= `${dir} changed`;
    },
  };

  private constructor(
    private readonly location: string,
    private readonly key: string,
    previous: CacheData | undefined,
    /** Why the previous cache cannot be used; undefined when it can. */
    readonly missReason: string | undefined,
  ) {
    this.previous = missReason === undefined ? previous : undefined;
    this.valid = this.previous !== undefined;
    this.previousReads = new Map(this.previous?.reads ?? []);
    // Still-true answers carry over: a later run must check them too, whichever files it re-analyses.
    for (const [file, fp] of this.previousReads) this.reads.set(file, fp);
    for (const probe of this.previous?.exists ?? []) this.exists.set(`${probe[1]}:${probe[0]}`, probe);
    for (const [dir, listing] of this.previous?.lists ?? []) this.lists.set(dir, listing);
  }

  /** Reads the cache at `location` and checks it against `keyParts` and the file system as it is now. */
  static open(location: string, keyParts: unknown): CheckCache {
    const key = hashText(JSON.stringify([CACHE_FORMAT, buildId(), keyParts]));
    const miss = (reason: string) => new CheckCache(location, key, undefined, reason);
    let data: CacheData | undefined;
    let text: string;
    try {
      text = fs.readFileSync(location, 'utf8');
      data = JSON.parse(text) as CacheData;
    } catch {
      return miss('no cache');
    }
    if (data?.format !== CACHE_FORMAT || data.key !== key) return miss('flakelens, its settings or the set of test files changed');
    for (const [file, fp] of data.reads) if (fingerprintFile(file) !== fp) return miss(`${file} changed`);
    for (const [target, kind, result] of data.exists) if (existsNow(target, kind) !== result) return miss(`${target} ${result ? 'disappeared' : 'appeared'}`);
    for (const [dir, listing] of data.lists) if (listNow(dir) !== listing) return miss(`${dir} changed`);
    const cache = new CheckCache(location, key, data, undefined);
    cache.previousText = text;
    return cache;
  }

  /** The previous analysis of `file` when its private closure is unchanged. */
  lookup(file: string): FileAnalysis | undefined {
    const entry = this.previous?.files[file];
    if (!entry) return undefined;
    for (const [dep, fp] of entry.closure) if (this.fingerprintNow(dep) !== fp) return undefined;
    this.files[file] = entry;
    return entry.analysis;
  }

  /** Helpers are in many test files' closures: each is read and hashed once per run. */
  private readonly fingerprints = new Map<string, string>();

  private fingerprintNow(file: string): string {
    let fingerprint = this.fingerprints.get(file);
    if (fingerprint === undefined) this.fingerprints.set(file, (fingerprint = fingerprintFile(file)));
    return fingerprint;
  }

  /** The user files the cached analysis of `file` depended on, when they were stored with it. */
  dependenciesOf(file: string): readonly string[] | undefined {
    return this.previous?.files[file]?.dependencies;
  }

  store(file: string, closure: readonly string[], analysis: FileAnalysis, dependencies?: Iterable<string>): void {
    this.files[file] = { closure: closure.map((f) => [f, this.reads.get(f) ?? fingerprintFile(f)]), analysis, ...(dependencies ? { dependencies: [...dependencies] } : {}) };
  }

  /**
   * Whether re-analysing the misses read a file the previous run did not read as shared: one that is now shared
   * (a new `declare global`, a newly imported package's augmentations, a test file that is a script) can change
   * what every file of the program sees, so the hits must be re-analysed too. Returns the first such file.
   */
  readSomethingNewShared(): string | undefined {
    const privateFiles = this.privateFiles();
    for (const file of this.freshReads) if (!privateFiles.has(file) && !this.previousReads.has(file)) return file;
    return undefined;
  }

  problems(): string[] {
    return this.previous?.problems ?? [];
  }

  /** The previous run's runner config file analyses: valid only when every test file of this run is a hit. */
  configFileAnalyses(): Array<[file: string, analysis: FileAnalysis]> | undefined {
    return this.previous?.configFiles;
  }

  private privateFiles(): Set<string> {
    return new Set(Object.values(this.files).flatMap((e) => e.closure.map(([f]) => f)));
  }

  /** Writes the cache (atomically: a crash never leaves half a file). Failing to write only costs the next run time. */
  save(problems: string[], configFiles?: Array<[file: string, analysis: FileAnalysis]>): string | undefined {
    if (this.changedDuringRun) return `cache not written: ${this.changedDuringRun} during the run`;
    const privateFiles = this.privateFiles();
    const data: CacheData = {
      format: CACHE_FORMAT,
      key: this.key,
      reads: [...this.reads].filter(([f]) => !privateFiles.has(f)),
      exists: [...this.exists.values()],
      lists: [...this.lists],
      problems,
      ...(configFiles ? { configFiles } : {}),
      files: this.files,
    };
    try {
      const text = JSON.stringify(data);
      if (text === this.previousText) return undefined;
      fs.mkdirSync(path.dirname(this.location), { recursive: true });
      const tmp = `${this.location}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, this.location);
      return undefined;
    } catch (error) {
      return `cannot write the cache ${this.location}: ${(error as Error).message}`;
    }
  }
}
