/**
 * Finds the runner config that governs a test file, reads it (and the modules it imports, its projects and
 * setup files) statically, and assembles the per-file model. Caches parsed configs and setup files until
 * one of their inputs changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { Framework } from '../testModel.js';
import {
  MODEL_FIELDS,
  unknownRunnerConfig,
  type ConfigSetting,
  type ConfigValue,
  type ModelField,
  type RunnerConfigFile,
  type RunnerConfigModel,
  type RunnerKind,
  type SetupFile,
  type SourceLocation,
} from '../runnerConfig.js';
import { ModuleEvaluator, member, plain, type Span, type Val } from './evaluate.js';
import { parseSimpleYaml } from './yaml.js';
import {
  readJest,
  readMocha,
  readPlaywright,
  readScripts,
  readVitest,
  readVitestWorkspace,
  type Locate,
  type ParsedConfig,
  type Patterns,
  type ProjectSpec,
  type SetupSpec,
} from './runners.js';
import { INTERCEPTION_SPECIFIERS, parseSetupModule, type ParsedSetup } from './setup.js';

/** File access for config reading: editor buffers win over disk in the LSP. */
export interface ConfigHost {
  readFile(file: string): string | undefined;
  fileExists(file: string): boolean;
  /** Entry names of a directory, or undefined when it cannot be read. */
  readDirectory(dir: string): Array<{ name: string; isDirectory: boolean }> | undefined;
}

export const diskHost: ConfigHost = {
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  fileExists(file) {
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  },
  readDirectory(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
    } catch {
      return undefined;
    }
  },
};

const CONFIG_NAME = /^(?:(?:vitest|vite|jest|playwright)\.config\.(?:[cm]?[jt]s|json)|vitest\.(?:workspace|projects)\.(?:[cm]?[jt]s|json)|\.mocharc(?:\.(?:js|cjs|mjs|json|jsonc|yaml|yml))?|package\.json)$/;

/** Config file names in discovery order within one directory (the runners' own precedence). */
const CANDIDATES: Array<{ runner: RunnerKind; pattern: RegExp; kind: CandidateKind }> = [
  { runner: 'vitest', pattern: /^vitest\.config\.(?:[cm]?[jt]s)$/, kind: 'vitest' },
  { runner: 'vitest', pattern: /^vite\.config\.(?:[cm]?[jt]s)$/, kind: 'vitest' },
  { runner: 'vitest', pattern: /^vitest\.(?:workspace|projects)\.(?:[cm]?[jt]s|json)$/, kind: 'vitest-workspace' },
  { runner: 'jest', pattern: /^jest\.config\.(?:[cm]?[jt]s|json)$/, kind: 'jest' },
  { runner: 'playwright', pattern: /^playwright\.config\.(?:[cm]?[jt]s)$/, kind: 'playwright' },
  { runner: 'mocha', pattern: /^\.mocharc\.(?:js|cjs|mjs)$/, kind: 'mocha' },
  { runner: 'mocha', pattern: /^\.mocharc\.(?:yaml|yml)$/, kind: 'mocha' },
  { runner: 'mocha', pattern: /^\.mocharc(?:\.jsonc|\.json)?$/, kind: 'mocha' },
  { runner: 'jest', pattern: /^package\.json$/, kind: 'package' },
];

type CandidateKind = 'vitest' | 'vitest-workspace' | 'jest' | 'playwright' | 'mocha' | 'package';

const EXT_ORDER = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];

/** Presets known to set only transforms and module resolution, none of the modelled options. */
const TRANSFORM_ONLY_PRESETS = /^ts-jest(?:\/presets\/[\w-]+)?$/;

const DEFAULT_INCLUDE: Record<RunnerKind, string[] | undefined> = {
  vitest: ['**/*.{test,spec}.?(c|m)[jt]s?(x)'],
  jest: ['**/__tests__/**/*.?([mc])[jt]s?(x)', '**/?(*.)+(spec|test).?([mc])[jt]s?(x)'],
  playwright: ['**/*.@(spec|test).?(c|m)[jt]s?(x)'],
  // mocha specs usually come from the command line; node:test scripts without patterns use node's defaults.
  mocha: undefined,
  'node-test': undefined,
};
const VITEST_DEFAULT_EXCLUDE = ['**/node_modules/**', '**/.git/**'];

type Defaults = { [K in ModelField]: unknown };

