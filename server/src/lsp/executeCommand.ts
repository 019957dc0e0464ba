import {
  ErrorCodes,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  type CancellationToken,
  type Connection,
  type ExecuteCommandParams,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import type { TestBlockInfo } from '../engine/testBlocks.js';
import { MODES, type Mode } from '../verify/types.js';
import { VerifyError } from '../verify/verify.js';
import { verifyTests } from '../verify/verifyTests.js';
import { EDITOR_VERIFY_RUNS, VERIFY_COMMAND } from './codeLens.js';
import { uriToPath } from './convert.js';

export interface VerifyCommandContext {
  connection: Connection;
  /** Workspace root owning the file. */
  rootOf(file: string): string;
  /** The file's tests and suites from its current analysis. */
  blocksOf(uri: string): readonly TestBlockInfo[] | undefined;
  /** Tells the server the results file changed (the watcher path re-reads it). */
  resultsWritten(file: string): void;
  /** A progress reporter: the client's token when it sent one, else one the server creates (undefined: none). */
  progress(params: ExecuteCommandParams, attached: WorkDoneProgressReporter): Promise<WorkDoneProgressReporter & { token?: CancellationToken }>;
  toolVersion: string;
  log(message: string): void;
}

interface VerifyArguments {
  uri: string;
  titles: string[];
  runs: number;
  modes?: Mode[];
  seed?: number;
}

function invalid(message: string): ResponseError<never> {
  return new ResponseError<never>(ErrorCodes.InvalidParams, `flakelens.verify: ${message}`);
}

/** arguments: [fileUri, titlePath?, { runs?, modes?, seed? }?] */
function parseArguments(args: unknown[] | undefined): VerifyArguments | ResponseError<never> {
  const [uri, titles, options] = args ?? [];
  if (typeof uri !== 'string') return invalid('the first argument must be the test file URI');
  if (titles !== undefined && (!Array.isArray(titles) || titles.some((t) => typeof t !== 'string'))) return invalid('the second argument must be a title path (array of strings)');
  const o = (options ?? {}) as { runs?: unknown; modes?: unknown; seed?: unknown };
  if (typeof o !== 'object') return invalid('the third argument must be an options object');
  if (o.runs !== undefined && !(Number.isInteger(o.runs) && (o.runs as number) >= 1)) return invalid('runs must be a positive integer');
  if (o.modes !== undefined && (!Array.isArray(o.modes) || o.modes.length === 0 || o.modes.some((m) => !(MODES as readonly unknown[]).includes(m)))) {
    return invalid(`modes must be a non-empty list of ${MODES.join(', ')}`);
  }
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && (o.seed as number) >= 0)) return invalid('seed must be a non-negative integer');
  return {
    uri,
    titles: (titles as string[] | undefined) ?? [],
    runs: (o.runs as number | undefined) ?? EDITOR_VERIFY_RUNS,
    ...(o.modes ? { modes: o.modes as Mode[] } : {}),
    ...(o.seed !== undefined ? { seed: o.seed as number } : {}),
  };
}

/**
 * `flakelens.verify`: runs the user's tests (only on this explicit command) with work-done progress; cancelling the
 * request or the progress kills the runner's process tree. One verification at a time.
 */
export class VerifyCommand {
  private running: AbortController | undefined;

  constructor(private readonly c: VerifyCommandContext) {}

  static readonly commands = [VERIFY_COMMAND];

  /** Stops a running verification (shutdown). */
  cancel(): void {
    this.running?.abort();
  }

  async execute(params: ExecuteCommandParams, token: CancellationToken, attached: WorkDoneProgressReporter): Promise<unknown> {
    if (params.command !== VERIFY_COMMAND) throw new ResponseError<never>(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
    const args = parseArguments(params.arguments);
    if (args instanceof ResponseError) throw args;
    const file = uriToPath(args.uri);
    if (!file) throw invalid(`not a file URI: ${args.uri}`);
    if (this.running) throw new ResponseError<never>(ErrorCodes.InvalidRequest, 'flakelens.verify: a verification is already running; cancel it first');
    const controller = new AbortController();
    this.running = controller;
    const label = args.titles.length ? args.titles.join(' › ') : file;
    let progress: Awaited<ReturnType<VerifyCommandContext['progress']>> | undefined;
    const subscriptions: Array<{ dispose(): void } | undefined> = [];
    try {
      progress = await this.c.progress(params, attached);
      const abort = () => controller.abort();
      subscriptions.push(token.onCancellationRequested(abort), progress.token?.onCancellationRequested(abort));
      if (token.isCancellationRequested || progress.token?.isCancellationRequested) abort();
      progress.begin(`Verify ×${args.runs}`, 0, label, true);
      const reporter = progress;
      const outcome = await verifyTests(
        {
          root: this.c.rootOf(file),
          file,
          titles: args.titles,
          blocks: this.c.blocksOf(args.uri),
          runs: args.runs,
          ...(args.modes ? { modes: args.modes } : {}),
          ...(args.seed !== undefined ? { seed: args.seed } : {}),
          toolVersion: this.c.toolVersion,
        },
        {
          onRunStart: (p) => {
            const what = p.purpose === 'plan' ? `run ${p.index}/${p.total}` : `${p.purpose} run ${p.index}`;
            reporter.report(p.total ? Math.round(((p.index - 1) / p.total) * 100) : 99, `${what}: ${p.stress ? 'stressed ' : ''}${p.mode}${p.seed !== undefined ? ` (seed ${p.seed})` : ''}`);
          },
          onRunEnd: (p, record) => {
            const what = p.purpose === 'plan' ? `run ${p.index}/${p.total}` : `${p.purpose} run ${p.index}`;
            reporter.report(p.total ? Math.round((p.index / p.total) * 100) : 99, `${what}: ${record.passed} passed, ${record.failed} failed`);
          },
          onNote: (note) => this.c.log(`verify: ${note}`),
        },
        controller.signal,
      );
      this.c.resultsWritten(outcome.resultsFile);
      if (outcome.results.verdicts.length === 0) {
        // Nothing ran under that name: say so rather than leave the user waiting for a verdict.
        const message = `flakelens: Verify ran no test for ${label} (is the file saved? does the runner name the test differently?)`;
        void this.c.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
      }
      this.c.log(`verify ${outcome.scope}: ${outcome.results.runs.length} runs, ${outcome.results.verdicts.map((v) => `${v.titles.join(' › ')}: ${v.verdict}`).join('; ')}`);
      return {
        scope: outcome.scope,
        resultsFile: outcome.resultsFile,
        verdicts: outcome.results.verdicts.map((v) => ({ file: v.file, titles: v.titles, verdict: v.verdict, conclusion: v.conclusion })),
      };
    } catch (error) {
      if (error instanceof VerifyError) {
        if (error.cancelled || controller.signal.aborted) throw new ResponseError<never>(LSPErrorCodes.RequestCancelled, 'flakelens.verify: cancelled; the runner was stopped');
        void this.c.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `flakelens: verify failed: ${error.message}` });
        throw new ResponseError<never>(ErrorCodes.InternalError, `flakelens.verify: ${error.message}`);
      }
      throw error;
    } finally {
      for (const s of subscriptions) s?.dispose();
      progress?.done();
      this.running = undefined;
    }
  }
}
