/**
 * Per-runner reading of an evaluated config value: which keys mean what, where globs are relative to,
 * and how projects are declared. Produces plain data (no nodes).
 */
import * as path from 'node:path';
import type { ConfigValue, ModelField, RunnerKind, SourceLocation } from '../runnerConfig.js';
import { member, plain, type Prop, type Span, type Val } from './evaluate.js';

/** Turns spans into source locations (line and character computed from the file text). */
export type Locate = (keyPath: string, key: Span, value: Span) => SourceLocation;

/** A setup module as listed in a config (not read yet). */
export interface SetupSpec {
  specifier: string;
  /** Directory a relative specifier is resolved against. */
  baseDir: string;
  source: SourceLocation;
}

/** Globs (or regexes) selecting test files; `unknown` when the config sets them in a way we cannot read. */
export type Patterns =
  | { kind: 'globs'; patterns: string[]; source?: SourceLocation }
  | { kind: 'regexes'; patterns: string[]; source?: SourceLocation }
  | { kind: 'unknown'; reason: string };

export interface ProjectSpec {
  runner: RunnerKind;
  name?: string;
  /** The config file this spec was read from. */
  configFile: string;
  /** Directory `include` globs are relative to. */
  dir: string;
  /** Test file selection; undefined: the runner's default. */
  include?: Patterns;
  exclude?: Patterns;
  /** jest `roots`: the file must be under one of them. */
  roots?: string[] | { unknown: string };
  /** Settings this spec sets (known or unknown); unset ones are absent. */
  fields: Partial<Record<ModelField, ConfigValue<unknown>>>;
  /** Setup modules per config key (vitest setupFiles; jest setupFiles and setupFilesAfterEnv; mocha require/file). */
  setup: Array<ConfigValue<SetupSpec[]>>;
  /** The config has parts we cannot read (unknown spread, computed root): unset fields are unknown, not default. */
  open?: string;
  /** vitest: an inline project with `extends: true` inherits the root config's options. */
  extendsRoot?: boolean;
  /** Where the project is declared (a `projects` entry), for diagnostics. */
  source?: SourceLocation;
}

export type ProjectRef =
  | { kind: 'inline'; spec: ProjectSpec }
  /** A glob or path to directories or config files (vitest `projects: ['packages/*']`, jest `projects: ['<rootDir>/a']`). */
  | { kind: 'path'; pattern: string; baseDir: string; source: SourceLocation };

export interface ParsedConfig {
  file: string;
  runner: RunnerKind;
  /** The config's own settings (for a config with projects: what inline projects may extend, and global options). */
  root: ProjectSpec;
  /** Projects declared by the config; undefined when it declares none. */
  projects?: ProjectRef[];
  /** The projects list exists but cannot be read. */
  projectsUnknown?: string;
  /** vite.config without a `test` key: used by vitest, but no sign the project uses vitest. */
  hasTestSection: boolean;
  notes: string[];
}

function keyOf(obj: Val, key: string): Prop | undefined {
  return obj.t === 'obj' ? obj.props.get(key) : undefined;
}

class Extractor {
  constructor(
    readonly locate: Locate,
    readonly spec: ProjectSpec,
  ) {}

  /** Reads `obj[key]` into a field with a type check; absent keys leave the field unset. */
  field(field: ModelField, obj: Val, key: string, keyPath: string, convert: (v: Val) => { ok: true; value: unknown } | { ok: false; reason: string }): void {
    const prop = keyOf(obj, key);
    if (!prop) {
      if (obj.t === 'obj' && obj.open && !this.spec.fields[field]) this.spec.fields[field] = { kind: 'unknown', reason: `\`${keyPath}\` may be set by ${obj.open}` };
      return;
    }
    this.set(field, prop, keyPath, convert);
  }

  set(field: ModelField, prop: Prop, keyPath: string, convert: (v: Val) => { ok: true; value: unknown } | { ok: false; reason: string }): void {
    const source = this.locate(keyPath, prop.key, prop.value.at);
    const value = prop.value;
    if (value.t === 'lit' && value.v === undefined) return;
    if (value.t === 'unknown') {
      this.spec.fields[field] = { kind: 'unknown', reason: value.reason, source };
      return;
    }
    const converted = convert(value);
    this.spec.fields[field] = converted.ok ? { kind: 'known', value: converted.value, source } : { kind: 'unknown', reason: converted.reason, source };
  }
}

const asBoolean = (v: Val): { ok: true; value: unknown } | { ok: false; reason: string } =>
  v.t === 'lit' && typeof v.v === 'boolean' ? { ok: true, value: v.v } : { ok: false, reason: 'not a boolean literal' };