/** What each runner does when no config sets a field; undefined: decided at run time (CPU count, file count). */
function defaultsFor(runner: RunnerKind, fields: Partial<Record<ModelField, ConfigValue<unknown>>>): Defaults {
  const common = {
    restoreMocks: false, mockReset: false, clearMocks: false, unstubEnvs: false, unstubGlobals: false, fakeTimers: false,
    setupFiles: [], shuffle: false, fullyParallel: false, retry: 0, forceExit: false, pool: undefined, maxWorkers: undefined,
  };
  switch (runner) {
    case 'vitest':
      return { ...common, isolate: true, pool: 'forks', fileParallelism: true };
    case 'jest':
      return { ...common, isolate: true, fileParallelism: undefined };
    case 'playwright':
      // Workers are reused across files; module state is not reset per file.
      return { ...common, isolate: undefined, fileParallelism: true };
    case 'mocha': {
      const parallel = fields.fileParallelism?.kind === 'known' && fields.fileParallelism.value === true;
      return { ...common, isolate: parallel ? undefined : false, fileParallelism: false };
    }
    case 'node-test':
      return { ...common, isolate: true, fileParallelism: undefined };
  }
}

/** Options that belong to the whole run, not to a project: a project inherits them from the root config. */
const GLOBAL_FIELDS: Record<RunnerKind, ReadonlySet<ModelField>> = {
  vitest: new Set(['maxWorkers', 'fileParallelism']),
  jest: new Set(['maxWorkers', 'fileParallelism', 'shuffle']),
  playwright: new Set(['maxWorkers', 'fileParallelism']),
  mocha: new Set(),
  'node-test': new Set(),
};

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function posix(p: string): string {
  return p.replace(/\\/g, '/');
}

type Claim = 'yes' | 'no' | 'unknown';

interface CachedParse {
  configs: ParsedConfig[];
  inputs: Set<string>;
}

interface CachedModel {
  model: RunnerConfigModel;
}

export class ConfigReader {
  private readonly parses = new Map<string, CachedParse>();
  private readonly setups = new Map<string, ParsedSetup>();
  private readonly dirListings = new Map<string, string[]>();
  private readonly models = new Map<string, CachedModel>();
  /** Test file -> every file its last model was built from (kept across invalidation, to find the files to re-analyse). */
  private readonly modelInputs = new Map<string, Set<string>>();
  private readonly lineStarts = new Map<string, { text: string; starts: number[] }>();

  constructor(
    readonly root: string,
    readonly host: ConfigHost,
  ) {}

  static isConfigFileName(file: string): boolean {
    return CONFIG_NAME.test(path.basename(file));
  }

  // ---- cache ----------------------------------------------------------------------------------

  invalidate(file: string): boolean {
    let hit = false;
    if (ConfigReader.isConfigFileName(file)) {
      this.dirListings.delete(path.dirname(file));
      hit = true;
    }
    for (const [key, cached] of this.parses) {
      if (key === file || cached.inputs.has(file)) {
        this.parses.delete(key);
        hit = true;
      }
    }
    for (const [key, setup] of this.setups) {
      if (setup.inputs.includes(file)) {
        this.setups.delete(key);
        hit = true;
      }
    }
    this.lineStarts.delete(file);
    if (hit) this.models.clear();
    else if ([...this.modelInputs.values()].some((inputs) => inputs.has(file))) {
      this.models.clear();
      hit = true;
    }
    return hit;
  }

  dependsOn(testFile: string, input: string): boolean {
    return this.modelInputs.get(testFile)?.has(input) ?? false;
  }

  // ---- locations ------------------------------------------------------------------------------

