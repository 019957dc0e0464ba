import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifyAll, orderSuspects, summarize } from './classify.js';
import { findPolluters } from './bisect.js';
import { permute, planRuns, shardFiles, type PlannedRun } from './plan.js';
import { runProcess, shellQuote } from './process.js';
import { RunnerError, toRelative, type RunnerAdapter, type RunnerContext, type RunSpec } from './runners/adapter.js';
import { ADAPTERS, runnerCommand } from './runners/index.js';
import { startCpuLoad, stressNodeOptions } from './stress.js';
import { testId, VERIFY_SCHEMA_VERSION, type Mode, type OrderFinding, type RunnerId, type RunRecord, type TestInfo, type VerifyResults } from './types.js';

export interface VerifyOptions {
  root: string;
  runner: RunnerId;
  /** Replaces the command that starts the runner (flakelens still appends its own arguments). */
  command?: string[];
  runs: number;
  modes: Mode[];
  stress: boolean;
  /** CPU load (0..1 per core) generated during stressed runs. */
  stressCpu: number;
  seed: number;
  workers: number;
  timeoutMs: number;
  shard?: { index: number; count: number };
  /** Absolute files or directories to limit the run to. */
  paths?: string[];
  /** Only these tests (title paths), through the runner's name filter where it has one (the editor's "Verify" on one test). */
  only?: string[][];
  /** Test-name filters, passed to the runner's own name filter (vitest/jest -t, mocha/Playwright --grep, ...). */
  names?: string[];
  /** Search for the polluter of order-dependent tests (extra runs). */
  bisect: boolean;
  /** At most this many suspected order-dependent tests are confirmed and bisected. */
  maxSuspects?: number;
  toolVersion: string;
}

export interface RunProgress {
  index: number;
  total: number;
  mode: Mode;
  stress: boolean;
  seed?: number;
  purpose: RunRecord['purpose'];
}

export interface VerifyHooks {
  onRunStart?(progress: RunProgress): void;
  onRunEnd?(progress: RunProgress, record: RunRecord): void;
  onNote?(message: string): void;
}

/** A runner that cannot start or run, a timeout, or an interruption: verify exits 2, no verdicts are claimed. */
export class VerifyError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

interface Order {
  mode: Mode;
  seed?: number;
  /** Files in run order (file-permuting runners) or the explicit file list; undefined = runner discovery. */
  files?: string[];
}