const asNumber = (v: Val): { ok: true; value: unknown } | { ok: false; reason: string } =>
  v.t === 'lit' && typeof v.v === 'number' ? { ok: true, value: v.v } : { ok: false, reason: 'not a number literal' };
const asString = (v: Val): { ok: true; value: unknown } | { ok: false; reason: string } =>
  v.t === 'lit' && typeof v.v === 'string' ? { ok: true, value: v.v } : { ok: false, reason: 'not a string literal' };
const asWorkers = (v: Val): { ok: true; value: unknown } | { ok: false; reason: string } => {
  if (v.t !== 'lit') return { ok: false, reason: 'not a literal' };
  if (typeof v.v === 'number') return { ok: true, value: v.v };
  if (typeof v.v === 'string') return /^\d+$/.test(v.v) ? { ok: true, value: Number(v.v) } : { ok: true, value: v.v };
  return { ok: false, reason: 'not a number or percentage' };
};

function stringList(value: Val): { ok: true; items: Array<{ text: string; at: Span }> } | { ok: false; reason: string } {
  if (value.t === 'unknown') return { ok: false, reason: value.reason };
  if (value.t === 'lit' && typeof value.v === 'string') return { ok: true, items: [{ text: value.v, at: value.at }] };
  if (value.t === 'arr') {
    if (value.open) return { ok: false, reason: value.open };
    const items: Array<{ text: string; at: Span }> = [];
    for (const item of value.items) {
      if (item.t === 'lit' && typeof item.v === 'string') items.push({ text: item.v, at: item.at });
      else if (item.t === 'lit' && (item.v === undefined || item.v === null || item.v === false)) continue;
      else return { ok: false, reason: item.t === 'unknown' ? item.reason : 'an entry is not a string literal' };
    }
    return { ok: true, items };
  }
  return { ok: false, reason: 'not a string or list of strings' };
}

function patterns(prop: Prop | undefined, keyPath: string, locate: Locate, replace: (s: string) => string = (s) => s): Patterns | undefined {
  if (!prop) return undefined;
  const value = prop.value;
  if (value.t === 'lit' && value.v === undefined) return undefined;
  const source = locate(keyPath, prop.key, value.at);
  if (value.t === 'regex') return { kind: 'regexes', patterns: [value.source], source };
  if (value.t === 'arr' && !value.open && value.items.every((i) => i.t === 'regex')) {
    return { kind: 'regexes', patterns: value.items.map((i) => (i as { source: string }).source), source };
  }
  const list = stringList(value);
  if (!list.ok) return { kind: 'unknown', reason: `\`${keyPath}\`: ${list.reason}` };
  return { kind: 'globs', patterns: list.items.map((i) => replace(i.text)), source };
}

function setupList(prop: Prop | undefined, keyPath: string, baseDir: string, locate: Locate, replace: (s: string) => string = (s) => s): ConfigValue<SetupSpec[]> | undefined {
  if (!prop) return undefined;
  const value = prop.value;
  if (value.t === 'lit' && value.v === undefined) return undefined;
  const source = locate(keyPath, prop.key, value.at);
  const list = stringList(value);
  if (!list.ok) return { kind: 'unknown', reason: list.reason, source };
  return {
    kind: 'known',
    value: list.items.map((item) => ({ specifier: replace(item.text), baseDir, source: locate(keyPath, prop.key, item.at) })),
    source,
  };
}

function emptySpec(runner: RunnerKind, configFile: string, dir: string): ProjectSpec {
  return { runner, configFile, dir, fields: {}, setup: [] };
}

function openReason(value: Val): string | undefined {
  if (value.t === 'unknown') return value.reason;
  if (value.t === 'obj') return value.open;
  if (value.t === 'lit' && value.v === undefined) return undefined;
  return value.t === 'fn' ? 'the config is a function we could not evaluate' : `the config is not an object`;
}

// ---- vitest ---------------------------------------------------------------------------------------

