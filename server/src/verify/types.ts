// Plain data shared by the verify subsystem, its reporters and the editor: no LSP imports here.

export const VERIFY_SCHEMA_VERSION = 1;

export const RUNNER_IDS = ['vitest', 'jest', 'mocha', 'node', 'playwright', 'pytest'] as const;
export type RunnerId = (typeof RUNNER_IDS)[number];

export const MODES = ['serial', 'parallel', 'shuffle'] as const;
export type Mode = (typeof MODES)[number];

/** Where a run's counts are filed: the three modes, plus serial runs made under --stress. */
export type Slice = Mode | 'stress';
export const SLICES: readonly Slice[] = ['serial', 'parallel', 'shuffle', 'stress'];

export const VERDICTS = ['stable', 'failing', 'flaky', 'order-dependent', 'parallel-sensitive', 'timing-sensitive'] as const;
export type VerdictKind = (typeof VERDICTS)[number];
/** Verdicts that make `verify` exit 1. */
export const FLAKY_VERDICTS: ReadonlySet<VerdictKind> = new Set(['flaky', 'order-dependent', 'parallel-sensitive', 'timing-sensitive']);

export interface Location {
  line: number;
  column: number;
}

/** One test's outcome in one run, as the runner's machine-readable output reported it. */
export interface TestResult {
  /** Workspace-relative, '/'-separated. */
  file: string;
  /** Suite titles then the test title. */
  titles: string[];
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
  location?: Location;
  /** Where the failure was raised, file:line:column, when the stack names a workspace file. */
  at?: string;
  durationMs?: number;
}

export interface TestInfo {
  file: string;
  titles: string[];
  location?: Location;
  /** Hash of the test's source text when it was run (engine/testBlocks sourceHash): the editor marks verdicts on changed tests stale. */
  sourceHash?: string;
}

export interface FailureInfo {
  message: string;
  /** Where the failure was raised (file + position) when the stack names a workspace file. */
  at?: string;
}

export type RunStatus = 'ok' | 'runner-error' | 'timeout' | 'cancelled';

export interface RunRecord {
  index: number;
  mode: Mode;
  stress: boolean;
  /** Shuffle seed (runner-native or flakelens' file permutation). */
  seed?: number;
  purpose: 'plan' | 'confirm' | 'bisect';
  /** The exact command lines of the run (more than one when flakelens runs files one by one). */
  commands: string[];
  status: RunStatus;
  error?: string;
  exitCode: number | null;
  durationMs: number;
  passed: number;
  failed: number;
  /** Test id -> 'p' (passed) or 'f' (failed); skipped tests are left out. */
  outcomes: Record<string, 'p' | 'f'>;
  /** Test id -> first failure line and location, for the failed tests. */
  failures: Record<string, FailureInfo>;
}

/** The outcome of checking a suspected order-dependent victim: confirmation, then the polluter search. */
export interface OrderFinding {
  victim: string;
  /** The failing order: a shuffle seed, or the declared order when absent. */
  seed?: number;
  reproduced: boolean;
  polluters: string[];
  /** True when one polluter alone, run before the victim, makes it fail. */
  minimal: boolean;
  /**
   * The victim fails run alone in the failing order: it needs state that tests declared before it set up (a missing
   * state-setter, iDFlakies' "brittle" test), so there is no polluter to name.
   */
  failsAlone?: boolean;
  repro?: string;
  runs: number;
}

export interface SliceCounts {
  passed: number;
  failed: number;
}

export interface Verdict {
  id: string;
  file: string;
  titles: string[];
  location?: Location;
  verdict: VerdictKind;
  counts: Partial<Record<Slice, SliceCounts>>;
  firstFailure?: FailureInfo & { run: number; mode: Mode; stress: boolean; seed?: number };
  seed?: number;
  polluters?: string[];
  /** Order-dependent because it fails without the tests declared before it (see OrderFinding.failsAlone). */
  failsAlone?: boolean;
  repro?: string;
  /** One sentence a reviewer reads: what was observed and what it means. */
  conclusion: string;
}

export interface RunnerInfo {
  id: RunnerId;
  version: string;
  command: string[];
  /** How shuffle orders are made: by the runner from a seed, or by flakelens permuting files. */
  shuffle: 'native' | 'files';
  /** Modes the installed runner cannot run (e.g. parallel without pytest-xdist), with why; they were not run. */
  unavailable?: Partial<Record<Mode, string>>;
}

export interface VerifyResults {
  schemaVersion: typeof VERIFY_SCHEMA_VERSION;
  tool: { name: 'flakelens'; version: string };
  root: string;
  startedAt: string;
  durationMs: number;
  runner: RunnerInfo;
  options: {
    runs: number;
    modes: Mode[];
    stress: boolean;
    seed: number;
    workers: number;
    shard?: { index: number; count: number };
    /** Test-name filters the runs were limited to. */
    names?: string[];
  };
  /** Present when the result is a merge of shards. */
  mergedFrom?: number;
  /**
   * Monorepos: each package verify ran in its own directory with its own runner (file paths and test ids are
   * relative to root, commands start with `cd <dir> &&`); `runner` is then the first package's.
   */
  packages?: PackageResult[];
  files: string[];
  tests: Record<string, TestInfo>;
  runs: RunRecord[];
  orderFindings: OrderFinding[];
  verdicts: Verdict[];
  summary: Record<VerdictKind, number> & { tests: number; runs: number };
}

export interface PackageResult {
  /** Relative to the results' root, '/'-separated. */
  dir: string;
  runner: RunnerInfo;
  files: number;
  tests: number;
  durationMs: number;
}

export function testId(file: string, titles: readonly string[]): string {
  return `${file} > ${titles.join(' > ')}`;
}
