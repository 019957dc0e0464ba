import type { Explanation } from '../engine/explain.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DocumentDiagnosticReportKind,
  MessageType,
  ShowMessageNotification,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type TextDocuments,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { unresolvedRunnerNote } from '../engine/analyze.js';
import type { FileAnalysis } from '../engine/analyze.js';
import type { Finding } from '../engine/types.js';
import type { TestBlockInfo } from '../engine/testBlocks.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Workspaces } from '../workspace/workspaces.js';
import type { FileChange } from '../workspace/watcher.js';
import { isScriptFile } from '../workspace/files.js';
import { PassResultCache } from '../workspace/resultCache.js';
import { relativePath } from '../cli/report.js';
import { findingToDiagnostic, pathToUri, skippedFileDiagnostic, uriToPath } from './convert.js';
import type { Scheduler } from './scheduler.js';
import type { Settings } from './configuration.js';

function diagnosticsOf(result: StoredResult): Diagnostic[] {
  return result.skippedNote !== undefined ? [skippedFileDiagnostic(result.skippedNote)] : result.findings.map(findingToDiagnostic);
}

/** The last analysis of a file, as plain data: what code actions and hover read. */
export interface StoredResult {
  uri: string;
  file: string;
  /** Document version analysed; undefined when the text came from disk. */
  version: number | undefined;
  findings: Finding[];
  /** Set when the file was not analysed (too large, binary): said as one diagnostic instead of findings. */
  skippedNote?: string;
  /** Tests and suites (code lenses, verdict hovers). */
  testBlocks?: TestBlockInfo[];
  resultId: string;
}

export interface DiagnosticsOptions {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  workspaces: Workspaces;
  scheduler: Scheduler;
  settings: Settings;
  log: (message: string) => void;
  /** The client pulls diagnostics for open documents (textDocument/diagnostic); we then push only for closed files. */
  pullMode: boolean;
  /** The client can be asked to re-pull (workspace/diagnostic/refresh). */
  refreshSupport: boolean;
}

/**
 * Decides what to analyse and when, and publishes the results.
 * Open test documents are analysed from their buffer after a debounce; files changed on disk (or
 * helper buffers) re-analyse the test files that import them; closed test files keep disk-based results.
 */
export class DiagnosticsService {
  private readonly results = new Map<string, StoredResult>();
  /** URIs we pushed a non-empty diagnostic list for, so they can be cleared. */
  private readonly pushed = new Set<string>();
  /** Open documents whose buffer has not reached the workspaces yet (synced right before an analysis). */
  private readonly dirty = new Set<string>();
  private readonly openUris = new Map<string, string>();
  private nextResultId = 1;
  private disposed = false;

  constructor(private readonly o: DiagnosticsOptions) {}

  resultFor(uri: string): StoredResult | undefined {
    return this.results.get(uri);
  }

  /** The result for the document's current version, analysed now when the stored one is older (code lenses). */
  currentResult(uri: string): StoredResult | undefined {
    const file = this.scriptPath(uri);
    if (!file || this.disposed) return undefined;
    const result = this.results.get(uri);
    if (result && result.version === this.o.documents.get(uri)?.version) return result;
    this.o.scheduler.cancel(uri);
    return this.analyzeAndPublish(file, uri);
  }

  // ---- editor documents ---------------------------------------------------------------------

  documentOpened(document: TextDocument): void {
    const file = this.scriptPath(document.uri);
    if (!file) return;
    this.openUris.set(file, document.uri);
    this.dirty.add(document.uri);
    if (this.o.pullMode && this.pushed.has(document.uri)) this.publish(document.uri, undefined, []); // the pull channel owns it now
    // Opening a file whose buffer equals the disk changes nothing for the files importing it.
    const differsFromDisk = this.o.workspaces.forFile(file).readText(file) !== document.getText();
    this.documentEdited(document, file, 0, differsFromDisk);
  }

  documentChanged(document: TextDocument): void {
    const file = this.scriptPath(document.uri);
    if (!file) return;
    this.dirty.add(document.uri);
    this.documentEdited(document, file, this.o.workspaces.forFile(file).config.debounceMs);
  }

