import { docsPage } from '../engine/docs.js';
import type { Explanation } from '../engine/explain.js';
import {
  CancellationTokenSource,
  DidChangeConfigurationNotification,
  ErrorCodes,
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type CodeLensParams,
  type Connection,
  type DidChangeWatchedFilesParams,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type ExecuteCommandParams,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type TextDocuments,
  type WorkDoneProgressReporter,
  type WorkspaceFolder,
  type WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { clientPullsDiagnostics, describeError, serverVersion } from './connection.js';
import { findRule, RULES } from '../rules/index.js';
import { Workspaces } from '../workspace/workspaces.js';
import { WorkspaceWatcher, type FileChange } from '../workspace/watcher.js';
import { codeActions } from './codeActions.js';
import { Settings } from './configuration.js';
import { uriToPath } from './convert.js';
import { checkCodeActionParams, checkDocumentParams, checkPositionParams } from './validate.js';
import { DiagnosticsService } from './diagnostics.js';
import { hover } from './hover.js';
import { codeLenses } from './codeLens.js';
import { VerifyCommand } from './executeCommand.js';
import { Scheduler } from './scheduler.js';
import { fullGc, IdleCollector } from './memory.js';

/**
 * The engine side of the daemon: translates LSP into calls on the workspaces; knows no rule. The connection layer
 * (connection.ts) answers initialize, loads this module afterwards and hands it every message in arrival order.
 */
export class FlakelensServer {
  private readonly settings: Settings;
  private readonly scheduler: Scheduler;
  private readonly memory: IdleCollector;
  private readonly workspaces: Workspaces;
  private readonly watcher: WorkspaceWatcher;
  private readonly diagnostics: DiagnosticsService;
  private readonly verifyCommand: VerifyCommand;
  private readonly capabilities: ClientCapabilities;
  private readonly firstAnalysis = new CancellationTokenSource();
  private stopped = false;
  /** onDidOpen is followed by onDidChangeContent for the same open; the open already scheduled the work. */
  private readonly justOpened = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    params: InitializeParams,
  ) {
    this.settings = new Settings(connection, (m) => this.warn(m));
    this.memory = new IdleCollector(fullGc(), () => this.scheduler.idle);
    this.scheduler = new Scheduler((key, error) => this.error(`analysis of ${key} failed: ${describeError(error)}`), {
      ran: () => this.memory.busy(),
      drained: () => this.memory.idle(),
    });
    this.workspaces = new Workspaces(
      RULES,
      (root) => this.settings.layersFor(root),
      // Folders report their problems once their client settings are applied (initialized, folder change).
      (workspace, origin) => {
        if (origin === 'inferred') this.settings.reportProblems(workspace);
      },
    );
    this.watcher = new WorkspaceWatcher((changes) => this.diagnostics?.filesChanged(changes), { log: (m) => this.warn(m) });
    this.capabilities = params.capabilities ?? {};
    this.settings.initialize(params);
    this.diagnostics = new DiagnosticsService({
      connection: this.connection,
      documents: this.documents,
      workspaces: this.workspaces,
      scheduler: this.scheduler,
      settings: this.settings,
      log: (m) => this.log(m),
      pullMode: clientPullsDiagnostics(this.capabilities),
      refreshSupport: this.capabilities.workspace?.diagnostics?.refreshSupport === true,
    });
    this.verifyCommand = new VerifyCommand({
      connection: this.connection,
      rootOf: (file) => this.workspaces.forFile(file).root,
      blocksOf: (uri) => this.diagnostics.currentResult(uri)?.testBlocks,
      resultsWritten: (file) => this.watcher.notify([{ file, kind: 'changed' }]),
      progress: async (commandParams, attached) => {
        if (commandParams.workDoneToken !== undefined || !this.capabilities.window?.workDoneProgress) return attached;
        return (await this.connection.window.createWorkDoneProgress().catch(() => undefined)) ?? attached;
      },
      toolVersion: serverVersion(),
      log: (m) => this.log(m),
    });
    try {
      this.workspaces.setFolders(folderPaths(params));
    } catch (error) {
      this.error(`opening workspace folders failed: ${describeError(error)}`);
    }
  }

  // ---- handlers (called by the connection layer, wrapped in request()/notification()) ---------

  documentOpened(document: TextDocument): void {
    this.justOpened.add(document.uri);
    this.diagnostics.documentOpened(document);
  }

  documentChanged(document: TextDocument): void {
    if (this.justOpened.delete(document.uri)) return;
    this.diagnostics.documentChanged(document);
  }

  documentClosed(document: TextDocument): void {
    this.justOpened.delete(document.uri);
    this.diagnostics.documentClosed(document);
  }

  codeAction(params: CodeActionParams): CodeAction[] {
    const invalid = checkCodeActionParams('textDocument/codeAction', params);
    if (invalid) throw invalid;
    return codeActions(params, this.documents.get(params.textDocument.uri), this.diagnostics.resultFor(params.textDocument.uri), {
      documentChanges: this.capabilities.workspace?.workspaceEdit?.documentChanges === true,
      isRuleId: (id) => findRule(id) !== undefined,
    });
  }

  hover(params: HoverParams): Hover | null {
    const invalid = checkPositionParams('textDocument/hover', params);
    if (invalid) throw invalid;
    return hover(params, this.documents.get(params.textDocument.uri), this.diagnostics.resultFor(params.textDocument.uri), (id) => findRule(id)?.meta, this.capabilities.textDocument?.hover?.contentFormat, docsPage);
  }

  diagnostic(params: DocumentDiagnosticParams, token: CancellationToken): DocumentDiagnosticReport {
    const invalid = checkDocumentParams('textDocument/diagnostic', params);
    if (invalid) throw invalid;
    return this.diagnostics.pull(params, token);
  }

  codeLens(params: CodeLensParams): CodeLens[] {
    const invalid = checkDocumentParams('textDocument/codeLens', params);
    if (invalid) throw invalid;
    return codeLenses(this.diagnostics.currentResult(params.textDocument.uri));
  }

  executeCommand(params: ExecuteCommandParams, token: CancellationToken, workDone: WorkDoneProgressReporter): ReturnType<VerifyCommand['execute']> {
    return this.verifyCommand.execute(params, token, workDone);
  }

  explain(uri: string): Explanation | null {
    return this.diagnostics.explain(uri) ?? null;
  }

  configurationChanged(settings: unknown): void {
    void this.applyConfiguration(settings);
  }

  workspaceFoldersChanged(event: WorkspaceFoldersChangeEvent): void {
    void this.foldersChanged(event.added, event.removed);
  }

  watchedFilesChanged(params: DidChangeWatchedFilesParams): void {
    const changes: FileChange[] = [];
    for (const change of params.changes ?? []) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      const kind = change.type === FileChangeType.Created ? 'created' : change.type === FileChangeType.Deleted ? 'deleted' : 'changed';
      changes.push({ file, kind });
    }
    this.watcher.notify(changes);
  }

  async initialized(): Promise<void> {
    if (this.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'flakelens' }).catch((error: unknown) => this.warn(`registering for configuration changes failed: ${describeError(error)}`));
    }
    const folders = this.workspaces.folders();
    await this.settings.pull(this.workspaces.all());
    this.settings.apply(this.workspaces, this.workspaces.all());
    // Documents opened before the settings arrived were analysed with the config file alone.
    this.diagnostics.reanalyseEverything();
    this.startWatching(folders.map((w) => w.root));
    if (folders.length === 0 || this.stopped) return;
    const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
    if (!progress || this.stopped) return;
    const cancel = this.firstAnalysis.token;
    // The client may cancel the progress; shutdown cancels through firstAnalysis.
    const cancelled: CancellationToken = {
      get isCancellationRequested() {
        return cancel.isCancellationRequested || progress.token.isCancellationRequested;
      },
      onCancellationRequested: cancel.onCancellationRequested,
    };
    await this.diagnostics.analyseWorkspaces(folders, progress, cancelled);
  }

  private startWatching(roots: string[]): void {
    if (roots.length === 0) return;
    this.watcher
      .watch(roots)
      .then(() => this.log(`file watcher ready: ${roots.join(', ')}`))
      .catch((error: unknown) => this.warn(`file watcher could not start (${describeError(error)}); changes made outside the editor are picked up only when the client reports them`));
  }

  private async applyConfiguration(settings: unknown): Promise<void> {
    if (this.settings.supportsPull) await this.settings.pull(this.workspaces.all());
    else this.settings.setPushed(settings);
    this.settings.apply(this.workspaces, this.workspaces.all());
    this.diagnostics.reanalyseEverything();
  }

  private async foldersChanged(added: WorkspaceFolder[], removed: WorkspaceFolder[]): Promise<void> {
    for (const folder of removed) {
      const root = uriToPath(folder.uri);
      if (!root) continue;
      this.watcher.unwatch(root);
      this.diagnostics.forgetUnder(root);
      this.workspaces.removeFolder(root);
    }
    const fresh = added.map((f) => uriToPath(f.uri)).filter((r): r is string => r !== undefined).map((r) => this.workspaces.addFolder(r));
    if (fresh.length === 0) return;
    await this.settings.pull(fresh);
    this.settings.apply(this.workspaces, fresh);
    this.startWatching(fresh.map((w) => w.root));
    const files = fresh.flatMap((w) => w.listTestFiles());
    this.diagnostics.reanalyse(files);
  }

  async shutdown(): Promise<void> {
    this.stop();
    await this.watcher.close().catch(() => undefined);
  }

  /** Idempotent: stops analysing and releases the projects. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Only once: CancellationTokenSource.cancel throws when called again before its token was read.
    this.firstAnalysis.cancel();
    this.verifyCommand?.cancel();
    this.diagnostics?.dispose();
    this.scheduler.dispose();
    this.memory.dispose();
    void this.watcher.close().catch(() => undefined);
    this.workspaces.dispose();
  }

  /** Every request handler: a thrown error becomes a logged message and an error response, never a dead server. */
  async request<R>(method: string, handler: () => R | Promise<R>, token?: CancellationToken): Promise<R | ResponseError<never>> {
    if (token?.isCancellationRequested) return new ResponseError<never>(LSPErrorCodes.RequestCancelled, `${method} cancelled`);
    // LSP: requests after shutdown fail with InvalidRequest (and must not recreate released workspaces).
    if (this.stopped) return new ResponseError<never>(ErrorCodes.InvalidRequest, `flakelens: ${method} after shutdown`);
    try {
      return await handler();
    } catch (error) {
      if (error instanceof ResponseError) return error as ResponseError<never>;
      this.error(`${method} failed: ${describeError(error)}`);
      return new ResponseError<never>(ErrorCodes.InternalError, `flakelens: ${method} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  notification(method: string, handler: () => void): void {
    // After shutdown only exit matters; anything else would recreate the released workspaces.
    if (this.stopped) return;
    try {
      handler();
    } catch (error) {
      this.error(`${method} failed: ${describeError(error)}`);
    }
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  private warn(message: string): void {
    this.connection.console.warn(message);
  }

  private error(message: string): void {
    this.connection.console.error(message);
  }
}

function folderPaths(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  const paths = uris.map(uriToPath).filter((p): p is string => p !== undefined);
  if (paths.length === 0 && params.rootPath) paths.push(params.rootPath);
  return paths;
}