export function readVitest(file: string, root: Val, locate: Locate): ParsedConfig {
  const notes: string[] = [];
  const test = member(root, 'test', root.at);
  const hasTestSection = root.t === 'obj' ? root.props.has('test') : root.t !== 'lit';
  const dir = path.dirname(file);
  const spec = vitestSpec(file, root, dir, locate, 'test', undefined);
  const parsed: ParsedConfig = { file, runner: 'vitest', root: spec, hasTestSection, notes };
  const projectsProp = keyOf(test, 'projects') ?? keyOf(test, 'workspace');
  if (projectsProp) {
    const keyPath = `test.${keyOf(test, 'projects') ? 'projects' : 'workspace'}`;
    const refs = projectRefs(projectsProp.value, keyPath, spec.dir, locate, (entry, entryPath) => {
      // Inline projects: `{ extends: true, test: { name, include, ... } }`.
      const inline = vitestSpec(file, entry, spec.dir, locate, `${entryPath}.test`, spec.dir);
      const ext = member(entry, 'extends', entry.at);
      inline.extendsRoot = ext.t === 'lit' && ext.v === true;
      if (ext.t === 'lit' && typeof ext.v === 'string') notes.push(`${entryPath}.extends names a file; its options are not merged`);
      return inline;
    });
    if (refs.ok) parsed.projects = refs.refs;
    else parsed.projectsUnknown = refs.reason;
  }
  return parsed;
}

/** A vitest workspace file (`vitest.workspace.ts`): `defineWorkspace([...])` or a plain array export. */
export function readVitestWorkspace(file: string, root: Val, locate: Locate): ParsedConfig {
  const dir = path.dirname(file);
  const spec = emptySpec('vitest', file, dir);
  const parsed: ParsedConfig = { file, runner: 'vitest', root: spec, hasTestSection: true, notes: [] };
  const refs = projectRefs(root, 'default', dir, locate, (entry, entryPath) => {
    const inline = vitestSpec(file, entry, dir, locate, `${entryPath}.test`, dir);
    const ext = member(entry, 'extends', entry.at);
    inline.extendsRoot = ext.t === 'lit' && ext.v === true;
    return inline;
  });
  if (refs.ok) parsed.projects = refs.refs;
  else parsed.projectsUnknown = refs.reason;
  return parsed;
}