  /** The buffer is dropped (disk wins again); a closed test file keeps results for its saved content. */
  documentClosed(document: TextDocument): void {
    const file = this.scriptPath(document.uri);
    if (!file) return;
    this.openUris.delete(file);
    this.dirty.delete(document.uri);
    this.o.scheduler.cancel(document.uri);
    for (const workspace of this.workspacesOf(file)) workspace.clearBuffer(file);
    this.results.delete(document.uri);
    const workspace = this.o.workspaces.forFile(file);
    if (workspace.isAnalysable(file)) {
      this.o.scheduler.enqueue(document.uri, 'background', () => this.analyzeAndPublish(file, document.uri));
    }
    this.scheduleDependents(workspace, file, 0);
  }

  private documentEdited(document: TextDocument, file: string, delayMs: number, dependents = true): void {
    const workspace = this.o.workspaces.forFile(file);
    if (workspace.isAnalysable(file) && !this.o.pullMode) {
      this.o.scheduler.debounce(document.uri, delayMs, 'foreground', () => this.analyzeAndPublish(file, document.uri));
    }
    // A helper buffer (or a test imported by another test) changes the results of its importers.
    if (dependents) this.scheduleDependents(workspace, file, delayMs);
  }

  private scheduleDependents(workspace: Workspace, file: string, delayMs: number): void {
    const key = `dependents:${file}`;
    this.o.scheduler.debounce(key, delayMs, 'background', () => {
      this.syncBuffers();
      const affected = workspace.affectedBy(file).filter((f) => f !== file);
      this.reanalyse(affected);
    });
  }

  // ---- analysis -------------------------------------------------------------------------------

  /** Analyses one test file (buffer if open, else disk) and publishes unless the result is stale. */
  /** Workspaces already told that their runner modules do not resolve (said once per workspace). */
  private readonly warnedUnresolved = new WeakSet<Workspace>();

  private warnUnresolved(workspace: Workspace, file: string, modules: string[]): void {
    if (this.warnedUnresolved.has(workspace)) return;
    this.warnedUnresolved.add(workspace);
    const message = `flakelens: ${unresolvedRunnerNote(modules.map((module) => ({ module, file: path.relative(workspace.root, file).split(path.sep).join('/') })), workspace.root)}`;
    this.o.log(message);
    // A notification, not showMessageRequest: nothing to answer, and clients without request support still show it.
    void this.o.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
  }

  /** `analysed` is told the analysis of a file read from disk (none when a buffer was analysed or nothing was published). */
  analyzeAndPublish(file: string, uri = this.uriFor(file), analysed?: (analysis: FileAnalysis) => void): StoredResult | undefined {
    if (this.disposed) return undefined;
    this.syncBuffers();
    const workspace = this.o.workspaces.forFile(file);
    const document = this.o.documents.get(uri);
    if (!workspace.isAnalysable(file)) {
      this.drop(uri);
      return undefined;
    }
    if (!document && !fs.existsSync(file)) {
      workspace.forget(file);
      this.drop(uri);
      return undefined;
    }
    const version = document?.version;
    const started = Date.now();
    const analysis = workspace.analyzeFile(file);
    for (const note of analysis.notes) this.o.log(`${file}: ${note}`);
    if (analysis.unresolvedRunnerModules) this.warnUnresolved(workspace, file, analysis.unresolvedRunnerModules);
    if (analysis.skipped && !document && !fs.existsSync(file)) {
      this.drop(uri);
      return undefined;
    }
    const elapsed = Date.now() - started;
    if (elapsed > 1000) this.o.log(`${file}: analysis took ${elapsed} ms`);
    const result = this.publishAnalysis(uri, file, version, analysis);
    if (result && !document) analysed?.(analysis);
    return result;
  }

