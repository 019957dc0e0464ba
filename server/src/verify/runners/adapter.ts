import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessOutcome } from '../process.js';
import type { Mode, RunnerId, TestInfo, TestResult } from '../types.js';

/** What one run should do: its mode, its order and which part of the suite it covers. */
export interface RunSpec {
  mode: Mode;
  /** Runner-native shuffle seed (adapters with shuffle 'native'). */
  seed?: number;
  /** Absolute test files in the order to run them; undefined = the runner's own discovery. */
  files?: string[];
  /** Only these tests (title paths); used by the polluter search. */
  only?: string[][];
  /** The same tests with their files, in the order to run them (for runners that select tests by file and name). */
  onlyTests?: TestInfo[];
  /** Test-name filters from the command line, passed to the runner's own name filter (ignored with `only`). */
  names?: string[];
  workers: number;
}

export interface RunnerContext {
  root: string;
  /** The command prefix that starts the runner (e.g. [node, .../vitest.mjs] or a user --command). */
  command: string[];
  /** A private temporary directory for result files, removed when verify ends. */
  tmp: string;
  env: NodeJS.ProcessEnv;
}

export interface Invocation {
  argv: string[];
  /** The file the runner writes its machine-readable results to. */
  resultFile: string;
  /** Extra environment (e.g. where a reporter writes its file). */
  env?: Record<string, string>;
}

export class RunnerError extends Error {}

export interface RunnerAdapter {
  id: RunnerId;
  /** npm package whose bin starts the runner (undefined: node itself). */
  packageName?: string;
  binName?: string;
  shuffle: 'native' | 'files';
  /** Polluter candidates: individual tests (selectable by name) or whole files. */
  bisectUnit: 'test' | 'file';
  /** True when each test file gets fresh module state, so a polluter can only be in the victim's own file. */
  isolatesFiles: boolean;
  /** The test files the runner would run (absolute), in its declared order. */
  listFiles(ctx: RunnerContext, signal?: AbortSignal): Promise<string[]>;
  invocations(ctx: RunnerContext, spec: RunSpec, runTag: string): Invocation[];
  /** Reads an invocation's results; throws RunnerError when the runner produced none (it did not start). */
  parse(ctx: RunnerContext, invocation: Invocation, outcome: ProcessOutcome): TestResult[];
  /** Runners found outside node_modules (pytest): the command that starts the runner for root, and its version. */
  locate?(root: string, env: NodeJS.ProcessEnv): { command: string[]; version: string } | undefined;
  /**
   * Asks the installed runner what it can do (plugins), once per verify: the adapter to use for the runs, the
   * runner's version, and the modes it cannot run (reported, never faked).
   */
  probe?(ctx: RunnerContext, signal?: AbortSignal): Promise<RunnerProbe>;
  /** Extra environment for stressed runs (runners whose processes are not node). */
  stressEnv?(ctx: RunnerContext): Record<string, string>;
}

export interface RunnerProbe {
  adapter: RunnerAdapter;
  version?: string;
  /** Mode -> why the runner cannot run it. */
  unavailable?: Partial<Record<Mode, string>>;
}

export function toRelative(root: string, file: string): string {
  const abs = path.isAbsolute(file) ? file : path.resolve(root, file);
  return path.relative(root, abs).split(path.sep).join('/');
}

/** Command-line test-name filters as one regular expression: any of them (each is the user's own pattern). */
export function namesPattern(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : names.map((name) => `(?:${name})`).join('|');
}

/** Escapes text for use inside a RegExp source. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** First line of a failure message, without ANSI colours. */
export function firstLine(message: string | undefined): string {
  const clean = (message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  return clean.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

/** The first stack frame inside the workspace (not node_modules), as file:line:column relative to root. */
export function stackLocation(root: string, stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const clean = stack.replace(/\u001b\[[0-9;]*m/g, '');
  const re = /(?:\(|at\s)((?:file:\/\/)?\/[^\s():]+|[A-Za-z]:\\[^\s():]+|[\w./-]+\.[cm]?[jt]sx?):(\d+):(\d+)/g;
  for (const match of clean.matchAll(re)) {
    let file = match[1]!;
    if (file.startsWith('file://')) file = new URL(file).pathname;
    const abs = path.isAbsolute(file) ? file : path.resolve(root, file);
    if (abs.includes(`${path.sep}node_modules${path.sep}`) || !abs.startsWith(root + path.sep)) continue;
    return `${toRelative(root, abs)}:${match[2]}:${match[3]}`;
  }
  return undefined;
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new RunnerError('the runner wrote no results file');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunnerError(`the runner's results file is not valid JSON (${(error as Error).message})`);
  }
}

/** The tail of the runner's output, for a runner-error message. */
export function outputTail(outcome: ProcessOutcome, lines = 12): string {
  const text = `${outcome.stderr}\n${outcome.stdout}`.replace(/\u001b\[[0-9;]*m/g, '').trim();
  return text.split('\n').slice(-lines).join('\n');
}

/** Finds a runner's package from root upwards: its bin script (run with this node) and version. */
/** The JSON report jest writes with `--json` and vitest's json reporter copies: test files, each with its assertions. */
export interface JestFormatReport<Assertion> {
  testResults?: Array<{ name: string; status?: string; message?: string; assertionResults?: Assertion[] }>;
}

/**
 * Test results from a jest-format report: a file that failed before any test ran (import or syntax error) is one
 * failed `(file)` entry with `fileFailure` when the report gives no message; each assertion goes through `toResult`.
 * A run that failed without any result is a runner error, not a verdict.
 */
export function parseJestFormat<Assertion>(
  runner: string,
  ctx: RunnerContext,
  invocation: Invocation,
  outcome: ProcessOutcome,
  fileFailure: string,
  toResult: (assertion: Assertion, file: string) => TestResult,
): TestResult[] {
  const data = readJsonFile(invocation.resultFile) as JestFormatReport<Assertion>;
  if (!Array.isArray(data.testResults)) throw new RunnerError(`${runner} wrote no testResults`);
  const results: TestResult[] = [];
  for (const file of data.testResults) {
    const rel = toRelative(ctx.root, file.name);
    const assertions = file.assertionResults ?? [];
    if (assertions.length === 0 && file.status === 'failed') {
      results.push({ file: rel, titles: ['(file)'], status: 'failed', message: firstLine(file.message) || fileFailure });
      continue;
    }
    for (const assertion of assertions) results.push(toResult(assertion, rel));
  }
  if (results.length === 0 && outcome.exitCode !== 0) throw new RunnerError(`${runner} ran no tests:\n${outputTail(outcome)}`);
  return results;
}

export function resolveRunnerPackage(root: string, packageName: string, binName: string): { bin: string; version: string } | undefined {
  let dir = root;
  for (;;) {
    const pkgDir = path.join(dir, 'node_modules', packageName);
    const pkgFile = path.join(pkgDir, 'package.json');
    if (fs.existsSync(pkgFile)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version?: string; bin?: string | Record<string, string> };
        const binRel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[binName];
        if (binRel) return { bin: path.join(pkgDir, binRel), version: pkg.version ?? 'unknown' };
      } catch {
        // Unreadable package.json: keep looking upwards.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
