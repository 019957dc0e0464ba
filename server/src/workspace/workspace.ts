import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts, type TS } from '../engine/typescript.js';
import { explainSourceFile, type Explanation } from '../engine/explain.js';
import { analyzeRunnerConfigFile, analyzeSourceFile, enabledRules, type EnabledRule, type FileAnalysis } from '../engine/analyze.js';
import type { Rule } from '../engine/types.js';
import type { Framework } from '../engine/testModel.js';
import { RunnerConfigResolver, type ConfigHost, type RunnerConfigModel } from '../engine/runnerConfig.js';
import { applyLayer, loadWorkspaceConfig, CONFIG_FILE_NAME, type ConfigProblem } from '../config/resolve.js';
import type { FlakelensConfig } from '../config/schema.js';
import { OverlayFileSystemHost } from './fsHost.js';
import { ProgramHost } from './program.js';
import { describeFsError, findTestFiles, isJsFile, isScriptFile, looksBinary, TestFileMatcher, type ReadDir } from './files.js';
import { TsconfigIndex, type TsconfigSpec } from './tsconfigs.js';
import { resultsPath } from '../verify/results.js';
import { loadVerifyResults, withVerdicts, type LoadedVerifyResults } from '../verify/verdictFindings.js';
import { probeRead } from './probes.js';
import { LineMap } from '../engine/lines.js';
import { pythonTestBlocks } from '../engine/pythonTests.js';
import type { TestBlockInfo } from '../engine/testBlocks.js';

const INFERRED = '<inferred>';

/** Compiler options for test files no tsconfig owns (plain JS suites, stray TS files). */
let inferredOptionsMade: TS.CompilerOptions | undefined; // made on first use: see engine/typescript.ts
const inferredCompilerOptions = (): TS.CompilerOptions => (inferredOptionsMade ??= {
  allowJs: true,
  checkJs: false,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.Preserve,
  skipLibCheck: true,
  strict: false,
  resolveJsonModule: true,
  // TypeScript 6 no longer includes every @types package by default; runner globals (jest, mocha) live there.
  types: ['*'],
});

/** Options of a tsconfig that only make sense for building it, dropped when borrowing its settings. */
const BUILD_ONLY_OPTIONS = ['composite', 'incremental', 'tsBuildInfoFile', 'declaration', 'declarationMap', 'emitDeclarationOnly', 'outDir', 'outFile', 'rootDir', 'configFilePath', 'noEmitOnError'] as const;

/**
 * Settings for a test file no tsconfig owns: the nearest tsconfig's compiler options when there is one
 * (a test excluded from the build still uses its jsx, paths and types), made lenient enough for any file.
 */
function inferredOptions(near: TsconfigSpec | undefined): TS.CompilerOptions {
  if (!near) return inferredCompilerOptions();
  const options: TS.CompilerOptions = { ...near.compilerOptions };
  for (const key of BUILD_ONLY_OPTIONS) delete options[key];
  return { ...options, allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, types: options.types ?? ['*'] };
}

export interface ConfigLayer {
  source: string;
  value: unknown;
}

export interface WorkspaceOptions {
  root: string;
  rules: readonly Rule[];
  /** Settings layered over the config file, lowest first (LSP initializationOptions, workspace/configuration). */
  layers?: ConfigLayer[];
  /**
   * Keep every project's checker (the language server: a helper edit re-analyses dependents in several projects, and
   * its open documents may be in several; measured on kysely, releasing them made a helper edit's fan-out 2-3x slower,
   * because every switch makes a new checker). By default (a batch run, files grouped by project) a project's checker
   * is released when another project is analysed.
   */
  keepAllCheckers?: boolean;
}

type ProjectEntry = ProgramHost;

/**
 * One workspace folder: its config, its tsconfig ownership and one ts-morph project per owning
 * tsconfig (plus an inferred one). Projects are read-only; buffers reach them through the overlay host.
 */