function vitestSpec(file: string, config: Val, baseDir: string, locate: Locate, testPath: string, inlineBase: string | undefined): ProjectSpec {
  const test = member(config, 'test', config.at);
  let dir = baseDir;
  // vite `root` / vitest `test.root`: globs and setup files are relative to it.
  for (const rootValue of [member(config, 'root', config.at), member(test, 'root', test.at)]) {
    if (rootValue.t === 'lit' && typeof rootValue.v === 'string') dir = path.resolve(inlineBase ?? baseDir, rootValue.v);
  }
  const spec = emptySpec('vitest', file, dir);
  const open = openReason(config) ?? openReason(test);
  if (open) spec.open = open;
  const x = new Extractor(locate, spec);
  for (const key of ['restoreMocks', 'mockReset', 'clearMocks', 'unstubEnvs', 'unstubGlobals', 'isolate', 'fileParallelism'] as const) {
    x.field(key, test, key, `${testPath}.${key}`, asBoolean);
  }
  x.field('pool', test, 'pool', `${testPath}.pool`, asString);
  x.field('maxWorkers', test, 'maxWorkers', `${testPath}.maxWorkers`, asWorkers);
  const retry = keyOf(test, 'retry');
  if (retry) {
    // vitest 4: `retry: n` or `retry: { count: n, ... }`.
    const count = retry.value.t === 'obj' ? keyOf(retry.value, 'count') : undefined;
    if (count) x.set('retry', count, `${testPath}.retry.count`, asNumber);
    else if (retry.value.t === 'obj') spec.fields.retry = { kind: 'known', value: 0, source: locate(`${testPath}.retry`, retry.key, retry.value.at) };
    else x.set('retry', retry, `${testPath}.retry`, asNumber);
  } else {
    x.field('retry', test, 'retry', `${testPath}.retry`, asNumber);
  }
  const sequence = member(test, 'sequence', test.at);
  const shuffle = keyOf(sequence, 'shuffle');
  if (shuffle) {
    // `shuffle: { files, tests }`: the order of tests inside a file is what shared state between tests sees.
    if (shuffle.value.t === 'obj') {
      const tests = keyOf(shuffle.value, 'tests');
      if (tests) x.set('shuffle', tests, `${testPath}.sequence.shuffle.tests`, asBoolean);
      else spec.fields.shuffle = shuffle.value.open ? { kind: 'unknown', reason: shuffle.value.open } : { kind: 'known', value: false, source: locate(`${testPath}.sequence.shuffle`, shuffle.key, shuffle.value.at) };
    } else {
      x.set('shuffle', shuffle, `${testPath}.sequence.shuffle`, asBoolean);
    }
  } else if (sequence.t === 'unknown' || (sequence.t === 'obj' && sequence.open)) {
    spec.fields.shuffle = { kind: 'unknown', reason: sequence.t === 'unknown' ? sequence.reason : sequence.open! };
  }
  x.field('fullyParallel', sequence, 'concurrent', `${testPath}.sequence.concurrent`, asBoolean);

  // vitest < 4: poolOptions.<pool>.isolate / singleFork / singleThread / maxForks / maxThreads.
  const poolOptions = member(test, 'poolOptions', test.at);
  if (poolOptions.t === 'obj') {
    const pool = spec.fields.pool;
    const poolName = pool?.kind === 'known' ? String(pool.value) : pool ? undefined : 'forks';
    const options = poolName ? keyOf(poolOptions, poolName) : undefined;
    if (options && options.value.t === 'obj') {
      const base = `${testPath}.poolOptions.${poolName}`;
      if (!spec.fields.isolate) x.field('isolate', options.value, 'isolate', `${base}.isolate`, asBoolean);
      const single = keyOf(options.value, poolName === 'threads' || poolName === 'vmThreads' ? 'singleThread' : 'singleFork');
      if (single && !spec.fields.fileParallelism) {
        x.set('fileParallelism', single, `${base}.${poolName === 'threads' || poolName === 'vmThreads' ? 'singleThread' : 'singleFork'}`, (v) => {
          const b = asBoolean(v);
          return b.ok ? { ok: true, value: !b.value } : b;
        });
      }
      if (!spec.fields.maxWorkers) x.field('maxWorkers', options.value, poolName === 'threads' || poolName === 'vmThreads' ? 'maxThreads' : 'maxForks', `${base}.max`, asWorkers);
    }
  }

  const name = member(test, 'name', test.at);
  if (name.t === 'lit' && typeof name.v === 'string') spec.name = name.v;
  else if (name.t === 'obj') {
    const label = member(name, 'label', name.at);
    if (label.t === 'lit' && typeof label.v === 'string') spec.name = label.v;
  }
  const include = patterns(keyOf(test, 'include'), `${testPath}.include`, locate);
  if (include) spec.include = include;
  else if (test.t === 'obj' && test.open) spec.include = { kind: 'unknown', reason: `\`${testPath}.include\` may be set by ${test.open}` };
  const exclude = patterns(keyOf(test, 'exclude'), `${testPath}.exclude`, locate);
  if (exclude) spec.exclude = exclude;
  const dirProp = member(test, 'dir', test.at);
  if (dirProp.t === 'lit' && typeof dirProp.v === 'string') spec.roots = [path.resolve(dir, dirProp.v)];
  const setup = setupList(keyOf(test, 'setupFiles'), `${testPath}.setupFiles`, dir, locate);
  if (setup) spec.setup.push(setup);
  else if (test.t === 'obj' && test.open) spec.setup.push({ kind: 'unknown', reason: `\`${testPath}.setupFiles\` may be set by ${test.open}` });
  return spec;
}

/** Reads a `projects` array: strings are globs of directories or config files, objects are inline projects. */
function projectRefs(value: Val, keyPath: string, baseDir: string, locate: Locate, inline: (entry: Val, entryPath: string) => ProjectSpec): { ok: true; refs: ProjectRef[] } | { ok: false; reason: string } {
  if (value.t === 'unknown') return { ok: false, reason: value.reason };
  if (value.t !== 'arr') return { ok: false, reason: `\`${keyPath}\` is not a list` };
  if (value.open) return { ok: false, reason: value.open };
  const refs: ProjectRef[] = [];
  value.items.forEach((item, index) => {
    const entryPath = `${keyPath}[${index}]`;
    if (item.t === 'lit' && typeof item.v === 'string') {
      refs.push({ kind: 'path', pattern: item.v, baseDir, source: locate(entryPath, item.at, item.at) });
    } else if (item.t === 'obj') {
      const spec = inline(item, entryPath);
      spec.source = locate(entryPath, item.at, item.at);
      refs.push({ kind: 'inline', spec });
    } else if (item.t === 'fn') {
      const result = item.call();
      if (result.t === 'obj') {
        const spec = inline(result, entryPath);
        spec.source = locate(entryPath, item.at, item.at);
        refs.push({ kind: 'inline', spec });
      } else {
        refs.push({ kind: 'inline', spec: unknownSpec(inline, item, `${entryPath} cannot be read`, locate(entryPath, item.at, item.at)) });
      }
    } else if (!(item.t === 'lit' && (item.v === undefined || item.v === null || item.v === false))) {
      // An entry we cannot read may govern any file: keep it as a project that matches unknown files.
      const reason = item.t === 'unknown' ? item.reason : `${entryPath} is not a path or an object`;
      refs.push({ kind: 'inline', spec: unknownSpec(inline, item, reason, locate(entryPath, item.at, item.at)) });
    }
  });
  return { ok: true, refs };
}