  /** Publishes a file's analysis (fresh or from the result cache) unless the editor has moved past `version`. */
  publishAnalysis(uri: string, file: string, version: number | undefined, analysis: FileAnalysis): StoredResult | undefined {
    const result: StoredResult = {
      uri,
      file,
      version,
      findings: analysis.findings,
      skippedNote: analysis.skipped ? analysis.notes.join('; ') : undefined,
      ...(analysis.testBlocks ? { testBlocks: analysis.testBlocks } : {}),
      resultId: String(this.nextResultId++),
    };
    // Never publish for a version the editor has moved past.
    const current = this.o.documents.get(uri);
    if (current?.version !== version) return undefined;
    this.results.set(uri, result);
    if (!(this.o.pullMode && current)) this.publish(uri, version, diagnosticsOf(result));
    return result;
  }

  /** Re-analyses test files in the background; open ones in pull mode are re-pulled by the client instead. */
  reanalyse(files: Iterable<string>): void {
    let refresh = false;
    for (const file of new Set(files)) {
      const uri = this.uriFor(file);
      if (this.o.pullMode && this.o.documents.get(uri)) {
        this.results.delete(uri);
        refresh = true;
        continue;
      }
      // What the user looks at comes before the rest.
      this.o.scheduler.enqueue(uri, this.o.documents.get(uri) ? 'foreground' : 'background', () => this.analyzeAndPublish(file, uri));
    }
    if (refresh) this.refreshPulls();
  }

  /** Every file with results, every known test file and every open test document (after a settings change). */
  reanalyseEverything(): void {
    const files = new Set<string>([...this.results.values()].map((r) => r.file));
    for (const workspace of this.o.workspaces.all()) for (const f of workspace.knownTestFiles()) files.add(f);
    for (const file of this.openUris.keys()) files.add(file);
    // Stored results of open documents are stale now, even when the client will re-pull them.
    for (const document of this.o.documents.all()) this.results.delete(document.uri);
    this.reanalyse(files);
    if (this.o.pullMode) this.refreshPulls();
  }

  // ---- pull diagnostics -----------------------------------------------------------------------

  pull(params: DocumentDiagnosticParams, token: CancellationToken): DocumentDiagnosticReport {
    const uri = params.textDocument.uri;
    const file = uriToPath(uri);
    const empty: DocumentDiagnosticReport = { kind: DocumentDiagnosticReportKind.Full, items: [] };
    if (!file || token.isCancellationRequested) return empty;
    const document = this.o.documents.get(uri);
    let result = this.results.get(uri);
    if (!result || result.version !== document?.version) {
      this.o.scheduler.cancel(uri);
      result = this.analyzeAndPublish(file, uri);
    }
    if (!result) return empty;
    if (params.previousResultId === result.resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: result.resultId };
    const items = diagnosticsOf(result);
    return { kind: DocumentDiagnosticReportKind.Full, resultId: result.resultId, items };
  }

  // ---- workspace ------------------------------------------------------------------------------