  private readonly locate: Locate = (keyPath, key, value) => {
    const toPosition = (offset: number): { line: number; character: number } => {
      const starts = this.lineStartsOf(key.file);
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (starts[mid]! <= offset) low = mid;
        else high = mid - 1;
      }
      return { line: low, character: offset - (starts[low] ?? 0) };
    };
    return {
      file: key.file,
      keyPath,
      start: key.start,
      end: key.end,
      valueStart: value.start,
      valueEnd: value.end,
      range: { start: toPosition(key.start), end: toPosition(key.end) },
    };
  };

  private lineStartsOf(file: string): number[] {
    const text = this.host.readFile(file) ?? '';
    const cached = this.lineStarts.get(file);
    if (cached && cached.text === text) return cached.starts;
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    this.lineStarts.set(file, { text, starts });
    return starts;
  }

  // ---- discovery ------------------------------------------------------------------------------

  private configNamesIn(dir: string): string[] {
    const cached = this.dirListings.get(dir);
    if (cached) return cached;
    const entries = this.host.readDirectory(dir) ?? [];
    const names = entries.filter((e) => !e.isDirectory && CONFIG_NAME.test(e.name)).map((e) => e.name);
    // Within one kind, the runners look for .ts before .js and so on; keep a stable order.
    names.sort((a, b) => extRank(a) - extRank(b) || a.localeCompare(b));
    this.dirListings.set(dir, names);
    return names;
  }

  /** Parsed configs of one file (package.json may hold a jest config, a mocha config and test scripts). */
  parse(file: string): ParsedConfig[] {
    const cached = this.parses.get(file);
    if (cached) return cached.configs;
    const evaluator = new ModuleEvaluator(this.host);
    const base = path.basename(file);
    const configs: ParsedConfig[] = [];
    const fail = (runner: RunnerKind, error: unknown): void => {
      configs.push({
        file, runner, hasTestSection: true, notes: [`${base} could not be read: ${(error as Error).message}`],
        root: { runner, configFile: file, dir: path.dirname(file), fields: {}, setup: [], open: `${base} could not be read` },
      });
    };
    try {
      if (base === 'package.json') {
        const pkg = evaluator.jsonValue(file);
        const jest = member(pkg, 'jest', pkg.at);
        if (jest.t !== 'lit') configs.push(readJest(file, jest, this.locate, 'jest.', (name, dir) => this.preset(evaluator, name, dir)));
        const mocha = member(pkg, 'mocha', pkg.at);
        if (mocha.t !== 'lit') configs.push(readMocha(file, mocha, this.locate, 'mocha.'));
        for (const run of readScripts(file, pkg, this.locate, this.host.readFile(file))) {
          const notes: string[] = [];
          if (run.config) {
            // `mocha --config x.js`: the rc file's options, overridden by the script's own flags.
            const rcValue = /\.ya?ml$/.test(run.config) ? this.yamlValue(run.config, evaluator) : /\.jsonc?$/.test(run.config) ? evaluator.jsonValue(run.config) : evaluator.configValue(run.config);
            const rc = readMocha(run.config, rcValue, this.locate).root;
            run.spec.fields = { ...rc.fields, ...run.spec.fields };
            run.spec.setup = [...rc.setup, ...run.spec.setup];
            run.spec.include ??= rc.include;
            run.spec.exclude ??= rc.exclude;
            if (rc.open) run.spec.open = rc.open;
          }
          configs.push({ file, runner: run.runner, root: run.spec, hasTestSection: true, notes });
        }
      } else {
        const candidate = CANDIDATES.find((c) => c.pattern.test(base) && c.kind !== 'package');
        if (candidate) {
          const value = (): Val => (/\.json$|^\.mocharc(\.jsonc)?$/.test(base) ? evaluator.jsonValue(file) : /\.ya?ml$/.test(base) ? this.yamlValue(file, evaluator) : evaluator.configValue(file));
          try {
            switch (candidate.kind) {
              case 'vitest': configs.push(readVitest(file, value(), this.locate, this.vitestCwd(file, evaluator))); break;
              case 'vitest-workspace': configs.push(readVitestWorkspace(file, value(), this.locate)); break;
              case 'jest': configs.push(readJest(file, value(), this.locate, '', (name, dir) => this.preset(evaluator, name, dir))); break;
              case 'playwright': configs.push(readPlaywright(file, value(), this.locate)); break;
              case 'mocha': configs.push(readMocha(file, value(), this.locate)); break;
            }
          } catch (error) {
            fail(candidate.runner, error);
          }
        }
      }
    } catch (error) {
      fail('jest', error);
    }
    evaluator.inputs.add(file);
    this.parses.set(file, { configs, inputs: evaluator.inputs });
    return configs;
  }

  /**
   * The directory vitest runs in with this config: the directory of a package.json (at or above the config)
   * whose scripts pass it with `--config` (scripts run there), else the config's own directory (vitest run
   * beside its config, or the config is a project, whose root resolves against its own directory).
   */
  private vitestCwd(file: string, evaluator: ModuleEvaluator): string {
    const configDir = path.dirname(file);
    for (let dir = configDir; isInside(this.root, dir); dir = path.dirname(dir)) {
      const pkgFile = path.join(dir, 'package.json');
      evaluator.inputs.add(pkgFile);
      if (dir !== configDir && this.host.fileExists(pkgFile)) {
        let scripts: Record<string, unknown> = {};
        try {
          scripts = (JSON.parse(this.host.readFile(pkgFile) ?? '{}') as { scripts?: Record<string, unknown> }).scripts ?? {};
        } catch {
          // unreadable package.json: no script to learn from
        }
        for (const script of Object.values(scripts)) {
          if (typeof script !== 'string' || !/\bvitest\b/.test(script)) continue;
          for (const match of script.matchAll(/(?:--config|-c)(?:=|\s+)(["']?)([^\s"']+)\1/g)) {
            if (path.resolve(dir, match[2]!) === file) return dir;
          }
        }
      }
      if (dir === this.root || path.dirname(dir) === dir) break;
    }
    return configDir;
  }

  private yamlValue(file: string, evaluator: ModuleEvaluator): Val {
    evaluator.inputs.add(file);
    const text = this.host.readFile(file);
    if (text === undefined) return { t: 'unknown', reason: `cannot read ${path.basename(file)}`, at: { file, start: 0, end: 0 } };
    return parseSimpleYaml(file, text);
  }

  /** A jest preset read from node_modules (or a relative path); undefined when it cannot be found. */
  private preset(evaluator: ModuleEvaluator, name: string, rootDir: string): Val | undefined {
    const at: Span = { file: rootDir, start: 0, end: 0 };
    if (TRANSFORM_ONLY_PRESETS.test(name)) return { t: 'obj', props: new Map(), at };
    const candidates: string[] = [];
    if (name.startsWith('.') || path.isAbsolute(name)) {
      const base = path.resolve(rootDir, name);
      candidates.push(base, path.join(base, 'jest-preset.json'), path.join(base, 'jest-preset.js'), path.join(base, 'jest-preset.cjs'));
    } else {
      for (let dir = rootDir; ; dir = path.dirname(dir)) {
        for (const file of ['jest-preset.json', 'jest-preset.js', 'jest-preset.cjs', 'jest-preset.mjs']) candidates.push(path.join(dir, 'node_modules', name, file));
        if (path.dirname(dir) === dir) break;
      }
    }
    for (const candidate of candidates) {
      evaluator.inputs.add(candidate);
      if (!this.host.fileExists(candidate)) continue;
      const value = candidate.endsWith('.json') ? evaluator.jsonValue(candidate) : evaluator.configValue(candidate);
      return value;
    }
    return undefined;
  }

  // ---- governance -----------------------------------------------------------------------------

  modelFor(file: string, frameworks: ReadonlySet<Framework> | undefined): RunnerConfigModel {
    const hint = runnerHint(frameworks);
    const key = `${file}\u0000${hint ?? ''}`;
    const cached = this.models.get(key);
    if (cached) return cached.model;
    const inputs = new Set<string>();
    let model: RunnerConfigModel;
    try {
      model = this.computeModel(file, hint, inputs);
    } catch (error) {
      model = unknownRunnerConfig(file, `runner config could not be read: ${(error as Error).message}`);
    }
    this.models.set(key, { model });
    this.modelInputs.set(file, inputs);
    return model;
  }

  private computeModel(file: string, hint: RunnerKind | undefined, inputs: Set<string>): RunnerConfigModel {
    const allowed: ReadonlySet<RunnerKind> = new Set(hint ? [hint] : ['vitest', 'jest', 'mocha']);
    const notes: string[] = [];
    const passedOver: string[] = [];
    const stop = isInside(this.root, file) ? this.root : path.dirname(file);
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      // A config created later in a directory the lookup walked may govern the file: record the walk.
      inputs.add(dir + path.sep);
      const matches: Array<{ config: ParsedConfig; specs: ProjectSpec[]; claim: Claim; root: ProjectSpec }> = [];
      const seenRunners = new Set<RunnerKind>();
      for (const name of this.configNamesIn(dir)) {
        const configFile = path.join(dir, name);
        inputs.add(configFile);
        const parsed = this.parse(configFile);
        for (const i of this.parses.get(configFile)?.inputs ?? []) inputs.add(i);
        for (const config of parsed) {
          if (!allowed.has(config.runner)) continue;
          // The first config of a runner in a directory wins (vitest.config over vite.config, jest.config over package.json).
          if (seenRunners.has(config.runner) && config.runner !== 'node-test' && config.runner !== 'mocha') continue;
          if (config.runner === 'vitest' && !config.hasTestSection && hint !== 'vitest') {
            continue; // a plain vite.config says nothing about a file that does not import vitest
          }
          const match = this.match(config, file, inputs, notes);
          if (match.claim === 'no') {
            passedOver.push(path.relative(this.root, config.file) || path.basename(config.file));
            continue;
          }
          seenRunners.add(config.runner);
          matches.push({ config, specs: match.specs, claim: match.claim, root: config.root });
        }
      }
      if (matches.length > 0) return this.assemble(file, matches, notes, inputs);
      if (dir === stop || path.dirname(dir) === dir) break;
    }
    if (passedOver.length) notes.push(`found but not selecting this file (include, testMatch, testDir or exclude): ${[...new Set(passedOver)].join(', ')}`);
    if ((hint === 'mocha' || hint === 'node-test') && passedOver.length) {
      // Script-driven suites often load test files from a suite file (`require('./unit/x')`): a configured run that
      // does not name the file may still run it, with its options. Nothing is known then.
      const model = unknownRunnerConfig(file, `${hint} runs are configured (${[...new Set(passedOver)].join(', ')}) but none selects this file by its patterns; another test file may load it`);
      model.runner = hint;
      model.notes.push(...notes);
      return model;
    }
    if (hint) {
      notes.push(`no ${hint} config found between the file and the workspace root: runner defaults`);
      return this.fromSpecs(file, hint, undefined, [], undefined, notes, inputs);
    }
    const model = unknownRunnerConfig(file, 'no runner config governs this file and it imports no runner');
    model.notes.push('no runner config found and the file imports no runner: nothing is known');
    return model;
  }

  /** Which specs of a config (its projects, or itself) select the file. */
  private match(config: ParsedConfig, file: string, inputs: Set<string>, notes: string[]): { claim: Claim; specs: ProjectSpec[] } {
    if (config.projectsUnknown) {
      notes.push(`${path.basename(config.file)}: the projects list cannot be read (${config.projectsUnknown})`);
      const spec: ProjectSpec = { ...config.root, open: config.projectsUnknown, fields: {}, setup: [{ kind: 'unknown', reason: config.projectsUnknown }] };
      return { claim: 'unknown', specs: [spec] };
    }
    if (!config.projects) {
      const claim = claims(config.root, file);
      return { claim, specs: [config.root] };
    }
    const yes: ProjectSpec[] = [];
    const maybe: ProjectSpec[] = [];
    for (const spec of this.expandProjects(config, file, inputs)) {
      const claim = claims(spec, file);
      if (claim === 'yes') yes.push(spec);
      else if (claim === 'unknown') maybe.push(spec);
    }
    // Projects that may run the file count too: a value is only known when it is the same in all of them.
    if (yes.length > 0) return { claim: 'yes', specs: [...yes, ...maybe] };
    if (maybe.length > 0) return { claim: 'unknown', specs: maybe };
    return { claim: 'no', specs: [] };
  }

  private expandProjects(config: ParsedConfig, file: string, inputs: Set<string>): ProjectSpec[] {
    const specs: ProjectSpec[] = [];
    for (const ref of config.projects ?? []) {
      if (ref.kind === 'inline') {
        specs.push(ref.spec);
        continue;
      }
      const pattern = path.resolve(ref.baseDir, ref.pattern.replace(/^!/, ''));
      if (ref.pattern.startsWith('!')) continue;
      // Only paths that may contain the file matter.
      const staticPrefix = posix(pattern).split('/').filter((_, i, parts) => !/[*?{[]/.test(parts.slice(0, i + 1).join('/'))).join('/');
      const targets = /[*?{[]/.test(pattern) ? this.globPaths(staticPrefix || '/', pattern, file) : [pattern];
      for (const target of targets) {
        const project = this.projectAt(target, config.runner, inputs);
        if (!project) continue;
        project.source = ref.source;
        specs.push(project);
      }
    }
    return specs;
  }

  /** Directories or files under `base` matching `pattern`, restricted to those on the way to `file`. */
  private globPaths(base: string, pattern: string, file: string): string[] {
    const isMatch = picomatch(posix(pattern), { dot: false });
    const found: string[] = [];
    // Walk only the directories that contain the file (a project must contain it to govern it), plus config files in them.
    for (let dir = path.dirname(file); isInside(base, dir); dir = path.dirname(dir)) {
      if (isMatch(posix(dir))) found.push(dir);
      for (const name of this.configNamesIn(dir)) {
        const candidate = path.join(dir, name);
        if (name !== 'package.json' && isMatch(posix(candidate))) found.push(candidate);
      }
      if (dir === base || path.dirname(dir) === dir) break;
    }
    return found;
  }

  /** The project a `projects` path entry denotes: a config file, or a directory with (or without) one. */
  private projectAt(target: string, runner: RunnerKind, inputs: Set<string>): ProjectSpec | undefined {
    const isFile = this.host.fileExists(target);
    const dir = isFile ? path.dirname(target) : target;
    const files = isFile ? [target] : this.configNamesIn(dir).map((n) => path.join(dir, n));
    for (const configFile of files) {
      inputs.add(configFile);
      const parsed = this.parse(configFile).find((c) => c.runner === runner && (runner !== 'vitest' || c.root.runner === 'vitest'));
      for (const i of this.parses.get(configFile)?.inputs ?? []) inputs.add(i);
      if (parsed) return { ...parsed.root, fields: { ...parsed.root.fields } };
    }
    if (isFile) return undefined;
    // vitest treats a matched directory without a config as a project with defaults.
    return { runner, configFile: dir, dir, fields: {}, setup: [], name: path.basename(dir) };
  }

  // ---- assembly -------------------------------------------------------------------------------

  private assemble(file: string, matches: Array<{ config: ParsedConfig; specs: ProjectSpec[]; claim: Claim; root: ProjectSpec }>, notes: string[], inputs: Set<string>): RunnerConfigModel {
    const runners = new Set(matches.map((m) => m.config.runner));
    if (runners.size > 1) {
      const list = matches.map((m) => `${path.basename(m.config.file)} (${m.config.runner})`).join(', ');
      const model = unknownRunnerConfig(file, `several runner configs may govern this file: ${list}`);
      model.notes.push(`several runner configs in one directory may govern this file (${list}); import the runner in the file to pick one`);
      return model;
    }
    const runner = matches[0]!.config.runner;
    // node:test and mocha scripts: several scripts may run the file; specs combine like projects.
    const specs = matches.flatMap((m) => m.specs);
    const chosen = matches[0]!;
    for (const m of matches) notes.push(...m.config.notes);
    if (chosen.claim === 'unknown') notes.push(`${path.basename(chosen.config.file)}: whether it selects this file cannot be read statically; assumed it does`);
    // mocha: an rc file and a script both apply; the script's flags override the rc file's.
    let root = chosen.config.projects ? chosen.root : undefined;
    if (runner === 'mocha' && matches.length > 1) {
      const rc = matches.find((m) => path.basename(m.config.file) !== 'package.json' || m.config.root.name === undefined);
      const scripts = matches.filter((m) => m !== rc);
      if (rc) {
        const merged: ProjectSpec[] = scripts.length ? scripts.map((s) => ({ ...s.config.root, fields: { ...rc.config.root.fields, ...s.config.root.fields }, setup: [...rc.config.root.setup, ...s.config.root.setup] })) : [rc.config.root];
        return this.fromSpecs(file, runner, rc.config.file, merged, undefined, notes, inputs);
      }
    }
    if (runner === 'node-test' || runner === 'mocha') root = undefined;
    return this.fromSpecs(file, runner, chosen.config.file, specs, root, notes, inputs);
  }

  private fromSpecs(file: string, runner: RunnerKind, configFile: string | undefined, specs: ProjectSpec[], root: ProjectSpec | undefined, notes: string[], inputs: Set<string>): RunnerConfigModel {
    const perSpec = specs.length > 0 ? specs : [undefined];
    const fieldValues = new Map<ModelField, Array<{ project: string | undefined; value: ConfigValue<unknown> }>>();
    for (const spec of perSpec) {
      for (const field of MODEL_FIELDS) {
        if (field === 'setupFiles') continue;
        const value = this.fieldValue(runner, field, spec, root);
        const list = fieldValues.get(field) ?? [];
        list.push({ project: spec?.name, value });
        fieldValues.set(field, list);
      }
      const setup = this.setupValue(spec, root, inputs);
      const list = fieldValues.get('setupFiles') ?? [];
      list.push({ project: spec?.name, value: setup });
      fieldValues.set('setupFiles', list);
    }
    const model: Partial<RunnerConfigModel> & { notes: string[] } = { file, runner, notes: [...new Set(notes)] };
    if (configFile) model.configFile = configFile;
    const names = specs.map((s) => s.name).filter((n): n is string => !!n);
    if (specs.length === 1 && names.length === 1 && specs[0]!.configFile === configFile) model.project = names[0]!;
    else if (specs.length >= 1 && names.length >= 1) model.project = names.join(', ');
    for (const field of MODEL_FIELDS) {
      (model as Record<string, unknown>)[field] = combine(fieldValues.get(field)!);
    }
    return model as RunnerConfigModel;
  }

  private fieldValue(runner: RunnerKind, field: ModelField, spec: ProjectSpec | undefined, root: ProjectSpec | undefined): ConfigValue<unknown> {
    const own = spec?.fields[field];
    if (own) return own;
    const inherits = root && spec !== root && (spec?.extendsRoot || GLOBAL_FIELDS[runner].has(field));
    if (inherits) {
      const inherited = root.fields[field];
      if (inherited) return inherited;
    }
    const open = spec?.open ?? (inherits ? root?.open : undefined);
    if (open) return { kind: 'unknown', reason: `not set in the config, but may be set by ${open}` };
    const defaults = defaultsFor(runner, { ...(inherits ? root?.fields : {}), ...spec?.fields });
    return { kind: 'default', value: defaults[field] };
  }

  private setupValue(spec: ProjectSpec | undefined, root: ProjectSpec | undefined, inputs: Set<string>): ConfigValue<SetupFile[]> {
    const lists = [...(root && spec !== root && spec?.extendsRoot ? root.setup : []), ...(spec?.setup ?? [])];
    if (lists.length === 0) {
      if (spec?.open) return { kind: 'unknown', reason: `not set in the config, but may be set by ${spec.open}` };
      return { kind: 'default', value: [] };
    }
    const files: SetupFile[] = [];
    let source: SourceLocation | undefined;
    for (const list of lists) {
      if (list.kind === 'unknown') return list.source ? { kind: 'unknown', reason: list.reason, source: list.source } : { kind: 'unknown', reason: list.reason };
      if (list.kind !== 'known') continue;
      source ??= list.source;
      for (const setup of list.value) files.push(this.setupFile(setup, inputs));
    }
    return source ? { kind: 'known', value: files, source } : { kind: 'default', value: [] };
  }

  private setupFile(spec: SetupSpec, inputs: Set<string>): SetupFile {
    const resolved = this.resolveSetup(spec.specifier, spec.baseDir, inputs);
    if (!resolved) return { specifier: spec.specifier, source: spec.source, status: 'unresolved', hooks: [], topLevel: [], interception: INTERCEPTION_SPECIFIERS.test(spec.specifier) ? { kind: 'yes', reason: `is ${spec.specifier}` } : { kind: 'unknown', reason: 'unresolved' } };
    let parsed = this.setups.get(resolved);
    if (!parsed) {
      try {
        parsed = parseSetupModule(resolved, this.host);
      } catch (error) {
        parsed = { hooks: [], topLevel: [], inputs: [resolved], unreadable: (error as Error).message, interception: { kind: 'unknown', reason: 'unreadable' } };
      }
      this.setups.set(resolved, parsed);
    }
    for (const input of parsed.inputs) inputs.add(input);
    return {
      specifier: spec.specifier,
      path: resolved,
      source: spec.source,
      status: parsed.unreadable ? 'unreadable' : 'read',
      hooks: parsed.hooks,
      topLevel: parsed.topLevel,
      // A setup entry that is itself an interception package (`jest-fetch-mock/setupJest`).
      interception: INTERCEPTION_SPECIFIERS.test(spec.specifier) || /^(?:jest|vitest)-fetch-mock\//.test(spec.specifier) ? { kind: 'yes', reason: `is ${spec.specifier}` } : parsed.interception,
      ...(parsed.partial ? { partial: parsed.partial } : {}),
      ...(parsed.isolatedStore ? { isolatedStore: parsed.isolatedStore } : {}),
    };
  }

  /** A setup specifier as a file: relative/absolute paths with extension probing, or a package's entry in node_modules. */
  private resolveSetup(specifier: string, baseDir: string, inputs: Set<string>): string | undefined {
    const probe = (base: string): string | undefined => {
      const candidates = [base, ...['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'].map((e) => base + e), ...['.ts', '.js', '.mjs', '.cjs'].map((e) => path.join(base, `index${e}`))];
      for (const candidate of candidates) {
        inputs.add(candidate);
        if (this.host.fileExists(candidate)) return candidate;
      }
      return undefined;
    };
    const spec = specifier.replace(/^file:\/\//, '');
    if (spec.startsWith('.') || path.isAbsolute(spec)) {
      // vitest: `/setup.ts` is relative to the project root when no such absolute file exists.
      return probe(path.resolve(baseDir, spec)) ?? (spec.startsWith('/') ? probe(path.join(baseDir, spec)) : undefined);
    }
    // A package (`@testing-library/jest-dom`, `tsx/esm`): read its entry from node_modules, statically like any setup file.
    const match = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(spec);
    if (!match) return undefined;
    const [, pkgName, subpath] = match as unknown as [string, string, string | undefined];
    for (let dir = baseDir; ; dir = path.dirname(dir)) {
      const pkgDir = path.join(dir, 'node_modules', pkgName);
      const pkgJson = path.join(pkgDir, 'package.json');
      if (this.host.fileExists(pkgJson)) {
        const entry = packageEntry(this.host.readFile(pkgJson), subpath ? `.${subpath}` : '.');
        const resolved = entry ? probe(path.resolve(pkgDir, entry)) : undefined;
        return resolved ?? (subpath ? probe(path.join(pkgDir, subpath)) : probe(path.join(pkgDir, 'index')));
      }
      if (path.dirname(dir) === dir) return undefined;
    }
  }

  // ---- config files as such (for diagnostics on config keys) ---------------------------------------

  configFile(file: string): RunnerConfigFile | undefined {
    if (!ConfigReader.isConfigFileName(file)) return undefined;
    const parsed = this.parse(file);
    if (parsed.length === 0) return undefined;
    const settings: ConfigSetting[] = [];
    const notes: string[] = [];
    const add = (spec: ProjectSpec, project: string | undefined): void => {
      for (const field of MODEL_FIELDS) {
        const value = spec.fields[field];
        if (value) settings.push({ field, ...(project ? { project } : {}), value });
      }
      for (const setup of spec.setup) if (setup.kind !== 'default') settings.push({ field: 'setupFiles', ...(project ? { project } : {}), value: setup });
    };
    for (const config of parsed) {
      notes.push(...config.notes);
      add(config.root, config.runner === 'node-test' || config.runner === 'mocha' ? config.root.name : undefined);
      for (const ref of config.projects ?? []) if (ref.kind === 'inline') add(ref.spec, ref.spec.name ?? ref.spec.source?.keyPath);
    }
    return { file, runner: parsed[0]!.runner, settings, notes };
  }
}

function extRank(name: string): number {
  const kind = CANDIDATES.findIndex((c) => c.pattern.test(name));
  const ext = EXT_ORDER.findIndex((e) => name.endsWith(e));
  return (kind === -1 ? 99 : kind) * 10 + (ext === -1 ? 9 : ext);
}

/** A package.json's entry for a subpath: `exports` (string or conditions), else `main` for `.`. */
function packageEntry(text: string | undefined, subpath: string): string | undefined {
  if (!text) return undefined;
  let pkg: { exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch {
    return undefined;
  }
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find(Boolean);
    if (value && typeof value === 'object') {
      for (const condition of ['node', 'import', 'require', 'default']) {
        const found = pick((value as Record<string, unknown>)[condition]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const exports = pkg.exports;
  if (typeof exports === 'string' || Array.isArray(exports)) return subpath === '.' ? pick(exports) : undefined;
  if (exports && typeof exports === 'object') {
    const map = exports as Record<string, unknown>;
    if (Object.keys(map).some((k) => k.startsWith('.'))) return pick(map[subpath]);
    return subpath === '.' ? pick(map) : undefined;
  }
  return subpath === '.' && typeof pkg.main === 'string' ? pkg.main : undefined;
}

/** The runner the file's calls resolved to; undefined when it uses only untyped globals. */
function runnerHint(frameworks: ReadonlySet<Framework> | undefined): RunnerKind | undefined {
  if (!frameworks) return undefined;
  for (const runner of ['playwright', 'vitest', 'jest', 'node-test', 'mocha'] as const) if (frameworks.has(runner)) return runner;
  return undefined;
}

function matchGlobs(patterns: string[], target: string, options: picomatch.PicomatchOptions = {}): boolean {
  return patterns.length > 0 && picomatch(patterns.map(posix), { dot: true, ...options })(posix(target));
}

function matchRegexes(patterns: string[], target: string): Claim {
  try {
    return patterns.some((p) => new RegExp(p).test(posix(target))) ? 'yes' : 'no';
  } catch {
    return 'unknown';
  }
}

/** Whether globs or regexes select a path, the way the spec's runner matches them. */
function patternsMatch(spec: ProjectSpec, patterns: Patterns, file: string, role: 'include' | 'exclude'): Claim {
  if (patterns.kind === 'unknown') {
    // Entries we could read still decide when they match; the unreadable rest leaves a non-match open.
    const partial = patterns.partial?.length ? patternsMatch(spec, { kind: 'globs', patterns: patterns.partial }, file, role) : 'no';
    if (partial === 'yes') return 'yes';
    if (patterns.superset && patternsMatch(spec, { kind: 'globs', patterns: patterns.superset }, file, role) === 'no') return 'no';
    return 'unknown';
  }
  if (patterns.kind === 'regexes') return matchRegexes(patterns.patterns, file);
  const rel = path.relative(spec.dir, file);
  if (spec.runner === 'vitest' || spec.runner === 'mocha' || spec.runner === 'node-test') {
    const globs = patterns.patterns.map((p) => p.replace(/^\.\//, ''));
    if (matchGlobs(globs, rel)) return 'yes';
    // A directory named without a glob selects what is under it (mocha `spec: test`, `node --test test/unit/`).
    if (role === 'include' && globs.some((p) => !/[*?{[]/.test(p) && isInside(path.resolve(spec.dir, p), file))) return 'yes';
    return 'no';
  }
  // jest testMatch and Playwright testMatch/testIgnore are matched against the absolute path; relative globs match at any depth.
  const absolute = patterns.patterns.map((p) => (path.isAbsolute(p) ? p : p.startsWith('**/') ? p : `**/${p}`).replace(/^\//, ''));
  return matchGlobs(absolute, file.replace(/^\//, '')) ? 'yes' : 'no';
}

/** Whether a spec selects the file (roots/testDir, include globs or regexes, exclude). */
function claims(spec: ProjectSpec, file: string): Claim {
  if (spec.roots) {
    if ('unknown' in spec.roots) return 'unknown';
    if (!spec.roots.some((r) => isInside(r, file))) return 'no';
  } else if (!isInside(spec.dir, file)) {
    return 'no';
  }
  const defaults = DEFAULT_INCLUDE[spec.runner];
  const include: Patterns | undefined = spec.include ?? (defaults ? { kind: 'globs', patterns: defaults } : undefined);
  const included: Claim = include ? patternsMatch(spec, include, file, 'include') : 'yes';
  if (included === 'no') return 'no';
  const exclude: Patterns | undefined = spec.exclude ?? (spec.runner === 'vitest' ? { kind: 'globs', patterns: VITEST_DEFAULT_EXCLUDE } : undefined);
  const excluded: Claim = exclude ? patternsMatch(spec, exclude, file, 'exclude') : 'no';
  if (excluded === 'yes') return 'no';
  return included === 'yes' && excluded === 'no' ? 'yes' : 'unknown';
}

/** One value per matching project: equal values combine; different ones are unknown (they depend on the project). */
function combine(values: Array<{ project: string | undefined; value: ConfigValue<unknown> }>): ConfigValue<unknown> {
  if (values.length === 1) return values[0]!.value;
  const first = values[0]!.value;
  const unknownOne = values.find((v) => v.value.kind === 'unknown');
  if (unknownOne) return unknownOne.value;
  const key = (v: ConfigValue<unknown>): string => JSON.stringify(v.kind === 'unknown' ? null : stripSources(v.value));
  if (values.every((v) => key(v.value) === key(first))) return first;
  const listing = values.map((v) => `${v.project ?? '?'}: ${JSON.stringify(v.value.kind === 'unknown' ? '?' : summarise(v.value.value))}`).join(', ');
  return { kind: 'unknown', reason: `differs between the projects that run this file (${listing})` };
}

function stripSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === 'object' && 'path' in v ? (v as SetupFile).path ?? (v as SetupFile).specifier : v));
  return value;
}

function summarise(value: unknown): unknown {
  return stripSources(value);
}

export { plain };