function unknownSpec(inline: (entry: Val, entryPath: string) => ProjectSpec, item: Val, reason: string, source: SourceLocation): ProjectSpec {
  const spec = inline({ t: 'obj', props: new Map(), at: item.at }, source.keyPath);
  spec.open = reason;
  spec.include = { kind: 'unknown', reason };
  spec.source = source;
  return spec;
}

// ---- jest -----------------------------------------------------------------------------------------

export function readJest(file: string, root: Val, locate: Locate, keyPrefix = '', preset?: (name: string, rootDir: string) => Val | undefined): ParsedConfig {
  const notes: string[] = [];
  const spec = jestSpec(file, root, path.dirname(file), locate, keyPrefix, preset, notes);
  const parsed: ParsedConfig = { file, runner: 'jest', root: spec, hasTestSection: true, notes };
  const projectsProp = keyOf(root, 'projects');
  if (projectsProp) {
    const rootDir = spec.dir;
    const keyPath = `${keyPrefix}projects`;
    const refs = projectRefs(projectsProp.value, keyPath, rootDir, locate, (entry, entryPath) => jestSpec(file, entry, rootDir, locate, `${entryPath}.`, preset, notes));
    if (refs.ok) {
      parsed.projects = refs.refs.map((ref) => (ref.kind === 'path' ? { ...ref, pattern: ref.pattern.replace(/<rootDir>/g, rootDir) } : ref));
    } else parsed.projectsUnknown = refs.reason;
  }
  return parsed;
}

function jestSpec(file: string, config: Val, baseDir: string, locate: Locate, keyPrefix: string, preset: ((name: string, rootDir: string) => Val | undefined) | undefined, notes: string[]): ProjectSpec {
  const rootDirValue = member(config, 'rootDir', config.at);
  const rootDir = rootDirValue.t === 'lit' && typeof rootDirValue.v === 'string' ? path.resolve(baseDir, rootDirValue.v) : baseDir;
  const replace = (s: string): string => s.replace(/<rootDir>/g, rootDir);
  const spec = emptySpec('jest', file, rootDir);
  const open = openReason(config);
  if (open) spec.open = open;
  const x = new Extractor(locate, spec);
  x.field('restoreMocks', config, 'restoreMocks', `${keyPrefix}restoreMocks`, asBoolean);
  x.field('mockReset', config, 'resetMocks', `${keyPrefix}resetMocks`, asBoolean);
  x.field('clearMocks', config, 'clearMocks', `${keyPrefix}clearMocks`, asBoolean);
  x.field('shuffle', config, 'randomize', `${keyPrefix}randomize`, asBoolean);
  x.field('maxWorkers', config, 'maxWorkers', `${keyPrefix}maxWorkers`, asWorkers);
  const workers = spec.fields.maxWorkers;
  if (workers?.kind === 'known' && (workers.value === 1 || workers.value === '1')) {
    spec.fields.fileParallelism = { kind: 'known', value: false, source: workers.source };
  }
  const fakeTimers = keyOf(config, 'fakeTimers');
  if (fakeTimers) {
    const enable = keyOf(fakeTimers.value, 'enableGlobally');
    if (enable) x.set('fakeTimers', enable, `${keyPrefix}fakeTimers.enableGlobally`, asBoolean);
    else if (fakeTimers.value.t === 'unknown' || (fakeTimers.value.t === 'obj' && fakeTimers.value.open)) {
      spec.fields.fakeTimers = { kind: 'unknown', reason: fakeTimers.value.t === 'unknown' ? fakeTimers.value.reason : fakeTimers.value.open!, source: locate(`${keyPrefix}fakeTimers`, fakeTimers.key, fakeTimers.value.at) };
    }
  }
  // Jest < 27: `timers: "fake" | "modern" | "legacy" | "real"`.
  if (!spec.fields.fakeTimers) {
    x.field('fakeTimers', config, 'timers', `${keyPrefix}timers`, (v) => {
      if (v.t !== 'lit' || typeof v.v !== 'string') return { ok: false, reason: 'not a string literal' };
      return { ok: true, value: v.v !== 'real' };
    });
  }
  const displayName = member(config, 'displayName', config.at);
  if (displayName.t === 'lit' && typeof displayName.v === 'string') spec.name = displayName.v;
  else if (displayName.t === 'obj') {
    const name = member(displayName, 'name', displayName.at);
    if (name.t === 'lit' && typeof name.v === 'string') spec.name = name.v;
  }
  const testMatch = patterns(keyOf(config, 'testMatch'), `${keyPrefix}testMatch`, locate, replace);
  const testRegex = patterns(keyOf(config, 'testRegex'), `${keyPrefix}testRegex`, locate);
  if (testMatch) spec.include = testMatch;
  else if (testRegex) spec.include = testRegex.kind === 'globs' ? { kind: 'regexes', patterns: testRegex.patterns, ...(testRegex.source ? { source: testRegex.source } : {}) } : testRegex;
  else if (config.t === 'obj' && config.open) spec.include = { kind: 'unknown', reason: `\`testMatch\` may be set by ${config.open}` };
  const ignore = patterns(keyOf(config, 'testPathIgnorePatterns'), `${keyPrefix}testPathIgnorePatterns`, locate, replace);
  if (ignore) spec.exclude = ignore.kind === 'globs' ? { kind: 'regexes', patterns: ignore.patterns } : ignore;
  const roots = keyOf(config, 'roots');
  if (roots) {
    const list = stringList(roots.value);
    spec.roots = list.ok ? list.items.map((i) => path.resolve(rootDir, replace(i.text))) : { unknown: list.reason };
  }
  for (const key of ['setupFiles', 'setupFilesAfterEnv']) {
    const setup = setupList(keyOf(config, key), `${keyPrefix}${key}`, rootDir, locate, replace);
    if (setup) spec.setup.push(setup);
    else if (config.t === 'obj' && config.open) spec.setup.push({ kind: 'unknown', reason: `\`${key}\` may be set by ${config.open}` });
  }
  // A preset supplies defaults for every key the config does not set.
  const presetValue = member(config, 'preset', config.at);
  if (presetValue.t === 'lit' && typeof presetValue.v === 'string') {
    const presetConfig = preset?.(presetValue.v, rootDir);
    if (!presetConfig) {
      spec.open ??= `the preset '${presetValue.v}', which cannot be read`;
      notes.push(`preset '${presetValue.v}' cannot be read: options it may set are unknown`);
    } else {
      const fromPreset = jestSpec(file, presetConfig, rootDir, locate, `${keyPrefix}preset:`, undefined, notes);
      for (const [key, value] of Object.entries(fromPreset.fields) as Array<[ModelField, ConfigValue<unknown>]>) {
        if (!spec.fields[key]) spec.fields[key] = value;
      }
      // Jest concatenates the preset's setup files with the config's.
      spec.setup.unshift(...fromPreset.setup);
      spec.include ??= fromPreset.include;
      if (fromPreset.open) spec.open ??= fromPreset.open;
    }
  } else if (presetValue.t === 'unknown') {
    spec.open ??= presetValue.reason;
  }
  return spec;
}