export async function runVerify(options: VerifyOptions, hooks: VerifyHooks = {}, signal?: AbortSignal): Promise<VerifyResults> {
  let adapter: RunnerAdapter = ADAPTERS[options.runner];
  // With --command the version is still the installed package's, when there is one.
  const resolved = options.command
    ? { command: options.command, version: (adapter.probe ? undefined : runnerCommand(options.root, adapter)?.version) ?? 'unknown' }
    : runnerCommand(options.root, adapter);
  if (!resolved) throw new VerifyError(notInstalled(options.runner, options.root, adapter));
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-verify-'));
  const ctx: RunnerContext = { root: options.root, command: resolved.command, tmp, env: { ...process.env } };
  try {
    let version = resolved.version;
    let modes = options.modes;
    let unavailable: Partial<Record<Mode, string>> | undefined;
    if (adapter.probe) {
      const probed = await adapter.probe(ctx, signal);
      adapter = probed.adapter;
      version = probed.version ?? version;
      unavailable = probed.unavailable;
      // A mode the runner cannot run is reported and left out, never imitated with another mode.
      for (const mode of modes) if (unavailable?.[mode]) hooks.onNote?.(`${mode} mode is unavailable: ${unavailable[mode]}; it is not run`);
      modes = modes.filter((mode) => !unavailable?.[mode]);
      if (modes.length === 0) throw new VerifyError(`no mode left to run: ${options.modes.map((m) => `${m}: ${unavailable?.[m]}`).join('; ')}`);
    }
    const results = await verifyIn(ctx, adapter, version, { ...options, modes }, hooks, signal, started);
    const shown = Object.fromEntries(Object.entries(unavailable ?? {}).filter(([mode]) => options.modes.includes(mode as Mode)));
    return Object.keys(shown).length ? { ...results, runner: { ...results.runner, unavailable: shown } } : results;
  } catch (error) {
    if (error instanceof RunnerError) throw new VerifyError(error.message);
    throw error;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function notInstalled(runner: RunnerId, root: string, adapter: RunnerAdapter): string {
  if (adapter.locate) return `no Python interpreter that can import pytest was found for ${root} (tried .venv, venv, $VIRTUAL_ENV and python3); install pytest or pass --command`;
  return `${runner} is not installed in ${root} (no node_modules/${adapter.packageName} found upwards); install it or pass --command`;
}

async function verifyIn(
  ctx: RunnerContext,
  adapter: RunnerAdapter,
  version: string,
  options: VerifyOptions,
  hooks: VerifyHooks,
  signal: AbortSignal | undefined,
  started: number,
): Promise<VerifyResults> {
  const checkCancelled = () => {
    if (signal?.aborted) throw new VerifyError('verification cancelled', true);
  };
  // The file list is only needed to shard, to limit to paths, to permute files, or to bisect by file.
  const needFiles =
    options.shard !== undefined || (options.paths?.length ?? 0) > 0 || (adapter.shuffle === 'files' && options.modes.includes('shuffle')) || adapter.bisectUnit === 'file';
  let allFiles: string[] | undefined;
  let explicitFiles: string[] | undefined;
  if (needFiles) {
    allFiles = await adapter.listFiles(ctx, signal);
    checkCancelled();
    if (options.paths?.length) {
      const roots = options.paths;
      allFiles = allFiles.filter((f) => roots.some((p) => f === p || f.startsWith(p.endsWith(path.sep) ? p : p + path.sep)));
      if (allFiles.length === 0) throw new VerifyError(`no ${adapter.id} test files under ${roots.map((p) => toRelative(ctx.root, p) || '.').join(', ')}`);
      explicitFiles = allFiles;
    }
    if (options.shard) {
      allFiles = shardFiles(allFiles, options.shard.index, options.shard.count);
      explicitFiles = allFiles;
      if (allFiles.length === 0) hooks.onNote?.(`shard ${options.shard.index}/${options.shard.count} has no test files`);
    }
  }

  const tests: Record<string, TestInfo> = {};
  const runs: RunRecord[] = [];
  // An empty shard (or package share of one) runs nothing: an empty file list would make the runner run them all.
  const plan = explicitFiles?.length === 0 ? [] : planRuns(options);
  let runCounter = 0;

  /** `only`: exactly these tests, in this order (the polluter search). */
  const execute = async (order: Order, stress: boolean, purpose: RunRecord['purpose'], only: TestInfo[] | undefined, total: number, onlyTitles?: string[][]): Promise<RunRecord> => {
    checkCancelled();
    const index = ++runCounter;
    const progress: RunProgress = { index, total, mode: order.mode, stress, purpose, ...(order.seed !== undefined ? { seed: order.seed } : {}) };
    hooks.onRunStart?.(progress);
    const spec: RunSpec = {
      mode: order.mode,
      workers: options.workers,
      ...(adapter.shuffle === 'native' && order.seed !== undefined ? { seed: order.seed } : {}),
      ...(order.files ? { files: order.files } : {}),
      ...(only ? { only: only.map((t) => t.titles), onlyTests: only } : onlyTitles ? { only: onlyTitles } : {}),
      ...(options.names?.length ? { names: options.names } : {}),
    };
    const tag = `run-${index}`;
    const invocations = adapter.invocations(ctx, spec, tag);
    const env: NodeJS.ProcessEnv = { ...ctx.env, FLAKELENS_VERIFY_RUN: `${process.pid}-${index}` };
    if (stress) {
      env.NODE_OPTIONS = stressNodeOptions(ctx.tmp, ctx.env.NODE_OPTIONS);
      Object.assign(env, adapter.stressEnv?.(ctx));
    }
    const record: RunRecord = {
      index,
      mode: order.mode,
      stress,
      ...(order.seed !== undefined ? { seed: order.seed } : {}),
      purpose,
      commands: invocations.map((inv) => displayCommand(inv.argv, ctx, adapter.binName)),
      status: 'ok',
      exitCode: 0,
      durationMs: 0,
      passed: 0,
      failed: 0,
      outcomes: {},
      failures: {},
    };
    const runStarted = Date.now();
    const stopLoad = stress ? startCpuLoad(options.stressCpu) : undefined;
    try {
      for (const invocation of invocations) {
        const outcome = await runProcess(invocation.argv, { cwd: ctx.root, env: { ...env, ...invocation.env }, timeoutMs: options.timeoutMs, signal });
        record.exitCode = outcome.exitCode;
        if (outcome.cancelled) {
          record.status = 'cancelled';
          break;
        }
        if (outcome.timedOut) {
          record.status = 'timeout';
          record.error = `timed out after ${Math.round(options.timeoutMs / 1000)} s (process tree killed)`;
          break;
        }
        if (outcome.spawnError) {
          record.status = 'runner-error';
          record.error = `cannot start ${invocation.argv[0]}: ${outcome.spawnError}`;
          break;
        }
        try {
          for (const result of adapter.parse(ctx, invocation, outcome)) {
            const id = testId(result.file, result.titles);
            if (!tests[id]) tests[id] = { file: result.file, titles: result.titles, ...(result.location ? { location: result.location } : {}) };
            if (result.status === 'skipped') continue;
            if (result.status === 'passed') {
              record.outcomes[id] = 'p';
              record.passed++;
            } else {
              // A test reported twice in one run (e.g. in two invocations) counts as failed if either failed.
              if (record.outcomes[id] === 'p') record.passed--;
              if (record.outcomes[id] !== 'f') record.failed++;
              record.outcomes[id] = 'f';
              if (!record.failures[id]) record.failures[id] = { message: result.message ?? '', ...(result.at ? { at: result.at } : {}) };
            }
          }
        } catch (error) {
          if (!(error instanceof RunnerError)) throw error;
          record.status = 'runner-error';
          record.error = error.message;
          break;
        } finally {
          fs.rmSync(invocation.resultFile, { force: true });
        }
      }
    } finally {
      await stopLoad?.();
    }
    record.durationMs = Date.now() - runStarted;
    runs.push(record);
    hooks.onRunEnd?.(progress, record);
    if (record.status === 'cancelled') throw new VerifyError('verification cancelled', true);
    if (record.status !== 'ok') throw new VerifyError(`run ${index} (${order.mode}${stress ? ', stressed' : ''}): ${record.error}\ncommand: ${record.commands.join(' && ')}`);
    return record;
  };

  const orderFor = (planned: Pick<PlannedRun, 'mode' | 'seed'>): Order => {
    if (planned.mode === 'shuffle' && adapter.shuffle === 'files') {
      return { mode: 'shuffle', seed: planned.seed!, files: permute(allFiles!, planned.seed!) };
    }
    return { mode: planned.mode, ...(planned.seed !== undefined ? { seed: planned.seed } : {}), ...(explicitFiles ? { files: explicitFiles } : {}) };
  };

  for (const planned of plan) await execute(orderFor(planned), planned.stress, 'plan', undefined, plan.length, options.only);

  // Order-dependence: confirm each suspect's failing order, then delta-debug the tests that may run before it.
  const orderFindings: OrderFinding[] = [];
  const suspects = orderSuspects(tests, runs).slice(0, options.maxSuspects ?? 5);
  if (options.bisect) {
    for (const suspect of suspects) {
      const finding = await investigate(suspect.id, suspect.seed);
      orderFindings.push(finding);
    }
  }

  async function investigate(victim: string, seed: number | undefined): Promise<OrderFinding> {
    const info = tests[victim]!;
    const base = orderFor(seed === undefined ? { mode: 'serial' } : { mode: 'shuffle', seed });
    const victimAbs = path.resolve(ctx.root, info.file);
    // Where files run in the failing order, when flakelens knows it (it ordered them): only what ran before the
    // victim can have polluted it. Native shuffles and runners that sort files themselves: order unknown.
    const known = adapter.shuffle === 'files' ? (base.files ?? allFiles)?.map((f) => toRelative(ctx.root, f)) : undefined;
    const position = (file: string) => known?.indexOf(file) ?? -1;
    const victimAt = position(info.file);
    const ranBefore = (file: string) => victimAt < 0 || file === info.file || (position(file) >= 0 && position(file) < victimAt);
    const inOrder = (ids: readonly string[]) => {
      const rank = new Map(Object.keys(tests).map((id, i) => [id, i]));
      return ids.slice().sort((a, b) => position(tests[a]!.file) - position(tests[b]!.file) || rank.get(a)! - rank.get(b)!);
    };
    let runsUsed = 0;
    let repro: string | undefined;
    // Runs the victim after the given candidates, in the failing order; true when the victim fails.
    const attempt = async (unitIds: readonly string[], purpose: RunRecord['purpose']): Promise<boolean> => {
      runsUsed++;
      let files = base.files;
      let only: TestInfo[] | undefined;
      if (adapter.bisectUnit === 'file') {
        const keep = new Set([...unitIds, info.file]);
        files = (base.files ?? allFiles!).filter((f) => keep.has(toRelative(ctx.root, f)));
      } else {
        only = [...inOrder(unitIds).map((id) => tests[id]!), info];
        if (adapter.isolatesFiles) files = [victimAbs];
        else if (base.files) {
          const keep = new Set([...unitIds.map((id) => tests[id]!.file), info.file]);
          files = base.files.filter((f) => keep.has(toRelative(ctx.root, f)));
        }
      }
      const record = await execute({ ...base, ...(files ? { files } : {}) }, false, purpose, only, 0);
      const failed = record.outcomes[victim] === 'f';
      if (failed) repro = record.commands.join(' && ');
      return failed;
    };
    const candidates =
      adapter.bisectUnit === 'file'
        ? [...new Set(Object.values(tests).map((t) => t.file))].filter((f) => f !== info.file && ranBefore(f)).sort()
        : Object.keys(tests).filter((id) => id !== victim && ranBefore(tests[id]!.file) && (!adapter.isolatesFiles || tests[id]!.file === info.file));
    const reproduced = await attempt(candidates, 'confirm');
    if (!reproduced) return { victim, ...(seed !== undefined ? { seed } : {}), reproduced: false, polluters: [], minimal: false, runs: runsUsed };
    const fullRepro = repro;
    // Delta debugging assumes the victim passes alone; one that fails alone would "find" an arbitrary polluter.
    // With no candidates the confirming run already ran it alone.
    if (candidates.length === 0 || (await attempt([], 'bisect'))) {
      return { victim, ...(seed !== undefined ? { seed } : {}), reproduced: true, polluters: [], minimal: false, failsAlone: true, ...(repro ? { repro } : {}), runs: runsUsed };
    }
    const { polluters, minimal } = await findPolluters(candidates, (subset) => attempt(subset, 'bisect'));
    const named = adapter.bisectUnit === 'file' ? polluters.flatMap((file) => Object.keys(tests).filter((id) => tests[id]!.file === file)) : polluters;
    return {
      victim,
      ...(seed !== undefined ? { seed } : {}),
      reproduced: true,
      polluters: named,
      minimal: minimal && named.length === 1,
      repro: repro ?? fullRepro,
      runs: runsUsed,
    };
  }

  const verdicts = classifyAll(tests, runs, orderFindings);
  return {
    schemaVersion: VERIFY_SCHEMA_VERSION,
    tool: { name: 'flakelens', version: options.toolVersion },
    root: ctx.root,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    runner: { id: adapter.id, version, command: ctx.command.map((a) => (a === process.execPath ? 'node' : a)), shuffle: adapter.shuffle },
    options: {
      runs: options.runs,
      modes: options.modes,
      stress: options.stress,
      seed: options.seed,
      workers: options.workers,
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.names?.length ? { names: options.names } : {}),
    },
    files: (allFiles ?? [...new Set(Object.values(tests).map((t) => path.resolve(ctx.root, t.file)))]).map((f) => toRelative(ctx.root, f)).sort(),
    tests,
    runs,
    orderFindings,
    verdicts,
    summary: summarize(verdicts, plan.length),
  };
}

/**
 * A run's command as a user can paste it: `npx <runner>` for the resolved runner, without the flags that only
 * feed flakelens its results (reporters and files in the temporary directory).
 */
export function displayCommand(argv: readonly string[], ctx: Pick<RunnerContext, 'command' | 'tmp'> & { root?: string }, binName: string | undefined): string {
  const resolvedPrefix = ctx.command.length === 2 && ctx.command[0] === process.execPath && binName !== undefined;
  const rest = argv.slice(ctx.command.length);
  const out: string[] = resolvedPrefix
    ? ['npx', binName]
    : ctx.command.map((a) => (a === process.execPath ? 'node' : ctx.root !== undefined && a.startsWith(ctx.root + path.sep) ? toRelative(ctx.root, a) : a));
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const next = rest[i + 1];
    if (arg.includes(ctx.tmp) || arg === '--json' || arg === '--reporter=json') continue;
    if ((arg === '--reporter' && next === 'json') || (arg === '--reporter-option' && next?.includes(ctx.tmp))) {
      i++;
      continue;
    }
    // Files under the root as relative paths: the command is run from the root.
    out.push(ctx.root !== undefined && arg.startsWith(ctx.root + path.sep) ? toRelative(ctx.root, arg) : arg);
  }
  return shellQuote(out);
}
