import * as path from 'node:path';
import type { FileAnalysis } from '../engine/analyze.js';
import { CheckCache } from '../cli/cache.js';
import { setProbeRecorder } from './probes.js';
import type { Workspace } from './workspace.js';

/** The key parts of a run over `testFiles`: the same for `check --cache` and the language server, so they share hits. */
export function resultCacheKeyParts(workspace: Workspace, testFiles: readonly string[]): unknown {
  return {
    root: workspace.root,
    config: workspace.config,
    rules: workspace.ruleIds(),
    testFiles: testFiles.map((f) => path.resolve(f)).sort(),
  };
}

/**
 * The language server's use of the `check --cache` file (cli/cache.ts) for one workspace pass: files whose key still
 * holds are published from it without analysis, the rest are analysed and stored, and the file is written back once
 * the pass is complete. Only analyses of the files as they are on disk are stored: when a buffer differs from its file,
 * nothing is looked up, and an analysis made while one did is not stored (a restart must equal a fresh server).
 */
export class PassResultCache {
  private spoiled: string | undefined;
  private completed = false;

  private constructor(
    private readonly workspace: Workspace,
    private readonly cache: CheckCache,
  ) {}

  /** Undefined when the setting turns the cache off or a buffer differs from disk (said through `log`). */
  static open(workspace: Workspace, testFiles: readonly string[], log: (message: string) => void): PassResultCache | undefined {
    const location = workspace.config.cacheLocation;
    if (!location) return undefined;
    const differing = workspace.buffersDifferingFromDisk();
    if (differing.length > 0) {
      log(`result cache not used: ${differing.length} editor buffer(s) differ from disk (${path.relative(workspace.root, differing[0]!)}${differing.length > 1 ? ', ...' : ''})`);
      return undefined;
    }
    const cache = CheckCache.open(path.resolve(workspace.root, location), resultCacheKeyParts(workspace, testFiles));
    if (cache.missReason) log(`result cache ${path.resolve(workspace.root, location)} not used: ${cache.missReason}`);
    return new PassResultCache(workspace, cache);
  }

  /** The cached analysis of a test file and what it imports, when every input it was made from is unchanged. */
  lookup(file: string): { analysis: FileAnalysis; dependencies: readonly string[] } | undefined {
    if (!this.cache.valid) return undefined;
    const abs = path.resolve(file);
    const dependencies = this.cache.dependenciesOf(abs);
    // Entries written by `check --cache` do not say what the file imports: without it, helper edits would not reach it.
    if (!dependencies) return undefined;
    const analysis = this.cache.lookup(abs);
    return analysis ? { analysis, dependencies } : undefined;
  }

  /**
   * Records what the analyses ask of the file system until `end` (one recorder at a time, process-wide). What the
   * workspace read before (for documents opened earlier) is read again, so the cache knows every input.
   */
  begin(testFiles: readonly string[]): void {
    setProbeRecorder(this.cache.recorder);
    this.workspace.forgetReads();
    this.workspace.addRoots(testFiles);
  }

  end(): void {
    setProbeRecorder(undefined);
  }

  /** Stores the analysis just made of a test file from disk. */
  store(file: string, analysis: FileAnalysis): void {
    const abs = path.resolve(file);
    if (analysis.skipped || !this.workspace.isTestFile(abs)) return;
    const closure = this.workspace.privateClosureOf(abs);
    const dependencies = this.workspace.dependenciesOf(abs);
    if (!closure || !dependencies) return;
    // The analysis may have read a buffer (a helper being edited): it is not the result of the files on disk.
    const differing = this.workspace.buffersDifferingFromDisk();
    if (differing.length > 0) {
      this.spoiled ??= `${path.relative(this.workspace.root, differing[0]!)} was edited during the pass`;
      return;
    }
    this.cache.store(abs, closure, analysis, dependencies);
  }

  /** A file the analyses read that the cached run did not, and every file may see (then the hits are analysed again). */
  hitsAreStale(): string | undefined {
    return this.cache.readSomethingNewShared();
  }

  /** Every file of the pass has been published (from the cache or analysed). */
  complete(): void {
    this.completed = true;
  }

  /** Writes the cache back after a complete pass; returns why it was not written, if it was not. */
  save(problems: string[]): string | undefined {
    if (!this.completed) return 'cache not written: the pass did not complete';
    if (this.spoiled) return `cache not written: ${this.spoiled}`;
    return this.cache.save(problems);
  }
}