// ---- Playwright -----------------------------------------------------------------------------------

function playwrightSpec(file: string, config: Val, baseDir: string, locate: Locate, keyPrefix: string): ProjectSpec {
  const testDirValue = member(config, 'testDir', config.at);
  const dir = testDirValue.t === 'lit' && typeof testDirValue.v === 'string' ? path.resolve(baseDir, testDirValue.v) : baseDir;
  const spec = emptySpec('playwright', file, dir);
  const open = openReason(config);
  if (open) spec.open = open;
  if (testDirValue.t === 'unknown') spec.roots = { unknown: testDirValue.reason };
  else spec.roots = [dir];
  const x = new Extractor(locate, spec);
  x.field('retry', config, 'retries', `${keyPrefix}retries`, asNumber);
  x.field('fullyParallel', config, 'fullyParallel', `${keyPrefix}fullyParallel`, asBoolean);
  const name = member(config, 'name', config.at);
  if (name.t === 'lit' && typeof name.v === 'string') spec.name = name.v;
  const include = patterns(keyOf(config, 'testMatch'), `${keyPrefix}testMatch`, locate);
  if (include) spec.include = include;
  const exclude = patterns(keyOf(config, 'testIgnore'), `${keyPrefix}testIgnore`, locate);
  if (exclude) spec.exclude = exclude;
  return spec;
}

