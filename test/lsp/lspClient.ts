import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type {
  ClientCapabilities,
  Diagnostic,
  InitializeResult,
  Position,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'server/dist/bin/cli.js');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');

export interface Message {
  method: string;
  params: any;
}

export interface StartOptions {
  root: string;
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** Answers workspace/configuration; only used when capabilities.workspace.configuration is true. */
  configuration?: (items: Array<{ scopeUri?: string; section?: string }>) => unknown[];
  /** Extra environment for the server process (e.g. TMPDIR). */
  env?: NodeJS.ProcessEnv;
}

/** Client capabilities of a plain push-diagnostics editor with progress and configuration support. */
export function defaultCapabilities(extra: ClientCapabilities = {}): ClientCapabilities {
  return {
    window: { workDoneProgress: true },
    workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
    textDocument: {
      hover: { contentFormat: ['markdown', 'plaintext'] },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
      publishDiagnostics: { versionSupport: true },
    },
    ...extra,
  };
}

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

/** A scratch workspace inside test/fixtures so the repository's node_modules (vitest, jest, ...) resolve. */
export function tempWorkspace(files: Record<string, string>): string {
  fs.mkdirSync(FIXTURES, { recursive: true });
  const root = fs.mkdtempSync(path.join(FIXTURES, '.tmp-lsp-'));
  for (const [name, text] of Object.entries(files)) writeFile(root, name, text);
  return root;
}

export function writeFile(root: string, name: string, text: string): string {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function removeWorkspace(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** Zero-based position of the n-th occurrence of `needle` (plus `offset` characters). */
export function positionOf(text: string, needle: string, offset = 0, occurrence = 0): Position {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" not found in text`);
  }
  index += offset;
  const before = text.slice(0, index);
  const line = before.split('\n').length - 1;
  return { line, character: index - (before.lastIndexOf('\n') + 1) };
}

/**
 * Talks to the built server over real stdio. Every notification is recorded, so a test can wait for
 * one that may already have arrived: `mark()` then `waitFor(..., { after: mark })`.
 */
export class LspClient {
  readonly messages: Message[] = [];
  stderr = '';
  initializeResult!: InitializeResult;
  private listeners: Array<() => void> = [];
  private readonly exited: Promise<number | null>;
  readonly requestsFromServer: Message[] = [];

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    readonly root: string,
  ) {
    this.exited = new Promise((resolve) => process.on('exit', (code) => resolve(code)));
  }

  static async start(options: StartOptions): Promise<LspClient> {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .)`);
    const child = spawn(process.execPath, [CLI, '--stdio'], { cwd: options.root, stdio: 'pipe', ...(options.env ? { env: { ...process.env, ...options.env } } : {}) });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, connection, options.root);
    child.stderr.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    connection.onNotification((method: string, params: unknown) => client.record({ method, params }));
    connection.onUnhandledProgress((params) => client.record({ method: '$/progress', params }));
    connection.onRequest((method: string, params: any) => {
      client.requestsFromServer.push({ method, params });
      client.record({ method: `request:${method}`, params });
      if (method === 'workspace/configuration') return options.configuration ? options.configuration(params.items) : params.items.map(() => null);
      return null;
    });
    connection.onError(() => {});
    connection.listen();
    const capabilities = options.capabilities ?? defaultCapabilities();
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(options.root),
      workspaceFolders: [{ uri: uriOf(options.root), name: path.basename(options.root) }],
      capabilities,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  mark(): number {
    return this.messages.length;
  }

  /** Resolves with the first matching notification at index >= after; rejects after the timeout. */
  waitFor<T = any>(method: string, predicate: (params: T) => boolean = () => true, options: { after?: number; timeoutMs?: number } = {}): Promise<T> {
    const after = options.after ?? 0;
    const timeoutMs = options.timeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = after; i < this.messages.length; i++) {
          const m = this.messages[i]!;
          if (m.method === method && predicate(m.params as T)) {
            resolve(m.params as T);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const listener = () => {
        if (check()) cleanup();
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.messages.slice(after).map((m) => `${m.method} ${JSON.stringify(m.params).slice(0, 300)}`).join('\n');
        reject(new Error(`timed out waiting for ${method}\nseen since mark:\n${seen}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }

  waitForDiagnostics(uri: string, predicate: (params: PublishDiagnosticsParams) => boolean = () => true, options: { after?: number; timeoutMs?: number } = {}): Promise<PublishDiagnosticsParams> {
    return this.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri && predicate(p), options);
  }

  /** Every publishDiagnostics for the uri so far. */
  published(uri: string): PublishDiagnosticsParams[] {
    return this.messages.filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri).map((m) => m.params);
  }

  open(file: string, text: string, version = 1, languageId = 'typescript'): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId, version, text } });
  }

  change(file: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(file), version }, contentChanges: [{ text }] });
  }

  close(file: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
  }

  request<R = any>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** shutdown + exit through the protocol; resolves with the process exit code. */
  async shutdown(): Promise<number | null> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    return this.exitCode();
  }

  exitCode(timeoutMs = 10_000): Promise<number | null> {
    return Promise.race([
      this.exited,
      new Promise<number | null>((_, reject) => setTimeout(() => reject(new Error(`server did not exit\nstderr:\n${this.stderr}`)), timeoutMs)),
    ]);
  }

  /** For afterAll: ends the process even when a test failed midway. */
  async dispose(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      try {
        await Promise.race([this.shutdown(), new Promise((r) => setTimeout(r, 3000))]);
      } catch {
        // fall through to kill
      }
      if (this.process.exitCode === null) this.process.kill();
    }
    this.connection.dispose();
  }

  private record(message: Message): void {
    this.messages.push(message);
    for (const listener of [...this.listeners]) listener();
  }
}

export function ruleDiagnostics(params: PublishDiagnosticsParams | { items: Diagnostic[] }, ruleId: string): Diagnostic[] {
  const list = 'diagnostics' in params ? params.diagnostics : params.items;
  return list.filter((d) => d.code === ruleId);
}