export class Workspace {
  readonly root: string;
  readonly fsHost: OverlayFileSystemHost;
  private readonly rules: readonly Rule[];
  private readonly knownRuleIds: ReadonlySet<string>;
  private layers: ConfigLayer[];
  private tsconfigs: TsconfigIndex;
  private readonly projects = new Map<string, ProjectEntry>();
  /** The project analysed last: the only one that keeps its checker (see activate). */
  private active: ProjectEntry | undefined;
  private readonly keepAllCheckers: boolean;
  private readonly projectKeyOf = new Map<string, string>();
  /** Files analysed with inferred settings because their tsconfig is broken: the note their results carry. */
  private readonly fallbackNotes = new Map<string, string>();
  /** Test file -> user files it (transitively) imports, from its last analysis. */
  private readonly testDependencies = new Map<string, Set<string>>();
  /**
   * Test file -> the files of its import closure (itself included) that can affect no other file's analysis: modules
   * without global or module augmentations. The result cache keys a file's analysis on these; everything else the
   * program read is shared by every file in it.
   */
  private readonly privateClosures = new Map<string, string[]>();
  /** Runners each analysed test file resolved to: which runner config governs it. */
  private readonly frameworksOf = new Map<string, Framework[]>();
  private projectProblems: ConfigProblem[] = [];
  private verify: { loaded?: LoadedVerifyResults; problem?: string } | undefined;
  /** Runner configs (vitest, jest, Playwright, mocha, node:test) read statically, cached per file content. */
  runnerConfigs: RunnerConfigResolver;

  config!: FlakelensConfig;
  configProblems: ConfigProblem[] = [];
  configFiles: string[] = [];
  matcher!: TestFileMatcher;
  private enabled: EnabledRule[] = [];

  constructor(options: WorkspaceOptions) {
    this.root = path.resolve(options.root);
    this.fsHost = new OverlayFileSystemHost(this.root);
    this.rules = options.rules;
    this.keepAllCheckers = options.keepAllCheckers ?? false;
    this.knownRuleIds = new Set(options.rules.map((r) => r.meta.id));
    this.layers = options.layers ?? [];
    this.tsconfigs = new TsconfigIndex(this.root);
    this.runnerConfigs = new RunnerConfigResolver(this.root, this.configHost());
    this.reloadConfig();
  }

  /** Config reads see editor buffers first, like the projects do. */
  private configHost(): ConfigHost {
    const host = this.fsHost;
    return {
      readFile: (file) => this.readText(file),
      fileExists: (file) => host.fileExistsSync(file),
      readDirectory: (dir) => {
        let entries: Array<{ name: string; isDirectory: boolean }> | undefined;
        try {
          entries = host.readDirSync(dir).map((e) => ({ name: e.name, isDirectory: e.isDirectory }));
        } catch {
          entries = undefined;
        }
        const buffers = host.overlayNamesIn(dir).filter((name) => !entries?.some((e) => e.name === name));
        return buffers.length ? [...(entries ?? []), ...buffers.map((name) => ({ name, isDirectory: false }))] : entries;
      },
    };
  }

  /** The runner config model of a file (`frameworks`: the runners its test model resolved calls to). */
  runnerConfigFor(file: string, frameworks?: Iterable<Framework>): RunnerConfigModel {
    return this.runnerConfigs.forFile(path.resolve(file), frameworks);
  }

  /** Re-reads the config file and re-applies the layers. Returns every problem found. */
  reloadConfig(): ConfigProblem[] {
    const loaded = loadWorkspaceConfig(this.root, this.knownRuleIds);
    let config = loaded.config;
    const problems = [...loaded.problems];
    for (const layer of this.layers) config = applyLayer(config, layer.value, layer.source, this.knownRuleIds, problems);
    this.config = config;
    this.configProblems = problems;
    this.configFiles = loaded.files;
    this.matcher = new TestFileMatcher(this.root, config);
    this.enabled = enabledRules(this.rules, config);
    return problems;
  }

  setLayers(layers: ConfigLayer[]): ConfigProblem[] {
    this.layers = layers;
    return this.reloadConfig();
  }

  get problems(): ConfigProblem[] {
    return [...this.configProblems, ...this.projectProblems];
  }

  contains(file: string): boolean {
    return this.matcher.relative(file) !== undefined;
  }

  isTestFile(file: string): boolean {
    return this.matcher.isTestFile(file);
  }

