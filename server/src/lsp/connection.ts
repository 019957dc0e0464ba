import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as Protocol from 'vscode-languageserver/node';
import type { CancellationToken, ClientCapabilities, Connection, InitializeParams, InitializeResult, ResponseError as ResponseErrorType } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { VERIFY_COMMAND } from './codeLens.js';
// Types only: the engine (ts-morph, the rules) is loaded after initialize has been answered (see ServerShell).
import type { FlakelensServer } from './server.js';

// The protocol library through require, not import: Node's ESM loader lexes each CommonJS file it imports for its
// export names and detects its module format, about 80 ms of the time to the initialize answer. The engine's own
// imports of it, later, get the same module instance from the require cache.
const { CodeActionKind, createConnection, ErrorCodes, ProposedFeatures, ResponseError, TextDocuments, TextDocumentSyncKind } = createRequire(import.meta.url)('vscode-languageserver/node') as typeof Protocol;
type ResponseError<D> = ResponseErrorType<D>;

export function serverVersion(): string {
  try {
    // Same relative location from server/src/lsp and server/dist/lsp.
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The client pulls diagnostics for open documents (textDocument/diagnostic); the server then pushes only for closed files. */
export function clientPullsDiagnostics(capabilities: ClientCapabilities): boolean {
  return capabilities.textDocument?.diagnostic !== undefined;
}

/** What the server offers: a function of the client's capabilities alone, so it needs no engine. */
export function initializeResult(params: InitializeParams): InitializeResult {
  const pullMode = clientPullsDiagnostics(params.capabilities ?? {});
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      executeCommandProvider: { commands: [VERIFY_COMMAND] },
      ...(pullMode ? { diagnosticProvider: { identifier: 'flakelens', interFileDependencies: true, workspaceDiagnostics: false } } : {}),
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'flakelens', version: serverVersion() },
  };
}

/**
 * The connection layer: answers `initialize` at once and loads the engine afterwards. Loading ts-morph and the rules
 * takes over a second of CPU; an editor waits for the initialize answer before it shows anything. Every request and
 * notification that arrives while the engine loads is kept, in arrival order, and handed to it once it is ready:
 * a document opened meanwhile is analysed, a request waits instead of failing.
 */
export class ServerShell {
  private readonly documents = new TextDocuments(TextDocument);
  private engine: FlakelensServer | undefined;
  private engineFailed: string | undefined;
  /** Work that arrived while the engine was loading, in arrival order. */
  private pending: Array<() => void> = [];
  /** LSP: until initialize has been answered, requests fail with ServerNotInitialized and notifications are dropped. */
  private initializeDone = false;
  private exited = false;

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => {
      if (this.initializeDone) return new ResponseError<never>(ErrorCodes.InvalidRequest, 'flakelens: initialize was already called');
      this.initializeDone = true;
      // The answer is written in the writer's next setImmediate; loading the engine blocks the event loop, so it
      // starts one turn after that.
      setImmediate(() => setImmediate(() => void this.load(params)));
      // The library fires this event as the notification arrives: subscribed now, so none is lost while the engine loads.
      if (params.capabilities?.workspace?.workspaceFolders) {
        try {
          c.workspace.onDidChangeWorkspaceFolders((event) => this.notify('workspace/didChangeWorkspaceFolders', (s) => s.workspaceFoldersChanged(event)));
        } catch (error) {
          c.console.warn(`workspace folder changes unavailable: ${describeError(error)}`);
        }
      }
      return initializeResult(params);
    });
    c.onInitialized(() => this.notify('initialized', (s) => void s.initialized()));
    c.onShutdown(() => this.request('shutdown', (s) => s.shutdown()));
    c.onExit(() => {
      this.exited = true;
      this.engine?.stop();
    });
    this.documents.onDidOpen((e) => this.notify('textDocument/didOpen', (s) => s.documentOpened(e.document)));
    this.documents.onDidChangeContent((e) => this.notify('textDocument/didChange', (s) => s.documentChanged(e.document)));
    this.documents.onDidClose((e) => this.notify('textDocument/didClose', (s) => s.documentClosed(e.document)));
    this.documents.listen(c);
    c.onCodeAction((params) => this.request('textDocument/codeAction', (s) => s.codeAction(params)));
    c.onHover((params) => this.request('textDocument/hover', (s) => s.hover(params)));
    c.languages.diagnostics.on((params, token) => this.request('textDocument/diagnostic', (s) => s.diagnostic(params, token), token));
    c.onCodeLens((params) => this.request('textDocument/codeLens', (s) => s.codeLens(params)));
    // Runs the user's tests: only there, on the user's explicit command (the "Verify" lens).
    c.onExecuteCommand((params, token, workDone) => this.request('workspace/executeCommand', (s) => s.executeCommand(params, token, workDone), token));
    // Not part of LSP: what flakelens knows about a file (test model, runner config), for editors and debugging.
    c.onRequest('flakelens/explain', (params: { textDocument?: { uri?: string } }) => this.request('flakelens/explain', (s) => s.explain(params?.textDocument?.uri ?? '')));
    c.onDidChangeConfiguration((params) => this.notify('workspace/didChangeConfiguration', (s) => s.configurationChanged(params.settings)));
    c.onDidChangeWatchedFiles((params) => this.notify('workspace/didChangeWatchedFiles', (s) => s.watchedFilesChanged(params)));
    c.listen();
  }

  private async load(params: InitializeParams): Promise<void> {
    if (this.exited) return;
    try {
      const { FlakelensServer } = await import('./server.js');
      if (!this.exited) this.engine = new FlakelensServer(this.connection, this.documents, params);
    } catch (error) {
      this.engineFailed = describeError(error);
      this.connection.console.error(`flakelens: the engine could not be loaded: ${this.engineFailed}`);
    }
    const pending = this.pending;
    this.pending = [];
    for (const run of pending) run();
  }

  private request<R>(method: string, handler: (engine: FlakelensServer) => R | Promise<R>, token?: CancellationToken): Promise<R | ResponseError<never>> | ResponseError<never> {
    if (!this.initializeDone) return new ResponseError<never>(ErrorCodes.ServerNotInitialized, `flakelens: ${method} before initialize`);
    const run = (): Promise<R | ResponseError<never>> | ResponseError<never> =>
      this.engine ? this.engine.request(method, () => handler(this.engine!), token) : new ResponseError<never>(ErrorCodes.InternalError, `flakelens: ${method}: the engine could not be loaded (${this.engineFailed ?? 'exited'})`);
    if (this.engine || this.engineFailed !== undefined) return run();
    return new Promise((resolve) => this.pending.push(() => resolve(run())));
  }

  private notify(method: string, handler: (engine: FlakelensServer) => void): void {
    if (!this.initializeDone) return;
    const run = () => this.engine?.notification(method, () => handler(this.engine!));
    if (this.engine || this.engineFailed !== undefined) run();
    else this.pending.push(run);
  }
}

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  // A bug anywhere must not take the daemon down with it.
  process.on('uncaughtException', (error) => connection.console.error(`unexpected error: ${describeError(error)}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${describeError(reason)}`));
  new ServerShell(connection).listen();
}
