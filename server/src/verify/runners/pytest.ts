import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runProcess } from '../process.js';
import type { Mode, TestResult } from '../types.js';
import { outputTail, RunnerError, toRelative, type Invocation, type RunnerAdapter, type RunnerContext, type RunSpec } from './adapter.js';
import { descendants, parseXml, XmlError, type XmlElement } from './xml.js';

/** What the interpreter that runs pytest has installed (asked once per verify). */
export interface PytestPlugins {
  pytest: string;
  python: string;
  xdist: boolean;
  randomly: boolean;
  /** The directories the interpreter imports from (installing or removing a package changes one of them). */
  paths?: string[];
  /** sys.executable: the interpreter that answered (a shim such as pyenv's starts another one). */
  executable?: string;
}

/**
 * Printed by the interpreter: pytest's version and which plugins are importable. find_spec looks a module up
 * without importing it and the version comes from the installed metadata, so probing runs no pytest or plugin
 * code and costs a bare interpreter start (importing pytest would triple that); pytest is imported only when
 * it has no metadata (run from a source checkout).
 */
const PROBE = `import importlib.util, json, os, sys
has = lambda name: importlib.util.find_spec(name) is not None
if not has("pytest"):
    sys.exit(3)
try:
    from importlib.metadata import version
    pytest_version = version("pytest")
except Exception:
    import pytest
    pytest_version = pytest.__version__
print(json.dumps({"pytest": pytest_version, "python": sys.version.split()[0], "xdist": has("xdist"), "randomly": has("pytest_randomly"), "paths": [p for p in sys.path if p and os.path.isdir(p)], "executable": sys.executable}))`;

/**
 * The interpreter to run pytest with: the project's virtualenv (.venv, venv), the active one ($VIRTUAL_ENV), then
 * python3 on PATH, the first that can import pytest.
 */
export function pythonCandidates(root: string, env: NodeJS.ProcessEnv): string[] {
  const bin = process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python'];
  const candidates = ['.venv', 'venv'].map((dir) => path.join(root, dir, ...bin)).filter((file) => fs.existsSync(file));
  if (env.VIRTUAL_ENV) {
    const active = path.join(env.VIRTUAL_ENV, ...bin);
    if (fs.existsSync(active)) candidates.push(active);
  }
  candidates.push('python3');
  return candidates;
}

const probed = new Map<string, PytestPlugins | undefined>();

/**
 * Runs the probe with one interpreter; undefined when it cannot start or cannot import pytest. Remembered per
 * interpreter and directory for the life of the process (locating and probing ask the same question).
 */
export function probePython(python: string, root: string, env: NodeJS.ProcessEnv): PytestPlugins | undefined {
  const key = `${python}\u0000${root}`;
  if (!probed.has(key)) probed.set(key, cachedProbe(python, root, env));
  return probed.get(key);
}

/**
 * The probe's answer from `.flakelens/pytest-probe.json` while nothing it depends on changed, else a fresh probe
 * (stored for next time). It depends on the interpreter file (path, size, mtime), the environment variables that
 * move Python's import path, and the directories it imports from, the project's own included (pip and apt add or
 * remove entries there, which changes their mtime). Starting an interpreter costs more than the stats.
 */
export function cachedProbe(python: string, root: string, env: NodeJS.ProcessEnv): PytestPlugins | undefined {
  const file = path.join(root, '.flakelens', 'pytest-probe.json');
  const executable = resolveExecutable(python, env);
  const key = JSON.stringify([python, executable, root, env.PYTHONPATH ?? '', env.PYTHONHOME ?? '', env.PYTHONSAFEPATH ?? '', env.PYTHONNOUSERSITE ?? '']);
  let entries: Record<string, { stamp: string; plugins: PytestPlugins }> = {};
  try {
    entries = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof entries;
    const hit = entries[key];
    if (hit && executable !== undefined && hit.stamp === probeStamp(executable, root, hit.plugins.paths ?? [])) return hit.plugins;
  } catch {
    entries = {};
  }
  const plugins = probeOnce(python, root, env);
  // Only an interpreter that is itself the file started is cached: a shim (pyenv, asdf) or wrapper script picks
  // its interpreter at each start (from PYENV_VERSION, .python-version ...), which no stamp here would see.
  if (!plugins || executable === undefined || !sameFile(plugins.executable, executable)) return plugins;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Stamped after .flakelens exists: creating it changes the project directory's mtime.
    entries[key] = { stamp: probeStamp(executable, root, plugins.paths ?? []), plugins };
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(entries));
    fs.renameSync(temporary, file);
  } catch {
    // A read-only project probes every time.
  }
  return plugins;
}