  /**
   * A Python file the server and `check` show pytest verify verdicts (and the editor "Verify" lenses) on: one
   * pytest collects by its default names (test_*.py, *_test.py) or one verify.json has verdicts for. No static
   * rule runs on Python.
   */
  isPythonTestFile(file: string): boolean {
    const abs = path.resolve(file);
    if (!abs.endsWith('.py') || !this.contains(abs) || this.matcher.isIgnoredPath(abs)) return false;
    return /^test_.*\.py$|_test\.py$/.test(path.basename(abs)) || (this.verifyResults().loaded?.byFile.has(abs) ?? false);
  }

  /** The Python files under the given paths that verify.json has verdicts for (what `check` reports on). */
  pythonFilesWithVerdicts(paths: readonly string[]): string[] {
    const targets = paths.map((p) => path.resolve(p));
    const within = (file: string) => targets.some((t) => file === t || file.startsWith(t.endsWith(path.sep) ? t : t + path.sep));
    return [...(this.verifyResults().loaded?.byFile.keys() ?? [])].filter((f) => f.endsWith('.py') && within(f) && fs.existsSync(f) && this.isPythonTestFile(f)).sort();
  }

  /**
   * Test files under the given paths (files are taken as given when they are script files). Directories that cannot
   * be read are told to `onUnreadable` (their tests are missing from the result).
   */
  listTestFiles(paths: string[] = [this.root], onUnreadable: (dir: string, reason: string) => void = () => {}, readdir?: ReadDir): string[] {
    const result = new Set<string>();
    for (const p of paths) {
      const abs = path.resolve(p);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(abs);
      } catch (error) {
        onUnreadable(abs, describeFsError(error));
        continue;
      }
      if (stat.isDirectory()) for (const f of findTestFiles(abs, this.matcher, onUnreadable, readdir)) result.add(f);
      else if (isScriptFile(abs)) result.add(abs);
    }
    return [...result].sort();
  }

  /** Editor buffers win over disk. */
  setBuffer(file: string, text: string): void {
    // Python buffers are read for their tests only; no program holds them.
    if (file.endsWith('.py')) return this.fsHost.setOverlay(file, text);
    const existed = this.exists(file);
    this.fsHost.setOverlay(file, text);
    this.runnerConfigs.invalidate(file);
    this.refresh(file, !existed);
  }

  clearBuffer(file: string): void {
    this.fsHost.clearOverlay(file);
    if (file.endsWith('.py')) return;
    this.runnerConfigs.invalidate(file);
    this.refresh(file, !this.exists(file));
  }

  private exists(file: string): boolean {
    return this.fsHost.fileExistsSync(path.resolve(file));
  }

  /**
   * A file changed on disk (or was created/deleted; `kind` says which when known). Returns the test files whose
   * results may change.
   */
  fileChanged(file: string, kind: 'created' | 'changed' | 'deleted' = 'changed'): string[] {
    const abs = path.resolve(file);
    const base = path.basename(abs);
    if (abs === resultsPath(this.root)) {
      // New verify results: the files with verdicts before or after show different findings.
      const before = this.verify?.loaded;
      this.verify = undefined;
      const after = this.verifyResults().loaded;
      const files = new Set([...(before?.byFile.keys() ?? []), ...(after?.byFile.keys() ?? [])]);
      // Python files that lost their verdicts too: re-analysing one that is no longer shown clears it.
      return [...files].filter((f) => this.isTestFile(f) || (f.endsWith('.py') && this.contains(f)));
    }
    // A runner config (or a module it imports, or a setup file) changed: the models built from it are stale.
    const runnerInput = this.runnerConfigs.invalidate(abs);
    if (abs === path.join(this.root, CONFIG_FILE_NAME) || abs === path.join(this.root, 'package.json')) {
      this.reloadConfig();
      if (base === 'package.json') this.dropAllProjects();
      return this.knownTestFiles();
    }
    if (/^tsconfig(\..+)?\.json$/.test(base) || base === 'jsconfig.json') {
      this.tsconfigs.invalidate();
      if (this.projects.has(abs)) this.dropProject(abs);
      else this.dropAllProjects(); // an extended base config may feed any project
      return this.knownTestFiles();
    }
    if (abs.endsWith('.py')) return this.isPythonTestFile(abs) ? [abs] : [];
    if (!isScriptFile(abs) && !/\.d\.[cm]?ts$/.test(abs) && !abs.endsWith('.json')) return runnerInput ? this.affectedBy(abs) : [];
    if (!this.fsHost.hasOverlay(abs)) this.refresh(abs, kind !== 'changed');
    return this.affectedBy(abs);
  }

  /**
   * Test files affected by a change to `file`: itself if it is a test, the tests that import it, and the tests
   * whose runner config was read from it (a config, a module it imports, a setup file). A runner config file
   * created or deleted may govern the tests whose config lookup walked its directory.
   */
  affectedBy(file: string): string[] {
    const abs = path.resolve(file);
    const affected = new Set<string>();
    if (this.isTestFile(abs) || this.testDependencies.has(abs)) affected.add(abs);
    for (const [test, deps] of this.testDependencies) if (deps.has(abs)) affected.add(test);
    const walkedDir = RunnerConfigResolver.isConfigFileName(abs) ? path.dirname(abs) + path.sep : undefined;
    for (const test of this.testDependencies.keys()) {
      if (this.runnerConfigs.dependsOn(test, abs) || (walkedDir && this.runnerConfigs.dependsOn(test, walkedDir))) affected.add(test);
    }
    return [...affected];
  }

  /**
   * Files this workspace knows below a directory (analysed tests, what they import, project roots): what a deleted
   * directory takes with it, whether or not each file's own deletion was reported.
   */
  knownFilesUnder(dir: string): string[] {
    const prefix = path.resolve(dir) + path.sep;
    const known = new Set<string>();
    const add = (file: string) => {
      if (file.startsWith(prefix)) known.add(file);
    };
    for (const [test, deps] of this.testDependencies) {
      add(test);
      for (const dep of deps) add(dep);
    }
    for (const entry of this.projects.values()) for (const root of entry.roots) add(root);
    return [...known].sort();
  }

  knownTestFiles(): string[] {
    return [...this.testDependencies.keys()];
  }

  forget(file: string): void {
    this.testDependencies.delete(path.resolve(file));
    this.frameworksOf.delete(path.resolve(file));
  }

  readText(file: string): string | undefined {
    const abs = path.resolve(file);
    const overlay = this.fsHost.getOverlay(abs);
    if (overlay !== undefined) return overlay;
    let text: string | undefined;
    try {
      text = fs.readFileSync(abs, 'utf8');
    } catch {
      text = undefined;
    }
    probeRead(abs, text);
    return text;
  }

  /** Whether the server publishes diagnostics for the file: a test file or a runner config file. */
  isAnalysable(file: string): boolean {
    return this.isTestFile(file) || this.isRunnerConfigFile(file) || this.isPythonTestFile(file);
  }

  /** Whether the file is a runner config file that rules may report on (vitest.config.ts, playwright.config.ts, .mocharc.yml ...). */
  isRunnerConfigFile(file: string): boolean {
    const abs = path.resolve(file);
    return RunnerConfigResolver.isConfigFileName(abs) && !this.isTestFile(abs) && path.basename(abs) !== 'package.json';
  }

  /** The runner config files that govern these test files (each once, sorted), as of their last analysis. */
  runnerConfigFilesFor(testFiles: readonly string[]): string[] {
    const configs = new Set<string>();
    for (const file of testFiles) {
      const abs = path.resolve(file);
      const configFile = this.runnerConfigs.forFile(abs, this.frameworksOf.get(abs)).configFile;
      if (configFile) configs.add(configFile);
    }
    return [...configs].sort();
  }

  /** Runs the config-file rules over a runner config file as the runner-config model reads it. Never throws. */
  analyzeConfigFile(file: string): FileAnalysis {
    const abs = path.resolve(file);
    try {
      const config = this.runnerConfigs.configFile(abs);
      const text = this.readText(abs);
      if (!config || text === undefined) return { file: abs, findings: [], notes: [], skipped: true };
      return analyzeRunnerConfigFile(config, text, this.enabled, this.config.docsBaseUrl);
    } catch (error) {
      return { file: abs, findings: [], notes: [`runner config analysis failed: ${(error as Error).message}`], skipped: true };
    }
  }

  /** Analyses one file. Never throws: problems become notes with partial (or no) findings. */
  analyzeFile(file: string): FileAnalysis {
    const abs = path.resolve(file);
    if (abs.endsWith('.py')) return this.analyzePythonFile(abs);
    if (this.isRunnerConfigFile(abs)) return this.analyzeConfigFile(abs);
    const skipped = (note: string): FileAnalysis => ({ file: abs, findings: [], notes: [note], skipped: true });
    if (!isScriptFile(abs)) return skipped('not a JavaScript or TypeScript file; skipped');
    const sizeNote = this.checkReadable(abs);
    if (sizeNote) {
      this.removeFromProjects(abs);
      return skipped(sizeNote);
    }
    try {
      const entry = this.addRoot(abs);
      this.activate(entry);
      const program = entry.getProgram();
      const sourceFile = program.getSourceFile(abs);
      if (!sourceFile) return skipped('file is not part of its project; skipped');
      const result = analyzeSourceFile(program, sourceFile, this.enabled, {
        runnerConfig: (f, frameworks) => this.runnerConfigs.forFile(f, frameworks),
        settings: this.config,
        docsBaseUrl: this.config.docsBaseUrl,
      });
      result.notes.unshift(...entry.notesFor(abs));
      const dependencies = userDependencies(program, sourceFile);
      this.testDependencies.set(abs, dependencies);
      this.privateClosures.set(abs, [abs, ...dependencies].filter((f) => isPrivateModule(program.getSourceFile(f))));
      if (result.frameworks) this.frameworksOf.set(abs, result.frameworks);
      const fallback = this.fallbackNotes.get(abs);
      if (fallback) result.notes.unshift(fallback);
      return withVerdicts(result, this.verifyResults().loaded, this.config.docsBaseUrl);
    } catch (error) {
      if (!fs.existsSync(abs) && !this.fsHost.hasOverlay(abs)) {
        this.removeFromProjects(abs);
        return skipped('file no longer exists');
      }
      return skipped(`analysis failed: ${(error as Error).message}`);
    }
  }

  /**
   * A Python test file: its pytest tests and classes (located by indentation, see engine/pythonTests.ts) with the
   * verify verdicts on them. Nothing else: no static rule runs on Python.
   */
  private analyzePythonFile(abs: string): FileAnalysis {
    const text = this.readText(abs);
    if (text === undefined) return { file: abs, findings: [], notes: ['file no longer exists'], skipped: true };
    if (looksBinary(text)) return { file: abs, findings: [], notes: ['not a text file; skipped'], skipped: true };
    const lines = new LineMap(text);
    const testBlocks: TestBlockInfo[] = pythonTestBlocks(text).map((b) => ({
      kind: b.kind,
      titles: b.titles,
      range: { start: lines.positionAt(b.nameStart), end: lines.positionAt(b.nameEnd) },
      start: b.nameStart,
      end: b.nameEnd,
      callStart: b.start,
      callEnd: b.end,
      // pytest reports a test on its first decorator's line.
      callLine: lines.lineOf(b.start),
      ...(b.hash !== undefined ? { hash: b.hash } : {}),
    }));
    const analysis: FileAnalysis = { file: abs, findings: [], notes: [], tests: testBlocks.filter((b) => b.kind === 'test').length, testBlocks };
    return withVerdicts(analysis, this.verifyResults().loaded, this.config.docsBaseUrl);
  }

  /**
   * The workspace's `.flakelens/verify.json`, read once and again after it changes (fileChanged). Its verdicts
   * become findings of the files they are about, for `check` and the server alike.
   */
  verifyResults(): { loaded?: LoadedVerifyResults; problem?: string } {
    this.verify ??= loadVerifyResults(this.root);
    return this.verify;
  }

  /**
   * Forgets everything read from disk (programs, tsconfigs, runner configs, verify results), so the next analyses read
   * it again: a result cache's recorder sees every file they depend on, not only those read after it was installed.
   */
  forgetReads(): void {
    this.dropAllProjects();
    this.tsconfigs.invalidate();
    this.runnerConfigs = new RunnerConfigResolver(this.root, this.configHost());
    this.verify = undefined;
  }

  /** The ids of the rules this workspace runs (enabled or not), in registry order. */
  ruleIds(): string[] {
    return this.rules.map((r) => r.meta.id);
  }

  /** The user files a test imports, transitively, as of its last analysis (or the cached one it was given). */
  dependenciesOf(file: string): ReadonlySet<string> | undefined {
    return this.testDependencies.get(path.resolve(file));
  }

  /**
   * A result cache answered for `file` instead of an analysis: what the workspace would have learnt from analysing it
   * (what it imports, its runners), so edits to its helpers still reach it (and, after trackRunnerConfigs, its configs).
   */
  adoptCachedAnalysis(file: string, analysis: FileAnalysis, dependencies: readonly string[]): void {
    const abs = path.resolve(file);
    this.testDependencies.set(abs, new Set(dependencies));
    if (analysis.frameworks) this.frameworksOf.set(abs, analysis.frameworks);
  }

  /**
   * Reads the runner config of each file, so a change to it re-analyses them (`affectedBy`). For files adopted from a
   * cache, after the cache stopped recording: their cached analyses did not read it (a rule asks only when it needs
   * it), and a read the cache never needed would look like a new shared input next time.
   */
  trackRunnerConfigs(files: Iterable<string>): void {
    for (const file of files) {
      const abs = path.resolve(file);
      this.runnerConfigs.forFile(abs, this.frameworksOf.get(abs));
    }
  }

  /** Files whose editor buffer differs from what is on disk (or that exist only as a buffer). */
  buffersDifferingFromDisk(): string[] {
    return this.fsHost.overlayFiles().filter((file) => {
      try {
        return fs.readFileSync(file, 'utf8') !== this.fsHost.getOverlay(file);
      } catch {
        return true;
      }
    });
  }

  /** See privateClosures; undefined until the file has been analysed. */
  privateClosureOf(file: string): readonly string[] | undefined {
    return this.privateClosures.get(path.resolve(file));
  }

  /** The test model and runner config of one file, for `flakelens explain`; undefined (with a reason) when it cannot be built. */
  explainFile(file: string): { explanation?: Explanation; problem?: string } {
    const abs = path.resolve(file);
    if (!isScriptFile(abs)) return { problem: 'not a JavaScript or TypeScript file' };
    const unreadable = this.checkReadable(abs);
    if (unreadable) return { problem: unreadable };
    try {
      const entry = this.addRoot(abs);
      this.activate(entry);
      const program = entry.getProgram();
      const sourceFile = program.getSourceFile(abs);
      if (!sourceFile) return { problem: 'file is not part of its project' };
      const explanation = explainSourceFile(program, sourceFile, (f, frameworks) => this.runnerConfigs.forFile(f, frameworks));
      const fallback = this.fallbackNotes.get(abs);
      if (fallback) explanation.notes.unshift(fallback);
      return { explanation };
    } catch (error) {
      return { problem: `explain failed: ${(error as Error).message}` };
    }
  }

  analyzeFiles(files: string[]): FileAnalysis[] {
    this.addRoots(files);
    return files.map((f) => this.analyzeFile(f));
  }

  /**
   * Adds files as roots of their projects without analysing them. A batch run (the CLI) calls this first so each
   * program is built once, not once per analysed file (each new root otherwise means a new program and checker).
   * Unreadable, binary and oversized files are left out: analyzeFile reports them.
   */
  addRoots(files: readonly string[]): void {
    for (const file of files) {
      const abs = path.resolve(file);
      if (!isScriptFile(abs) || this.checkReadable(abs)) continue;
      try {
        this.addRoot(abs);
      } catch {
        // analyzeFile retries it and turns the failure into a note.
      }
    }
  }

  dispose(): void {
    this.dropAllProjects();
  }

  /**
   * Only the project being analysed keeps its checker (see WorkspaceOptions.keepAllCheckers). A workspace with
   * several tsconfigs (a library tested under node, deno and a types benchmark) otherwise holds every project's
   * resolved types at once: on kysely, 9 projects and a 1 GB live heap, which every full collection has to walk.
   */
  private activate(entry: ProjectEntry): void {
    if (this.active === entry) return;
    if (!this.keepAllCheckers) this.active?.releaseChecker();
    this.active = entry;
  }

  /**
   * Files in the order that analyses them fastest: grouped by the project they were added to (each switch of project
   * makes a new checker), stable within a group; files in no project yet come last.
   */
  inAnalysisOrder(files: readonly string[]): string[] {
    const groups = new Map<string | undefined, string[]>();
    for (const file of files) {
      const key = this.projectKeyOf.get(path.resolve(file));
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(file);
    }
    const unknown = groups.get(undefined) ?? [];
    groups.delete(undefined);
    return [...[...groups.values()].flat(), ...unknown];
  }

  /** The file's project, with the file as one of its roots. */
  private addRoot(abs: string): ProjectEntry {
    const entry = this.projectFor(abs);
    entry.addRoot(abs);
    return entry;
  }

  private checkReadable(abs: string): string | undefined {
    const overlay = this.fsHost.getOverlay(abs);
    let size: number;
    let head: string | Buffer;
    if (overlay !== undefined) {
      size = Buffer.byteLength(overlay);
      head = overlay.slice(0, 8192);
    } else {
      let fd: number | undefined;
      try {
        const stat = fs.statSync(abs);
        // Opening a FIFO or a device would block or never end.
        if (!stat.isFile()) return `not a regular file (${stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a named pipe' : 'a device or socket'}); skipped`;
        size = stat.size;
        fd = fs.openSync(abs, 'r');
        const buffer = Buffer.alloc(Math.min(8192, size));
        fs.readSync(fd, buffer, 0, buffer.length, 0);
        head = buffer;
      } catch (error) {
        return `file ${describeFsError(error)}`;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }
    if (size > this.config.maxFileSize) {
      return `file is ${size} bytes, over maxFileSize (${this.config.maxFileSize}); skipped`;
    }
    if (looksBinary(head)) return 'file looks binary (contains NUL bytes); skipped';
    return undefined;
  }

  private projectFor(abs: string): ProjectEntry {
    const known = this.projectKeyOf.get(abs);
    const knownEntry = known === undefined ? undefined : this.projects.get(known);
    if (knownEntry) return knownEntry;
    const owner = this.tsconfigs.ownerOf(abs);
    // A JS file in a project without allowJs is outside that program: analyse it with inferred settings.
    const configured = owner && !(isJsFile(abs) && !owner.compilerOptions.allowJs) ? owner : undefined;
    let entry: ProjectEntry | undefined;
    let key: string;
    if (configured && !configured.unreadable) {
      key = configured.path;
      entry = this.projects.get(key);
      if (!entry) {
        entry = this.createConfiguredProject(configured);
        if (entry) this.projects.set(key, entry);
        else this.fallbackNotes.set(abs, `${path.relative(this.root, configured.path) || configured.path} cannot be loaded; analysed with inferred settings`);
      }
    }
    if (!entry) {
      let near: TsconfigSpec | undefined;
      if (configured?.unreadable) {
        for (const message of configured.problems) this.addProjectProblem(configured.path, message);
        this.fallbackNotes.set(abs, `${path.relative(this.root, configured.path) || configured.path} cannot be read; analysed with inferred settings`);
      } else if (!configured) {
        near = owner ?? this.tsconfigs.nearest(abs);
      }
      key = near ? `${INFERRED}:${near.path}` : INFERRED;
      entry = this.projects.get(key);
      if (!entry) {
        entry = new ProgramHost(inferredOptions(near), this.fsHost);
        this.projects.set(key, entry);
      }
    }
    this.projectKeyOf.set(abs, key!);
    return entry;
  }

  private createConfiguredProject(spec: TsconfigSpec): ProjectEntry | undefined {
    const tsconfigPath = spec.path;
    for (const message of spec.problems) this.addProjectProblem(tsconfigPath, message);
    try {
      const options: TS.CompilerOptions = {
        ...spec.compilerOptions,
        configFilePath: tsconfigPath,
        noEmit: true,
        // TypeScript 6 defaults `types` to []: keep the @types auto-inclusion the project was written against.
        ...(spec.compilerOptions.types === undefined ? { types: ['*'] } : {}),
      };
      return new ProgramHost(options, this.fsHost, spec.declarationFiles().filter((f) => this.fsHost.fileExistsSync(f)));
    } catch (error) {
      this.addProjectProblem(tsconfigPath, `cannot be loaded (${(error as Error).message}); using inferred settings`);
      return undefined;
    }
  }

  private addProjectProblem(source: string, message: string): void {
    if (!this.projectProblems.some((p) => p.source === source && p.message === message)) this.projectProblems.push({ source, message });
  }

  /**
   * Tells every project a file changed; the next program re-reads it (text kept as is, CRLF included).
   */
  private refresh(file: string, existenceChanged: boolean): void {
    const abs = path.resolve(file);
    const text = this.readText(abs);
    for (const entry of this.projects.values()) {
      if (text === undefined) entry.removeRoot(abs);
      entry.fileChanged(abs, text, existenceChanged);
    }
  }

  private removeFromProjects(abs: string): void {
    for (const entry of this.projects.values()) {
      entry.removeRoot(abs);
      entry.fileChanged(abs, undefined, true);
    }
    this.testDependencies.delete(abs);
  }

  private dropProject(key: string): void {
    if (this.active === this.projects.get(key)) this.active = undefined;
    this.projects.get(key)?.dispose();
    this.projects.delete(key);
    for (const [file, k] of this.projectKeyOf) {
      if (k !== key) continue;
      this.projectKeyOf.delete(file);
      this.fallbackNotes.delete(file);
    }
    this.projectProblems = this.projectProblems.filter((p) => p.source !== key);
  }

  private dropAllProjects(): void {
    this.active = undefined;
    for (const entry of this.projects.values()) entry.dispose();
    this.projects.clear();
    this.projectKeyOf.clear();
    this.fallbackNotes.clear();
    this.projectProblems = [];
  }
}

