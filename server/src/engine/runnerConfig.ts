/**
 * Runner configuration model: what the test runner that governs a file is configured to do (reset mocks,
 * fake timers, setup files and their hooks, isolation, parallelism, retries), read statically from the
 * config files' syntax. Nothing from the analysed workspace is ever executed.
 *
 * Every field is tri-state: a value read from a config key (with the key's location, so diagnostics can sit
 * on it), `unknown` when the config sets it but the value cannot be read statically (a function call, an
 * env-dependent ternary whose branches differ, an import we cannot follow), or the runner's `default` when
 * no config sets it. Rules treat `unknown` as "no finding".
 *
 * Plain data: no compiler nodes, safe to cache across analyses and to print (`flakelens explain`).
 */
import * as path from 'node:path';
import type { HookKind, Framework } from './testModel.js';
import type { Range } from './types.js';
import { ConfigReader, type ConfigHost, diskHost } from './runnerConfig/reader.js';
import type { InterceptionState } from './runnerConfig/setup.js';

export type { InterceptionState } from './runnerConfig/setup.js';

export type { ConfigHost } from './runnerConfig/reader.js';

export type RunnerKind = 'vitest' | 'jest' | 'mocha' | 'node-test' | 'playwright';

/** Where a value was set: the key in a config file (package.json included). */
export interface SourceLocation {
  /** Absolute path of the config file. */
  file: string;
  /** Dotted path of the key as written, e.g. `test.restoreMocks`, `projects[1].retries`, `jest.resetMocks`, `scripts.test`. */
  keyPath: string;
  /** UTF-16 offsets of the key (property name) in the file. */
  start: number;
  end: number;
  /** UTF-16 offsets of the value expression. */
  valueStart: number;
  valueEnd: number;
  /** The key's range (zero-based lines and characters, as LSP counts them). */
  range: Range;
}

export type ConfigValue<T> =
  /** Set by a config key and read statically. */
  | { readonly kind: 'known'; readonly value: T; readonly source: SourceLocation }
  /** Set (or possibly set) by the config, but not readable statically. `source` is the key when there is one. */
  | { readonly kind: 'unknown'; readonly reason: string; readonly source?: SourceLocation }
  /** No config sets it: the runner's default. `value` undefined means the runner decides at run time (e.g. CPU count). */
  | { readonly kind: 'default'; readonly value: T | undefined };

/** A normalised effect of a setup-file hook (or a setup file's top level) that resets or installs shared state. */
export type SetupEffect =
  /** vi/jest.restoreAllMocks, sinon.restore(), sandbox.restore() */
  | 'restoreMocks'
  /** vi/jest.resetAllMocks */
  | 'resetMocks'
  /** vi/jest.clearAllMocks */
  | 'clearMocks'
  /** vi.unstubAllEnvs */
  | 'unstubEnvs'
  /** vi.unstubAllGlobals */
  | 'unstubGlobals'
  /** vi/jest.useRealTimers, clock.uninstall()/restore() */
  | 'realTimers'
  /** vi/jest/sinon.useFakeTimers, node:test mock.timers.enable */
  | 'fakeTimers'
  /** vi.setSystemTime / jest.setSystemTime / clock.setSystemTime */
  | 'systemTime'
  /** vi/jest.resetModules */
  | 'resetModules'
  /** msw server.resetHandlers() */
  | 'resetHandlers'
  /** nock.cleanAll() / nock.restore() */
  | 'nockCleanAll'
  /** @testing-library cleanup() */
  | 'cleanupDom';

/** A top-level hook of a setup file: runs around every test of every file the setup file is loaded for. */
export interface SetupHook {
  hook: HookKind;
  /** Absolute path of the setup file. */
  file: string;
  /** Offsets of the hook call in the setup file. */
  start: number;
  end: number;
  range: Range;
  /** What the hook body does that resets or installs shared state (direct calls in its body). */
  effects: SetupEffect[];
  /** Callee text of every call in the hook body, e.g. `vi.restoreAllMocks`, `server.resetHandlers`, `cleanup`. */
  calls: string[];
}

export interface SetupFile {
  /** As written in the config. */
  specifier: string;
  /** Resolved absolute path, when it could be resolved. */
  path?: string;
  /** The config key listing it (`test.setupFiles`, `setupFilesAfterEnv`, `require`, `scripts.test` ...). */
  source: SourceLocation;
  /** `read`: parsed; `unresolved`: no file found for the specifier; `unreadable`: found but not parsable. */
  status: 'read' | 'unresolved' | 'unreadable';
  hooks: SetupHook[];
  /** Effects of the file's top-level statements (e.g. `vi.useFakeTimers()` at top level). */
  topLevel: SetupEffect[];
  /** Set when `hooks` may be incomplete (a hook registered conditionally, a local helper called at top level). */
  partial?: string;
  /** Request interception (msw, nock, MockAgent, a replaced fetch) the file or a local module it imports sets up. */
  interception: InterceptionState;
  /** Evidence that data stores are per worker, in memory or mocked for every governed file (`JEST_WORKER_ID`, `:memory:`, `MongoMemoryServer`, a mocked client). */
  isolatedStore?: string;
}