  /**
   * First analysis: every test file of the given workspaces, one at a time, yielding between files. Files the result
   * cache still answers for are published from it first, without analysis; the cache is written back after the pass.
   */
  async analyseWorkspaces(workspaces: Workspace[], progress: WorkDoneProgressReporter, cancel: CancellationToken): Promise<void> {
    const started = Date.now();
    // Progress starts before listing: adding hundreds of files to their projects takes seconds on its own.
    progress.begin('flakelens', 0, 'Finding test files', true);
    // Open documents first: analysed while their program holds only them (and what they import), not the whole
    // workspace's, so the file the user looks at shows results in about the time of one file.
    await this.o.scheduler.foregroundSettled(5_000);
    const plans: Array<{ workspace: Workspace; tests: string[]; files: string[] }> = [];
    for (const workspace of workspaces) {
      if (this.disposed || cancel.isCancellationRequested) break;
      try {
        const listed = workspace.listTestFiles(undefined, (dir, reason) => this.o.log(`${dir}: directory ${reason}; its test files are not analysed`));
        // One program per project for the whole pass, instead of one per newly added file.
        workspace.addRoots(listed);
        plans.push({ workspace, tests: listed, files: [...workspace.inAnalysisOrder(listed), ...workspace.runnerConfigFilesFor(listed)] });
      } catch (error) {
        this.o.log(`listing test files under ${workspace.root} failed: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const total = plans.reduce((n, p) => n + p.files.length, 0);
    progress.report(0, `Analysing ${total} test files`);
    let findings = 0;
    let done = 0;
    let cached = 0;
    const stopped = () => this.disposed || cancel.isCancellationRequested;
    const step = async (workspace: Workspace, file: string) => {
      done++;
      const shown = workspaces.length === 1 ? path.relative(workspace.root, file) : file;
      progress.report(Math.round((done / total) * 100), `${done}/${total} ${shown}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    try {
      for (const { workspace, tests, files } of plans) {
        if (stopped()) break;
        const cache = PassResultCache.open(workspace, tests, this.o.log);
        const hits = new Set<string>();
        const analyse = async (file: string, counted: boolean) => {
          const uri = this.uriFor(file);
          if (!this.o.documents.get(uri)) {
            try {
              const result = this.analyzeAndPublish(file, uri, (analysis) => cache?.store(file, analysis));
              if (counted) findings += result?.findings.length ?? 0;
            } catch (error) {
              this.o.log(`${file}: analysis failed: ${(error as Error).stack ?? String(error)}`);
            }
          }
          if (counted) await step(workspace, file);
          else await new Promise<void>((resolve) => setImmediate(resolve));
        };
        cache?.begin(tests);
        try {
          // Open documents are analysed from their buffers by the editor path, never taken from the cache.
          for (const file of cache ? tests : []) {
            const uri = this.uriFor(file);
            if (this.o.documents.get(uri)) continue;
            const hit = cache!.lookup(file);
            if (!hit) continue;
            workspace.adoptCachedAnalysis(file, hit.analysis, hit.dependencies);
            for (const note of hit.analysis.notes) this.o.log(`${file}: ${note}`);
            if (hit.analysis.unresolvedRunnerModules) this.warnUnresolved(workspace, file, hit.analysis.unresolvedRunnerModules);
            findings += this.publishAnalysis(uri, file, undefined, hit.analysis)?.findings.length ?? 0;
            hits.add(file);
          }
          cached += hits.size;
          for (const file of hits) await step(workspace, file);
          for (const file of files) {
            if (stopped()) break;
            if (!hits.has(file)) await analyse(file, true);
          }
          // Something the analysed files brought in may be seen by every file of their program: analyse the hits too.
          const stale = !stopped() && hits.size > 0 ? cache?.hitsAreStale() : undefined;
          if (stale) {
            this.o.log(`result cache: the analysed files read ${stale}, which every file may see; re-analysing the ${hits.size} cached file(s)`);
            cached -= hits.size;
            for (const file of hits) {
              if (stopped()) break;
              await analyse(file, false);
            }
          }
          if (!stopped()) cache?.complete();
        } finally {
          cache?.end();
        }
        workspace.trackRunnerConfigs([...hits].filter((file) => this.results.has(this.uriFor(file))));
        const problem = cache?.save(workspace.problems.filter((p) => !workspace.configProblems.includes(p)).map((p) => `${relativePath(workspace.root, p.source)}: ${p.message}`));
        if (problem) this.o.log(problem);
      }
    } finally {
      progress.done();
    }
    const how = done < total ? `stopped after ${done} of ${total}` : `${total}`;
    this.o.log(`workspace analysis: ${how} test files (${cached} from the result cache), ${findings} findings, ${Date.now() - started} ms`);
  }

  /** The engine's explanation of a file (test model + runner config), from the current buffers. */
  explain(uri: string): Explanation | undefined {
    const file = this.scriptPath(uri);
    if (!file || this.disposed) return undefined;
    this.syncBuffers();
    return this.o.workspaces.forFile(file).explainFile(file).explanation;
  }

  /** Changes on disk (watcher or client): refresh the workspaces and re-analyse what they affect. */
  filesChanged(changes: FileChange[]): void {
    const affected = new Set<string>();
    const created = new Map<Workspace, string[]>();
    for (const change of this.expandDeletedDirectories(changes)) {
      for (const workspace of this.workspacesOf(change.file)) {
        const configBefore = workspace.config;
        if (change.kind === 'created' && workspace.isTestFile(change.file)) created.set(workspace, [...(created.get(workspace) ?? []), change.file]);
        for (const file of workspace.fileChanged(change.file, change.kind)) affected.add(file);
        if (path.basename(change.file) === 'verify.json') {
          const problem = workspace.verifyResults().problem;
          if (problem) this.o.log(`verify results not shown: ${problem}`);
        }
        if (workspace.config !== configBefore) {
          this.o.settings.reportProblems(workspace);
          // testFiles may have changed: results for files that are no longer tests must go.
          for (const result of this.results.values()) if (this.workspacesOf(result.file).includes(workspace)) affected.add(result.file);
        }
      }
    }
    // Many new test files (a checkout, a generator): one program for all of them, not one rebuilt per file.
    for (const [workspace, files] of created) if (files.length > 1) workspace.addRoots(files);
    if (affected.size) this.o.log(`files changed on disk: re-analysing ${affected.size} test file(s)`);
    this.reanalyse(affected);
  }

  /**
   * A deleted path may be a directory (the watcher's unlinkDir, or a client reporting a folder): every file known
   * below it (results, analysed tests, their imports) is deleted with it, whether or not its own deletion was reported.
   */
  private expandDeletedDirectories(changes: FileChange[]): FileChange[] {
    const out: FileChange[] = [];
    const seen = new Set<string>();
    const push = (change: FileChange) => {
      const key = `${change.kind}:${change.file}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(change);
    };
    for (const change of changes) {
      push(change);
      if (change.kind !== 'deleted' || fs.existsSync(change.file)) continue;
      const prefix = path.resolve(change.file) + path.sep;
      const below = new Set<string>();
      for (const result of this.results.values()) if (result.file.startsWith(prefix)) below.add(result.file);
      for (const workspace of this.o.workspaces.all()) for (const file of workspace.knownFilesUnder(change.file)) below.add(file);
      for (const file of [...below].sort()) push({ file, kind: 'deleted' });
    }
    return out;
  }

  /** Clears results of files under a removed workspace folder. */
  forgetUnder(root: string): void {
    for (const result of [...this.results.values()]) {
      const rel = path.relative(root, result.file);
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) this.drop(result.uri);
    }
  }

  dispose(): void {
    this.disposed = true;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Only file: URIs of JS/TS sources and Python files (verify verdicts only) take part; other documents are neither analysed nor overlaid. */
  private scriptPath(uri: string): string | undefined {
    const file = uriToPath(uri);
    return file && (isScriptFile(file) || file.endsWith('.py')) ? file : undefined;
  }

  uriFor(file: string): string {
    return this.openUris.get(path.resolve(file)) ?? pathToUri(file);
  }

  private workspacesOf(file: string): Workspace[] {
    return [...new Set([this.o.workspaces.forFile(file), ...this.o.workspaces.containing(file)])];
  }

  /** Brings open buffers into the workspaces before an analysis reads them. */
  private syncBuffers(): void {
    for (const uri of this.dirty) {
      const document = this.o.documents.get(uri);
      const file = uriToPath(uri);
      if (document && file) for (const workspace of this.workspacesOf(file)) workspace.setBuffer(file, document.getText());
    }
    this.dirty.clear();
  }

  private drop(uri: string): void {
    this.results.delete(uri);
    if (this.pushed.has(uri)) this.publish(uri, undefined, []);
  }

  private publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
    if (diagnostics.length) this.pushed.add(uri);
    else this.pushed.delete(uri);
    void this.o.connection.sendDiagnostics({ uri, version, diagnostics });
  }

  private refreshPulls(): void {
    if (!this.o.refreshSupport) return;
    this.o.connection.languages.diagnostics.refresh().catch((error: unknown) => this.o.log(`diagnostic refresh failed: ${(error as Error).message}`));
  }
}