/** User files (outside node_modules, not declarations) that a file imports, transitively, as the program resolved them. */
/**
 * A module (ES or CommonJS) that declares no `declare global` / `declare module` augmentation: only files importing it
 * can see its declarations. A script's top-level declarations are global, so scripts are never private.
 */
function isPrivateModule(sourceFile: TS.SourceFile | undefined): boolean {
  if (!sourceFile || sourceFile.isDeclarationFile) return false;
  const internal = sourceFile as TS.SourceFile & { externalModuleIndicator?: unknown; commonJsModuleIndicator?: unknown };
  if (!internal.externalModuleIndicator && !internal.commonJsModuleIndicator) return false;
  return !/\bdeclare\s+(?:global|module|namespace)\b/.test(sourceFile.text);
}

function userDependencies(program: TS.Program, sourceFile: TS.SourceFile): Set<string> {
  const checker = program.getTypeChecker();
  const deps = new Set<string>();
  const queue = [sourceFile];
  while (queue.length) {
    const current = queue.pop()!;
    for (const specifier of moduleSpecifiers(current)) {
      const moduleSymbol = checker.getSymbolAtLocation(specifier);
      const target = moduleSymbol?.valueDeclaration;
      if (!target || !ts.isSourceFile(target)) continue;
      const fileName = path.resolve(target.fileName);
      if (target.isDeclarationFile || fileName.includes(`${path.sep}node_modules${path.sep}`) || deps.has(fileName)) continue;
      deps.add(fileName);
      queue.push(target);
    }
  }
  return deps;
}

/** Module specifiers of static imports/exports, `import x = require()`, and (when the text has any) `import()` / `require()` calls. */
function moduleSpecifiers(file: TS.SourceFile): TS.Expression[] {
  const specifiers: TS.Expression[] = [];
  for (const statement of file.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier) specifiers.push(statement.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) specifiers.push(statement.moduleReference.expression);
  }
  if (!/\b(?:import|require)\s*\(/.test(file.text)) return specifiers;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const isLoader = node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require');
      if (isLoader && first && ts.isStringLiteralLike(first)) specifiers.push(first);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specifiers;
}