export interface RunnerConfigModel {
  /** The test file the model is for. */
  file: string;
  runner: RunnerKind | 'unknown';
  /** The config file that governs the file; undefined when none was found (runner defaults apply). */
  configFile?: string;
  /** Project (vitest/jest/Playwright) that governs the file, when the config has projects. */
  project?: string;
  /** Things the user should know: parse problems, why the governing config is uncertain. */
  notes: string[];

  /** vitest `restoreMocks`, jest `restoreMocks`. */
  restoreMocks: ConfigValue<boolean>;
  /** vitest `mockReset`, jest `resetMocks`. */
  mockReset: ConfigValue<boolean>;
  /** vitest/jest `clearMocks`. */
  clearMocks: ConfigValue<boolean>;
  /** vitest `unstubEnvs`. */
  unstubEnvs: ConfigValue<boolean>;
  /** vitest `unstubGlobals`. */
  unstubGlobals: ConfigValue<boolean>;
  /** Fake timers enabled for every test by config: jest `fakeTimers.enableGlobally` (or legacy `timers: "fake"`). */
  fakeTimers: ConfigValue<boolean>;
  /**
   * Modules loaded in each test file's context before its tests: vitest `setupFiles`, jest `setupFiles` and
   * `setupFilesAfterEnv`, mocha `require`/`file`, node:test `--import`/`--require`. Their top-level hooks act
   * as hooks of every governed file.
   */
  setupFiles: ConfigValue<SetupFile[]>;
  /**
   * Each test file gets fresh module state: vitest `isolate` (and `poolOptions.<pool>.isolate`); jest always
   * (default true); mocha never (one process, default false); node:test `--test-isolation` /
   * `--experimental-test-isolation` (default `process`: true).
   */
  isolate: ConfigValue<boolean>;
  /** vitest `pool` (`forks`, `threads`, `vmThreads`, ...). */
  pool: ConfigValue<string>;
  /** vitest `sequence.shuffle` (or `sequence.shuffle.tests`), jest `randomize`, node:test `--test-shuffle`. */
  shuffle: ConfigValue<boolean>;
  /** Test files run in parallel workers: vitest `fileParallelism`, jest `maxWorkers`/`runInBand`, mocha `parallel`, node:test concurrency > 1. */
  fileParallelism: ConfigValue<boolean>;
  /** vitest `maxWorkers`, jest `maxWorkers`, Playwright `workers`, mocha `jobs`, node:test `--test-concurrency`. A number or a percentage string. */
  maxWorkers: ConfigValue<number | string>;
  /** Tests inside one file run in parallel: Playwright `fullyParallel`, vitest `sequence.concurrent`. */
  fullyParallel: ConfigValue<boolean>;
  /** vitest `retry`, Playwright `retries`, mocha `retries`. */
  retry: ConfigValue<number>;
  /** The process exits when the tests are done even with open handles: node:test `--test-force-exit`, mocha `exit`/`--exit`. */
  forceExit: ConfigValue<boolean>;
}

/** Names of the model's tri-state fields, in display order. */
export const MODEL_FIELDS = [
  'restoreMocks', 'mockReset', 'clearMocks', 'unstubEnvs', 'unstubGlobals', 'fakeTimers', 'setupFiles',
  'isolate', 'pool', 'shuffle', 'fileParallelism', 'maxWorkers', 'fullyParallel', 'retry', 'forceExit',
] as const satisfies ReadonlyArray<keyof RunnerConfigModel>;

export type ModelField = (typeof MODEL_FIELDS)[number];

/** One setting found in a config file, for diagnostics that sit on config keys (e.g. retries). */
export interface ConfigSetting {
  field: ModelField;
  /** Project the setting belongs to, when it sits inside a project entry. */
  project?: string;
  value: ConfigValue<unknown>;
}

/** A runner config file as read: its settings (every project), for rules that report on config files. */
export interface RunnerConfigFile {
  file: string;
  runner: RunnerKind;
  settings: ConfigSetting[];
  notes: string[];
}

export type TriState = 'yes' | 'no' | 'unknown';

/** The value when known or defaulted; undefined when unknown (or a default the runner computes). */
export function valueOf<T>(value: ConfigValue<T>): T | undefined {
  return value.kind === 'unknown' ? undefined : value.value;
}

/** Whether a boolean setting is on: 'unknown' when it cannot be read. A default with no value counts as off. */
export function isOn(value: ConfigValue<boolean>): TriState {
  if (value.kind === 'unknown') return 'unknown';
  return value.value === true ? 'yes' : 'no';
}

/**
 * Whether a top-level hook of a setup file (of the given kinds) has the effect, e.g. every test's mocks are
 * restored by `afterEach(() => vi.restoreAllMocks())` in a setup file. 'unknown' when the setup files are
 * unknown or one of them could not be read.
 */