export function readPlaywright(file: string, root: Val, locate: Locate): ParsedConfig {
  const dir = path.dirname(file);
  const spec = playwrightSpec(file, root, dir, locate, '');
  const x = new Extractor(locate, spec);
  x.field('maxWorkers', root, 'workers', 'workers', asWorkers);
  const workers = spec.fields.maxWorkers;
  if (workers?.kind === 'known' && (workers.value === 1 || workers.value === '1')) spec.fields.fileParallelism = { kind: 'known', value: false, source: workers.source };
  const parsed: ParsedConfig = { file, runner: 'playwright', root: spec, hasTestSection: true, notes: [] };
  const projectsProp = keyOf(root, 'projects');
  if (projectsProp) {
    // A project inherits the top-level options it does not set.
    const refs = projectRefs(projectsProp.value, 'projects', dir, locate, (entry, entryPath) => {
      const project = playwrightSpec(file, entry, spec.dir, locate, `${entryPath}.`);
      if (!keyOf(entry, 'testDir')) {
        project.dir = spec.dir;
        project.roots = spec.roots!;
      }
      project.extendsRoot = true;
      return project;
    });
    if (refs.ok) parsed.projects = refs.refs.filter((r) => r.kind === 'inline');
    else parsed.projectsUnknown = refs.reason;
  }
  return parsed;
}

// ---- mocha ----------------------------------------------------------------------------------------

export function readMocha(file: string, root: Val, locate: Locate, keyPrefix = ''): ParsedConfig {
  const dir = path.dirname(file);
  const spec = emptySpec('mocha', file, dir);
  const open = openReason(root);
  if (open) spec.open = open;
  const x = new Extractor(locate, spec);
  x.field('retry', root, 'retries', `${keyPrefix}retries`, asNumber);
  x.field('fileParallelism', root, 'parallel', `${keyPrefix}parallel`, asBoolean);
  x.field('maxWorkers', root, 'jobs', `${keyPrefix}jobs`, asWorkers);
  x.field('forceExit', root, 'exit', `${keyPrefix}exit`, asBoolean);
  const include = patterns(keyOf(root, 'spec'), `${keyPrefix}spec`, locate);
  if (include) spec.include = include;
  const ignore = patterns(keyOf(root, 'ignore') ?? keyOf(root, 'exclude'), `${keyPrefix}ignore`, locate);
  if (ignore) spec.exclude = ignore;
  for (const key of ['require', 'file']) {
    const setup = setupList(keyOf(root, key), `${keyPrefix}${key}`, dir, locate);
    if (setup) spec.setup.push(setup);
    else if (root.t === 'obj' && root.open) spec.setup.push({ kind: 'unknown', reason: `\`${key}\` may be set by ${root.open}` });
  }
  return { file, runner: 'mocha', root: spec, hasTestSection: true, notes: [] };
}

// ---- command lines in package.json scripts (node --test, mocha) ------------------------------------

/** Splits a script into commands (on &&, ||, ;, |) and each command into words (quotes honoured). */
export function scriptCommands(script: string): Array<Array<{ word: string; start: number; end: number }>> {
  const commands: Array<Array<{ word: string; start: number; end: number }>> = [[]];
  let i = 0;
  while (i < script.length) {
    const ch = script[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === ';' || ch === '|' || ch === '&') {
      while (i < script.length && /[;|&]/.test(script[i]!)) i++;
      commands.push([]);
      continue;
    }
    const start = i;
    let word = '';
    while (i < script.length && !/[\s;|&]/.test(script[i]!)) {
      const c = script[i]!;
      if (c === '"' || c === "'") {
        const close = script.indexOf(c, i + 1);
        const end = close === -1 ? script.length : close;
        word += script.slice(i + 1, end);
        i = end + 1;
      } else {
        word += c;
        i++;
      }
    }
    commands[commands.length - 1]!.push({ word, start, end: i });
  }
  return commands.filter((c) => c.length > 0);
}

export interface ScriptRun {
  runner: 'node-test' | 'mocha';
  script: string;
  spec: ProjectSpec;
}

/**
 * `node --test ...` and `mocha ...` command lines in package.json scripts, read as configs: flags become
 * settings located on the script's value; positional arguments select files.
 */