function sameFile(a: string | undefined, b: string): boolean {
  try {
    return a !== undefined && fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** The interpreter file a command name starts: itself when it has a directory, else the first on PATH. */
function resolveExecutable(python: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = python.includes('/') || python.includes(path.sep) ? [python] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, python));
  for (const candidate of candidates) {
    try {
      const real = fs.realpathSync(candidate);
      if (fs.statSync(real).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function probeStamp(executable: string, root: string, dirs: readonly string[]): string {
  const stat = (file: string) => {
    try {
      const s = fs.statSync(file);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return [executable, fs.realpathSync(executable), stat(executable), stat(root), ...dirs.map((d) => `${d}=${stat(d)}`)].join('\n');
}

function probeOnce(python: string, root: string, env: NodeJS.ProcessEnv): PytestPlugins | undefined {
  const result = spawnSync(python, ['-c', PROBE], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) return undefined;
  try {
    const data = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as PytestPlugins;
    return typeof data.pytest === 'string' ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Files that make a directory a pytest project, by their syntax (nothing is imported or executed). */
export function hasPytestConfig(root: string): boolean {
  const read = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(root, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  // .pytest.ini: pytest >= 8.1 (the hidden form wins over pytest.ini); [tool.pytest]: pytest >= 9's native TOML table.
  if (read('pytest.ini') !== undefined || read('.pytest.ini') !== undefined || fs.existsSync(path.join(root, 'conftest.py'))) return true;
  if (/^\[tool\.pytest(?:\.ini_options)?\]/m.test(read('pyproject.toml') ?? '')) return true;
  if (/^\[tool:pytest\]/m.test(read('setup.cfg') ?? '')) return true;
  if (/^\[pytest\]/m.test(read('tox.ini') ?? '')) return true;
  return false;
}

/**
 * The files of `pytest --collect-only -q` output in collection order. Items are not only in .py files: doctests of
 * .rst/.txt files (`--doctest-glob`) and plugin-collected files (yaml, notebooks) are listed as `path::name` too, and a
 * file permutation that dropped them would run fewer tests than the other modes.
 */
export function collectedFiles(root: string, stdout: string): string[] {
  const files: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^([^\s:][^:]*)::/.exec(line.trim());
    if (!match) continue;
    const abs = path.resolve(root, match[1]!);
    if (!files.includes(abs)) files.push(abs);
  }
  return files;
}

/** A test id's parts from a JUnit testcase: pytest writes classname "pkg.mod.Class" and file "pkg/mod.py". */
export function titlesOf(classname: string, name: string, file: string): string[] {
  const modulePath = file.replace(/\.py$/, '').split('/').join('.');
  const classes = classname === modulePath ? [] : classname.startsWith(`${modulePath}.`) ? classname.slice(modulePath.length + 1).split('.') : [];
  return [...classes, name];
}

/** pytest's node id for a test: file::Class::name (parametrised ids are part of the name). */
export function nodeId(file: string, titles: readonly string[]): string {
  return [file, ...titles].join('::');
}

/** "(a) or (b)": a -k expression matching any of the filters. */
function keywordExpression(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : names.map((n) => `(${n})`).join(' or ');
}

/** The text of a failure's traceback line `path.py:LINE: ...` nearest the raise, inside the workspace. */
function failureLocation(root: string, body: string): string | undefined {
  let found: string | undefined;
  for (const match of body.matchAll(/^(\S+\.py):(\d+):/gm)) {
    const abs = path.resolve(root, match[1]!);
    if (!abs.startsWith(root + path.sep) || abs.includes(`${path.sep}site-packages${path.sep}`)) continue;
    found = `${toRelative(root, abs)}:${match[2]}:1`;
  }
  return found;
}

function firstMessageLine(element: XmlElement): string {
  const message = element.attributes.message ?? '';
  const line = message.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  if (line) return line;
  return element.text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? element.name;
}

/** Reads pytest's JUnit XML (junit_family=xunit1, which carries file and line per testcase). */
export function parseJunit(root: string, xml: string): TestResult[] {
  let doc: XmlElement;
  try {
    doc = parseXml(xml);
  } catch (error) {
    if (error instanceof XmlError) throw new RunnerError(`pytest's JUnit XML is malformed (${error.message})`);
    throw error;
  }
  const results: TestResult[] = [];
  for (const testcase of descendants(doc, 'testcase')) {
    const { classname = '', name = '', file: fileAttr, line } = testcase.attributes;
    const failure = testcase.children.find((c) => c.name === 'failure' || c.name === 'error');
    const skipped = testcase.children.some((c) => c.name === 'skipped');
    if (classname === '') {
      // A collection error: pytest names the module (dotted) and gives no test; the file failed as a whole.
      const file = fileAttr ?? `${name.split('.').join('/')}.py`;
      results.push({ file: toRelative(root, file), titles: ['(file)'], status: 'failed', message: failure ? firstMessageLine(failure) : 'collection failed' });
      continue;
    }
    const file = toRelative(root, fileAttr ?? `${classname.split('.').join('/')}.py`);
    results.push({
      file,
      titles: titlesOf(classname, name, file),
      // An xfail that failed as expected is reported as skipped; an error in setup or teardown is a failure.
      status: failure ? 'failed' : skipped ? 'skipped' : 'passed',
      ...(line !== undefined && /^\d+$/.test(line) ? { location: { line: Number(line) + 1, column: 1 } } : {}),
      ...(failure ? { message: firstMessageLine(failure) } : {}),
      ...(failure ? withAt(failureLocation(root, failure.text)) : {}),
      ...(testcase.attributes.time !== undefined ? { durationMs: Math.round(Number(testcase.attributes.time) * 1000) } : {}),
    });
  }
  return results;
}

function withAt(at: string | undefined): { at?: string } {
  return at === undefined ? {} : { at };
}

/**
 * The pytest plugin loaded (through PYTEST_PLUGINS) into stressed runs: the counterpart of the event-loop stall
 * node processes get. A thread holds the GIL for STALL seconds out of every STALL + GAP (the switch interval is
 * raised so the interpreter does not take it back sooner), so the test thread is delayed the way a loaded
 * machine delays it.
 */
export const STRESS_PLUGIN = `# flakelens --stress: holds the GIL for 1.2 s out of every 2.4 s in this process.
import sys, threading, time
_STALL, _GAP = 1.2, 1.2
def _stall():
    while True:
        time.sleep(_GAP)
        end = time.monotonic() + _STALL
        while time.monotonic() < end:
            pass
sys.setswitchinterval(_STALL)
threading.Thread(target=_stall, name="flakelens-stress", daemon=True).start()
`;

/** The adapter for one interpreter and its plugins. */
export function pytestAdapterFor(plugins: Pick<PytestPlugins, 'xdist' | 'randomly'>): RunnerAdapter {
  // Reruns would hide the failures verify counts. Node ids and JUnit file paths are relative to the directory
  // verify runs in. A file that fails to import is reported as failed while the other files still run.
  const common = ['-p', 'no:rerunfailures', '-p', 'no:flaky', '--rootdir=.', '--continue-on-collection-errors'];
  const adapter: RunnerAdapter = {
    id: 'pytest',
    shuffle: plugins.randomly ? 'native' : 'files',
    bisectUnit: 'test',
    // One interpreter runs every file, so module state set by one file's tests reaches the others.
    isolatesFiles: false,
    async listFiles(ctx, signal) {
      const argv = [...ctx.command, '--collect-only', '-q', ...common.slice(0, 5), '-p', 'no:randomly', ...(plugins.xdist ? ['-n', '0'] : [])];
      const outcome = await runProcess(argv, { cwd: ctx.root, env: ctx.env, timeoutMs: 120_000, signal });
      // Exit 5 is "no tests collected": an empty list, not an error.
      if (outcome.exitCode !== 0 && outcome.exitCode !== 5) throw new RunnerError(`pytest --collect-only failed:\n${outputTail(outcome)}`);
      return collectedFiles(ctx.root, outcome.stdout);
    },
    invocations(ctx, spec, runTag) {
      return [pytestInvocation(ctx, spec, runTag, plugins, common)];
    },
    parse(ctx, invocation, outcome) {
      let xml: string;
      try {
        xml = fs.readFileSync(invocation.resultFile, 'utf8');
      } catch {
        throw new RunnerError(`pytest wrote no JUnit XML (exit ${outcome.exitCode}):\n${outputTail(outcome)}`);
      }
      const results = parseJunit(ctx.root, xml);
      // Exit 2-4 are interruption, internal and usage errors: pytest did not run the suite.
      if (outcome.exitCode !== null && outcome.exitCode >= 2 && outcome.exitCode <= 4) throw new RunnerError(`pytest exited ${outcome.exitCode}:\n${outputTail(outcome)}`);
      return results;
    },
    stressEnv(ctx) {
      const dir = path.join(ctx.tmp, 'pytest-stress');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'flakelens_stress.py'), STRESS_PLUGIN);
      const existing = ctx.env.PYTEST_PLUGINS;
      return {
        PYTHONPATH: ctx.env.PYTHONPATH ? `${dir}${path.delimiter}${ctx.env.PYTHONPATH}` : dir,
        PYTEST_PLUGINS: existing ? `${existing},flakelens_stress` : 'flakelens_stress',
      };
    },
  };
  return adapter;
}

export function pytestInvocation(ctx: RunnerContext, spec: RunSpec, runTag: string, plugins: Pick<PytestPlugins, 'xdist' | 'randomly'>, common: string[]): Invocation {
  const resultFile = path.join(ctx.tmp, `${runTag}.xml`);
  const argv = [...ctx.command, `--junitxml=${resultFile}`, '-o', 'junit_family=xunit1', ...common];
  if (spec.mode === 'parallel') {
    if (!plugins.xdist) throw new RunnerError('parallel mode needs pytest-xdist, which is not installed');
    argv.push('-n', String(spec.workers));
  } else if (plugins.xdist) {
    // One process, even when the project's addopts ask for workers.
    argv.push('-n', '0');
  }
  if (spec.mode === 'shuffle' && plugins.randomly) argv.push('-p', 'randomly', `--randomly-seed=${spec.seed ?? 0}`);
  else argv.push('-p', 'no:randomly');
  if (spec.onlyTests) {
    // Exact tests by node id, in the order given (pytest runs command-line ids in order).
    argv.push(...spec.onlyTests.map((t) => nodeId(t.file, t.titles)));
  } else if (spec.only && spec.files?.length === 1) {
    // The editor's "Verify" on a test or class: its node ids (file::Class::test; all parameters of a function).
    const file = toRelative(ctx.root, spec.files[0]!);
    argv.push(...spec.only.map((titles) => nodeId(file, titles)));
  } else {
    if (spec.names?.length) argv.push('-k', keywordExpression(spec.names));
    if (spec.files) argv.push(...spec.files);
  }
  return { argv, resultFile };
}

/** The adapter used before probing (for its id and static properties); verify replaces it with pytestAdapterFor. */
export const pytestAdapter: RunnerAdapter = {
  ...pytestAdapterFor({ xdist: false, randomly: false }),
  locate: (root, env) => locatePytest(root, env),
  async probe(ctx) {
    // A --command that starts python is asked directly; another (a pytest script, a wrapper) is assumed to use
    // the interpreter flakelens would pick.
    const python = /^python[\d.]*(?:\.exe)?$/.test(path.basename(ctx.command[0]!)) ? ctx.command[0]! : locatePytest(ctx.root, ctx.env)?.command[0];
    const plugins = python === undefined ? undefined : probePython(python, ctx.root, ctx.env);
    if (!plugins) throw new RunnerError(`${python ?? ctx.command[0]} cannot import pytest`);
    const unavailable: Partial<Record<Mode, string>> = {};
    if (!plugins.xdist) unavailable.parallel = `pytest-xdist is not installed for ${python}`;
    return { adapter: pytestAdapterFor(plugins), version: plugins.pytest, unavailable };
  },
};

/** The interpreter that can run pytest for root, and pytest's version; undefined when none can. */
export function locatePytest(root: string, env: NodeJS.ProcessEnv): { command: string[]; version: string } | undefined {
  for (const python of pythonCandidates(root, env)) {
    const plugins = probePython(python, root, env);
    if (plugins) return { command: [python, '-m', 'pytest'], version: plugins.pytest };
  }
  return undefined;
}