export function setupHooksDo(model: RunnerConfigModel, effect: SetupEffect, hooks: readonly HookKind[] = ['beforeEach', 'afterEach']): TriState {
  const setup = model.setupFiles;
  if (setup.kind === 'unknown') return 'unknown';
  const files = setup.value ?? [];
  if (files.some((f) => f.hooks.some((h) => hooks.includes(h.hook) && h.effects.includes(effect)))) return 'yes';
  return files.some((f) => f.status !== 'read' || f.partial) ? 'unknown' : 'no';
}

/**
 * Whether setup files install request interception for every governed file: 'yes' with the reason, 'no' when
 * there are none or every one was read and installs none, 'unknown' otherwise.
 */
export function setupInterception(model: RunnerConfigModel): { state: TriState; reason?: string } {
  const setup = model.setupFiles;
  if (setup.kind === 'unknown') return { state: 'unknown', reason: setup.reason };
  let unknown: string | undefined;
  for (const file of setup.value ?? []) {
    if (file.interception.kind === 'yes') return { state: 'yes', reason: `${file.specifier} ${file.interception.reason}` };
    if (file.status !== 'read') unknown ??= `${file.specifier} is ${file.status}`;
    else if (file.interception.kind === 'unknown') unknown ??= `${file.specifier}: ${file.interception.reason}`;
  }
  return unknown ? { state: 'unknown', reason: unknown } : { state: 'no' };
}

/** Whether fake timers are on for every test of the file by config or a setup file's top level / beforeEach. */
export function globalFakeTimers(model: RunnerConfigModel): TriState {
  if (isOn(model.fakeTimers) === 'yes') return 'yes';
  const setup = model.setupFiles;
  if (setup.kind !== 'unknown') {
    const files = setup.value ?? [];
    if (files.some((f) => f.topLevel.includes('fakeTimers') || f.hooks.some((h) => h.hook === 'beforeEach' && h.effects.includes('fakeTimers')))) return 'yes';
  }
  if (model.fakeTimers.kind === 'unknown' || setupHooksDo(model, 'fakeTimers') === 'unknown') return 'unknown';
  return 'no';
}

export interface RunnerConfigContext {
  /** Workspace root: config lookup walks up from the file to here, never above. */
  root: string;
  /** File access (editor buffers win over disk); defaults to the disk. */
  host?: ConfigHost;
  /** Runners the file's test model resolved its calls to; picks among several configs in one directory. */
  frameworks?: Iterable<Framework>;
}

/**
 * Reads and caches runner configs for one workspace. Parsed configs are cached per file content; call
 * `invalidate` when a file changes (it tells whether the file was a config or setup input).
 */
export class RunnerConfigResolver {
  private readonly reader: ConfigReader;

  constructor(readonly root: string, host: ConfigHost = diskHost) {
    this.reader = new ConfigReader(path.resolve(root), host);
  }

  /** The model for one test file. Never throws: problems become notes and unknown values. */
  forFile(file: string, frameworks?: Iterable<Framework>): RunnerConfigModel {
    return this.reader.modelFor(path.resolve(file), frameworks ? new Set(frameworks) : undefined);
  }

  /** A runner config file as read, with every setting of every project; undefined when it is not a config file. */
  configFile(file: string): RunnerConfigFile | undefined {
    return this.reader.configFile(path.resolve(file));
  }

  /** Whether a file name is one a runner reads its config from (vitest.config.ts, package.json, .mocharc.yml ...). */
  static isConfigFileName(file: string): boolean {
    return ConfigReader.isConfigFileName(file);
  }

  /**
   * A file changed (or was created or deleted). Returns true when it is an input of some model: a config file
   * (or a config file name where none was before), a module a config imports, or a setup file.
   */
  invalidate(file: string): boolean {
    return this.reader.invalidate(path.resolve(file));
  }

  /**
   * Whether the model of `testFile` was built from `input`: a config, a module a config imports, a setup file,
   * or a directory (path ending in a separator) whose configs the lookup consulted.
   */
  dependsOn(testFile: string, input: string): boolean {
    const dir = input.endsWith(path.sep) || input.endsWith('/');
    return this.reader.dependsOn(path.resolve(testFile), dir ? path.resolve(input) + path.sep : path.resolve(input));
  }
}

/** A model where nothing could be read (every field unknown for the given reason). */
export function unknownRunnerConfig(file: string, reason: string): RunnerConfigModel {
  const unknown = { kind: 'unknown', reason } as const;
  const model: RunnerConfigModel = {
    file,
    runner: 'unknown',
    notes: [],
    restoreMocks: unknown, mockReset: unknown, clearMocks: unknown, unstubEnvs: unknown, unstubGlobals: unknown,
    fakeTimers: unknown, setupFiles: unknown, isolate: unknown, pool: unknown, shuffle: unknown,
    fileParallelism: unknown, maxWorkers: unknown, fullyParallel: unknown, retry: unknown, forceExit: unknown,
  };
  return model;
}

/** One-shot convenience: the model for a file (reads configs without keeping a cache). */
export function runnerConfigFor(file: string, context: RunnerConfigContext): RunnerConfigModel {
  return new RunnerConfigResolver(context.root, context.host).forFile(file, context.frameworks);
}