export function readScripts(file: string, pkg: Val, locate: Locate): ScriptRun[] {
  const scripts = member(pkg, 'scripts', pkg.at);
  if (scripts.t !== 'obj') return [];
  const runs: ScriptRun[] = [];
  const dir = path.dirname(file);
  for (const [name, prop] of scripts.props) {
    if (prop.value.t !== 'lit' || typeof prop.value.v !== 'string') continue;
    const script = prop.value.v;
    // Offsets inside the JSON string: +1 for the opening quote (escapes are rare in scripts; offsets may drift after one).
    const valueStart = prop.value.at.start + 1;
    for (const command of scriptCommands(script)) {
      const words = command;
      const program = words.findIndex((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w.word) && w.word !== 'npx' && w.word !== 'cross-env' && w.word !== 'dotenv' && w.word !== '--');
      const exe = words[program];
      if (!exe) continue;
      const base = path.basename(exe.word);
      const isNode = base === 'node' || base === 'tsx' || base === 'ts-node';
      const args = words.slice(program + 1);
      const isNodeTest = isNode && args.some((a) => a.word === '--test');
      const isMocha = base === 'mocha' || base === '_mocha';
      if (!isNodeTest && !isMocha) continue;
      const runner = isNodeTest ? 'node-test' : 'mocha';
      const spec = emptySpec(runner, file, dir);
      spec.name = `scripts.${name}`;
      const keyPath = `scripts.${name}`;
      const at = (w: { start: number; end: number }): Span => ({ file, start: valueStart + w.start, end: valueStart + w.end });
      const located = (w: { start: number; end: number }): SourceLocation => locate(keyPath, prop.key, at(w));
      const positional: string[] = [];
      const setup: SetupSpec[] = [];
      for (let index = 0; index < args.length; index++) {
        const arg = args[index]!;
        const eq = arg.word.indexOf('=');
        const flag = arg.word.startsWith('-') ? (eq === -1 ? arg.word : arg.word.slice(0, eq)) : undefined;
        const takeValue = (): string | undefined => {
          if (eq !== -1) return arg.word.slice(eq + 1);
          const next = args[index + 1];
          if (next && !next.word.startsWith('-')) {
            index++;
            return next.word;
          }
          return undefined;
        };
        if (!flag) {
          positional.push(arg.word);
          continue;
        }
        const source = located(arg);
        const known = (field: ModelField, value: unknown): void => {
          spec.fields[field] = { kind: 'known', value, source };
        };
        const numberValue = (field: ModelField): void => {
          const v = takeValue();
          if (v === undefined) return;
          if (/^\d+$/.test(v)) known(field, Number(v));
          else spec.fields[field] = { kind: 'unknown', reason: `\`${arg.word} ${v}\` is not a number`, source };
        };
        if (runner === 'node-test') {
          if (flag === '--test-concurrency') {
            numberValue('maxWorkers');
            const w = spec.fields.maxWorkers;
            if (w?.kind === 'known') known('fileParallelism', (w.value as number) > 1);
          } else if (flag === '--test-force-exit') known('forceExit', true);
          else if (flag === '--test-isolation' || flag === '--experimental-test-isolation') {
            const v = takeValue();
            if (v === 'none') {
              known('isolate', false);
              known('fileParallelism', false);
            } else if (v === 'process') known('isolate', true);
          } else if (flag === '--test-randomize' || flag === '--test-random-seed') {
            if (flag === '--test-random-seed') takeValue();
            known('shuffle', true);
          } else if (flag === '--import' || flag === '--require' || flag === '-r') {
            const v = takeValue();
            if (v) setup.push({ specifier: v, baseDir: dir, source });
          } else if (['--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-skip-pattern', '--test-timeout', '--loader', '--experimental-loader', '--env-file', '--conditions', '-C', '--test-coverage-include', '--test-coverage-exclude', '--test-shard'].includes(flag)) {
            takeValue();
          }
        } else {
          if (flag === '--retries') numberValue('retry');
          else if (flag === '--parallel' || flag === '-p') known('fileParallelism', true);
          else if (flag === '--exit') known('forceExit', true);
          else if (flag === '--jobs' || flag === '-j') numberValue('maxWorkers');
          else if (flag === '--require' || flag === '-r' || flag === '--file') {
            const v = takeValue();
            if (v) setup.push({ specifier: v, baseDir: dir, source });
          } else if (['--config', '--reporter', '-R', '--timeout', '-t', '--slow', '-s', '--grep', '-g', '--fgrep', '-f', '--ui', '-u', '--extension', '--ignore', '--exclude', '--reporter-option', '--reporter-options', '-O', '--spec', '--node-option', '-n', '--loader'].includes(flag)) {
            const v = takeValue();
            if ((flag === '--spec') && v) positional.push(v);
            if (flag === '--config' && v) spec.name = `${keyPath} (--config ${v})`;
          }
        }
      }
      if (setup.length) spec.setup.push({ kind: 'known', value: setup, source: setup[0]!.source });
      if (positional.length) spec.include = { kind: 'globs', patterns: positional.map((p) => p.replace(/^\.\//, '')) };
      runs.push({ runner, script: name, spec });
    }
  }
  return runs;
}

/** The value of a named export of plain data, for diagnostics: `plain` re-exported for callers. */
export { plain };
