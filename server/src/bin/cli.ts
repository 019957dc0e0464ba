#!/usr/bin/env node
// Argument parsing and exit codes only: the work is done by the engine (check/rules) or the LSP layer.
import { readmeUrl } from '../engine/docs.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

/** Exit codes: 0 clean, 1 findings over the limit, 2 usage, config or internal error. */
const EXIT_CLEAN = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

const SEVERITY_SETTINGS = ['error', 'warning', 'info', 'hint', 'off'] as const;

const HELP = `flakelens: find flaky-test risks in JavaScript and TypeScript test suites

Usage:
  flakelens check [paths...] [options]   analyse test files (default: the current directory)
  flakelens rules [--format table|json|markdown]
                                         list the rules
  flakelens explain <file> [--format text|json] [--root <dir>]
                                         show what flakelens knows about a test file: its suites, tests
                                         and hooks, and the runner configuration that governs it (each
                                         setting with its value and where it is set, or why it is unknown)
  flakelens verify [paths or test-name filters...] [options]
                                         run the tests repeatedly (serial, parallel, shuffled, stressed)
                                         and report which are flaky and why (runs the workspace's tests);
                                         an argument that is not an existing path filters tests by name
                                         (vitest/jest -t, mocha/Playwright --grep, node --test-name-pattern,
                                         pytest -k)
  flakelens verify --merge a.json b.json ...
                                         combine shard results and recompute the verdicts
  flakelens --stdio                      start the language server (also --node-ipc, --socket=N)

Options for check (explain takes --format, --output, --root and the colour flags too):
  -f, --format <name>      stylish (default), json, sarif or markdown
  -o, --output <file>      write the report to a file instead of stdout
      --rule <id=severity> override a rule's severity (error, warning, info, hint, off); repeatable
  -q, --quiet              report errors only
      --cache              reuse the results of the last --cache run for files whose text, imports, configs and
                           settings are unchanged (stored in .flakelens/cache.json under the workspace root)
      --cache-location <f> where the cache is stored (implies --cache)
      --max-warnings <n>   exit 1 only when there are more than n warnings (default 0; -1: never for warnings)
      --root <dir>         workspace root (default: the nearest directory, from the checked paths upwards,
                           with flakelens.config.json, package.json or .git)
      --color, --no-color  force colour on or off (default: on for a terminal, off with NO_COLOR)
  -h, --help               show this help
  -v, --version            print the version

Exit codes:
  0  no error findings and no more warnings than --max-warnings (info and hint never count)
  1  error findings, or too many warnings
  2  usage error, invalid config (every problem is printed, nothing is analysed) or internal error

Options for verify:
      --runs <n>           runs per mode (default 10)
      --modes <list>       serial,parallel,shuffle (default all three)
      --seed <n>           base shuffle seed; run k of the shuffle mode uses seed+k (default: from the clock,
                           always recorded)
      --stress             add as many serial runs under CPU and event-loop load
      --stress-cpu <0..1>  CPU load per core during stressed runs (default 0.5)
      --workers <n>        workers in parallel mode (default: the number of cores, at least 2)
      --timeout <s>        per-run timeout in seconds (default 600); the run's process tree is killed
      --runner <id>        vitest, jest, mocha, node, playwright or pytest (default: detected from configs,
                           package.json and pytest.ini/.pytest.ini/pyproject.toml/setup.cfg/tox.ini/conftest.py)
      --command <cmd>      command that starts the runner (default: the installed runner); flakelens adds
                           its own arguments
      --shard <i/n>        run only the i-th of n parts of the test files (CI matrix jobs)
      --no-bisect          do not search for the polluter of order-dependent tests
      --results <file>     where to write the results (default .flakelens/verify.json under --root)
  -f, --format <name>      stylish (default), json, markdown or junit
  -o, --output <file>      write the report to a file

Exit codes for verify:
  0  no test is flaky, order-dependent, parallel-sensitive or timing-sensitive (failing tests do not count)
  1  at least one is
  2  usage error, or a runner that cannot start, fails to report or times out
  130 interrupted (Ctrl-C); runner processes are killed and temporary files removed

Notes about files (syntax errors, skipped files, a rule that failed) go to stderr and never stop the run.
Docs: ${readmeUrl()} (rule pages: docs/rules/ next to it)
`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

/** Options that take a value: `--max-warnings -1` must read -1 as the value, not as an unknown option. */
const VALUE_OPTIONS = new Set(['--format', '-f', '--output', '-o', '--rule', '--max-warnings', '--root']);

/** Joins a value option with a following negative number (`--max-warnings -1` -> `--max-warnings=-1`). */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (VALUE_OPTIONS.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'verify') return verifyMain(argv.slice(1));
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: joinNegativeValues(argv),
        allowPositionals: true,
        strict: true,
        options: {
          format: { type: 'string', short: 'f' },
          output: { type: 'string', short: 'o' },
          rule: { type: 'string', multiple: true },
          quiet: { type: 'boolean', short: 'q' },
          cache: { type: 'boolean' },
          'cache-location': { type: 'string' },
          'max-warnings': { type: 'string' },
          root: { type: 'string' },
          color: { type: 'boolean' },
          'no-color': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean', short: 'v' },
        },
      });
    } catch (error) {
      return fail((error as Error).message);
    }
  })();

  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_CLEAN;
  }
  const { toolVersion } = await import('../cli/version.js');
  if (values.version) {
    process.stdout.write(`${toolVersion()}\n`);
    return EXIT_CLEAN;
  }
  const [command, ...rest] = positionals;
  if (command === undefined) fail('missing command (check, rules, explain or verify)');
  if (command === 'help') {
    process.stdout.write(HELP);
    return EXIT_CLEAN;
  }

  const { useColor, ANSI, PLAIN } = await import('../cli/colors.js');
  const colorFlag = values['no-color'] ? false : values.color ? true : undefined;
  const { RULES, RULE_IDS } = await import('../rules/index.js');

  if (command === 'rules') {
    if (rest.length > 0) fail(`rules takes no paths (got ${rest.join(' ')})`);
    const { formatRules, isRulesFormat, RULES_FORMATS } = await import('../cli/rules.js');
    const format = values.format ?? 'table';
    if (!isRulesFormat(format)) fail(`unknown format "${format}" for rules (use ${RULES_FORMATS.join(', ')})`);
    await writeOutput(formatRules(RULES, format, useColor(colorFlag, process.stdout) && !values.output ? ANSI : PLAIN), values.output);
    return EXIT_CLEAN;
  }
  if (command === 'explain') return explain(rest, values, colorFlag);
  if (command !== 'check') fail(`unknown command "${command}" (use check, rules, explain or verify)`);

  const { formatReport, isReportFormat, REPORT_FORMATS } = await import('../cli/reporters/index.js');
  const format = values.format ?? 'stylish';
  if (!isReportFormat(format)) fail(`unknown format "${format}" (use ${REPORT_FORMATS.join(', ')})`);

  let maxWarnings = 0;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < -1) fail(`--max-warnings must be an integer >= -1, got "${values['max-warnings']}"`);
  }

  const ruleOverrides: Record<string, (typeof SEVERITY_SETTINGS)[number]> = {};
  for (const spec of values.rule ?? []) {
    const match = /^([^=\s]+)\s*[=:]\s*(\S+)$/.exec(spec);
    if (!match) fail(`--rule expects id=severity, got "${spec}"`);
    const [, id, severity] = match as unknown as [string, string, string];
    if (!RULE_IDS.has(id)) fail(`--rule ${spec}: unknown rule "${id}" (see flakelens rules)`);
    if (!(SEVERITY_SETTINGS as readonly string[]).includes(severity)) fail(`--rule ${spec}: severity must be one of ${SEVERITY_SETTINGS.join(', ')}`);
    ruleOverrides[id] = severity as (typeof SEVERITY_SETTINGS)[number];
  }

  const paths = rest.length > 0 ? rest.map((p) => path.resolve(p)) : [process.cwd()];
  for (const p of paths) if (!fs.existsSync(p)) fail(`no such file or directory: ${path.relative(process.cwd(), p) || p}`);

  const { runCheck, findWorkspaceRoot, commonAncestor } = await import('../cli/check.js');
  let root: string;
  if (values.root !== undefined) {
    root = path.resolve(values.root);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) fail(`--root ${values.root}: not a directory`);
  } else {
    root = findWorkspaceRoot(commonAncestor(paths));
  }

  const outcome = runCheck({
    root,
    paths,
    rules: RULES,
    ruleOverrides,
    quiet: values.quiet ?? false,
    onNote: (note) => process.stderr.write(`flakelens: note: ${note}\n`),
    ...(values.cache || values['cache-location'] !== undefined
      ? { cacheLocation: values['cache-location'] !== undefined ? path.resolve(values['cache-location']) : path.join(root, '.flakelens', 'cache.json') }
      : {}),
  });
  if (outcome.kind === 'config-error') {
    for (const problem of outcome.problems) process.stderr.write(`flakelens: config error: ${problem.source}: ${problem.message}\n`);
    process.stderr.write(`flakelens: ${outcome.problems.length} config problem(s); fix them and run again (nothing was analysed)\n`);
    return EXIT_USAGE;
  }
  const { report } = outcome;
  const palette = format === 'stylish' && !values.output && useColor(colorFlag, process.stdout) ? ANSI : PLAIN;
  await writeOutput(formatReport(report, format, palette), values.output);

  const { errors, warnings } = report.summary;
  if (errors > 0) return EXIT_FINDINGS;
  if (maxWarnings >= 0 && warnings > maxWarnings) {
    if (values['max-warnings'] !== undefined) process.stderr.write(`flakelens: too many warnings (${warnings}, maximum ${maxWarnings})\n`);
    return EXIT_FINDINGS;
  }
  return EXIT_CLEAN;
}

async function explain(rest: string[], values: { format?: string; root?: string; output?: string }, colorFlag: boolean | undefined): Promise<number> {
  if (rest.length !== 1) fail(`explain takes exactly one file (got ${rest.length})`);
  const { explainJson, explainText, isExplainFormat, EXPLAIN_FORMATS } = await import('../cli/explain.js');
  const format = values.format ?? 'text';
  if (!isExplainFormat(format)) fail(`unknown format "${format}" for explain (use ${EXPLAIN_FORMATS.join(', ')})`);
  const file = path.resolve(rest[0]!);
  if (!fs.existsSync(file)) fail(`no such file: ${rest[0]}`);
  if (!fs.statSync(file).isFile()) fail(`explain takes a file, not a directory: ${rest[0]}`);
  const { findWorkspaceRoot } = await import('../cli/check.js');
  let root: string;
  if (values.root !== undefined) {
    root = path.resolve(values.root);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) fail(`--root ${values.root}: not a directory`);
  } else {
    root = findWorkspaceRoot(path.dirname(file));
  }
  const { RULES } = await import('../rules/index.js');
  const { Workspace } = await import('../workspace/workspace.js');
  const workspace = new Workspace({ root, rules: RULES });
  try {
    const { explanation, problem } = workspace.explainFile(file);
    if (!explanation) {
      process.stderr.write(`flakelens: cannot explain ${rest[0]}: ${problem ?? 'unknown problem'}\n`);
      return EXIT_USAGE;
    }
    const { useColor, ANSI, PLAIN } = await import('../cli/colors.js');
    const text = format === 'json' ? explainJson(explanation, root) : explainText(explanation, root, useColor(colorFlag, process.stdout) && !values.output ? ANSI : PLAIN);
    await writeOutput(text, values.output);
    return EXIT_CLEAN;
  } finally {
    workspace.dispose();
  }
}

const VERIFY_EXIT_INTERRUPTED = 130;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`${name} must be a positive integer, got "${text}"`);
  return value;
}

async function verifyMain(argv: string[]): Promise<number> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          runs: { type: 'string' },
          modes: { type: 'string' },
          seed: { type: 'string' },
          stress: { type: 'boolean' },
          'stress-cpu': { type: 'string' },
          workers: { type: 'string' },
          timeout: { type: 'string' },
          runner: { type: 'string' },
          command: { type: 'string' },
          shard: { type: 'string' },
          merge: { type: 'boolean' },
          'no-bisect': { type: 'boolean' },
          results: { type: 'string' },
          root: { type: 'string' },
          format: { type: 'string', short: 'f' },
          output: { type: 'string', short: 'o' },
          color: { type: 'boolean' },
          'no-color': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      return fail((error as Error).message);
    }
  })();
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_CLEAN;
  }
  const { formatVerify, isVerifyFormat, VERIFY_FORMATS, progressLine } = await import('../cli/verifyReport.js');
  const { useColor, ANSI, PLAIN } = await import('../cli/colors.js');
  const { FLAKY_VERDICTS, MODES, RUNNER_IDS } = await import('../verify/types.js');
  const results = await import('../verify/results.js');
  const format = values.format ?? 'stylish';
  if (!isVerifyFormat(format)) fail(`unknown format "${format}" for verify (use ${VERIFY_FORMATS.join(', ')})`);
  const palette = format === 'stylish' && !values.output && useColor(values['no-color'] ? false : values.color ? true : undefined, process.stdout) ? ANSI : PLAIN;
  const exitFor = (verdicts: Array<{ verdict: string }>) => (verdicts.some((v) => FLAKY_VERDICTS.has(v.verdict as never)) ? EXIT_FINDINGS : EXIT_CLEAN);

  if (values.merge) {
    if (positionals.length === 0) fail('--merge needs the result files to combine');
    let merged;
    try {
      merged = results.mergeResults(positionals.map((file) => results.readResults(path.resolve(file))));
    } catch (error) {
      if (error instanceof results.ResultsError) fail(error.message);
      throw error;
    }
    if (values.results) results.writeResults(path.resolve(values.results), merged);
    await writeOutput(formatVerify(merged, format, palette), values.output);
    return exitFor(merged.verdicts);
  }

  const root = path.resolve(values.root ?? process.cwd());
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) fail(`--root ${values.root}: not a directory`);
  // An argument that names an existing file or directory limits the run to it; any other is a test-name filter,
  // passed to the runner's own name filter.
  const paths = positionals.filter((p) => fs.existsSync(p)).map((p) => path.resolve(p));
  const names = positionals.filter((p) => !fs.existsSync(p));
  const modes = (values.modes ?? MODES.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes) if (!(MODES as readonly string[]).includes(m)) fail(`unknown mode "${m}" (use ${MODES.join(', ')})`);
  if (modes.length === 0) fail('--modes needs at least one mode');
  if (values.runner !== undefined && !(RUNNER_IDS as readonly string[]).includes(values.runner)) fail(`unknown runner "${values.runner}" (use ${RUNNER_IDS.join(', ')})`);
  const { detectRunner } = await import('../verify/runners/index.js');
  const { verifyTargets, runVerifyTargets } = await import('../verify/packages.js');
  // --runner or --command: that runner at --root. Otherwise each workspace package with its own runner (or root).
  const forced = (values.runner ?? (values.command !== undefined ? detectRunner(root) : undefined)) as (typeof RUNNER_IDS)[number] | undefined;
  if (values.command !== undefined && forced === undefined) fail(`cannot tell which test runner ${root} uses; pass --runner with --command (${RUNNER_IDS.join(', ')})`);
  const targets = verifyTargets(root, { ...(forced ? { runner: forced } : {}), paths });
  if (targets.length === 0) fail(`cannot tell which test runner ${root} uses; pass --runner (${RUNNER_IDS.join(', ')})`);
  const { parseShard } = await import('../verify/plan.js');
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.shard !== undefined && !shard) fail(`--shard expects i/n with 1 <= i <= n, got "${values.shard}"`);
  let seed = Date.now() % 1_000_000;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`--seed must be an integer from 0 to 4294967295, got "${values.seed}"`);
  }
  const stressCpu = values['stress-cpu'] === undefined ? 0.5 : Number(values['stress-cpu']);
  if (!(stressCpu >= 0 && stressCpu <= 1)) fail(`--stress-cpu must be between 0 and 1, got "${values['stress-cpu']}"`);
  const os = await import('node:os');
  const command = values.command === undefined ? undefined : values.command.trim().split(/\s+/);
  if (command !== undefined && command[0] === '') fail('--command is empty');

  const controller = new AbortController();
  const { killAllRunners } = await import('../verify/process.js');
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    process.stderr.write(interrupts === 1 ? '\nflakelens: interrupted; stopping the runner...\n' : '');
    controller.abort();
    if (interrupts > 1) {
      killAllRunners();
      process.exit(VERIFY_EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const live = process.stderr.isTTY === true;
  const { VerifyError } = await import('../verify/verify.js');
  const { toolVersion } = await import('../cli/version.js');
  try {
    const verified = await runVerifyTargets(
      targets,
      {
        root,
        ...(command ? { command } : {}),
        runs: positiveInt('--runs', values.runs, 10),
        modes: modes as (typeof MODES)[number][],
        stress: values.stress ?? false,
        stressCpu,
        seed,
        workers: positiveInt('--workers', values.workers, Math.max(2, os.availableParallelism())),
        timeoutMs: positiveInt('--timeout', values.timeout, 600) * 1000,
        ...(shard ? { shard } : {}),
        ...(paths.length ? { paths } : {}),
        ...(names.length ? { names } : {}),
        bisect: !values['no-bisect'],
        toolVersion: toolVersion(),
      },
      {
        onRunStart: (progress) => {
          if (live) process.stderr.write(`\r\u001b[K${progress.purpose === 'plan' ? `run ${progress.index}/${progress.total}` : `${progress.purpose} run ${progress.index}`}  ${progress.stress ? 'stressed ' : ''}${progress.mode}...`);
        },
        onRunEnd: (progress, record) => process.stderr.write(`${live ? '\r\u001b[K' : ''}${progressLine(progress, record)}\n`),
        onNote: (note) => process.stderr.write(`flakelens: note: ${note}\n`),
      },
      controller.signal,
    );
    // The editor marks a verdict stale when its test's text differs from the text run here.
    (await import('../verify/update.js')).annotateSourceHashes(verified, root);
    results.writeResults(values.results ? path.resolve(values.results) : results.resultsPath(root), verified);
    await writeOutput(formatVerify(verified, format, palette), values.output);
    return exitFor(verified.verdicts);
  } catch (error) {
    if (error instanceof VerifyError) {
      process.stderr.write(`flakelens: ${error.message}\n`);
      return error.cancelled ? VERIFY_EXIT_INTERRUPTED : EXIT_USAGE;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function writeOutput(text: string, output: string | undefined): Promise<void> {
  if (output === undefined) {
    // Wait for the write so piped output is complete before the process exits.
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
    return;
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
    fs.writeFileSync(output, text);
  } catch (error) {
    fail(`cannot write --output ${output}: ${(error as Error).message}`);
  }
}

const args = process.argv.slice(2);

/** Exit 2 with one line when stdout cannot be written (a full disk, `> /dev/full`, a closed pipe). */
function stdoutFailed(error: Error): never {
  try {
    process.stderr.write(`flakelens: cannot write to stdout: ${error.message}\n`);
  } catch {
    // stderr is gone too: the exit code still says it
  }
  process.exit(EXIT_USAGE);
}

if (args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  const { startServer } = await import('../lsp/connection.js');
  startServer();
} else {
  process.stdout.on('error', stdoutFailed);
  try {
    process.exitCode = await main(args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.syscall === 'write') stdoutFailed(error as Error);
    if (error instanceof UsageError) {
      process.stderr.write(`flakelens: ${error.message}\nRun 'flakelens --help' for usage.\n`);
    } else {
      process.stderr.write(`flakelens: internal error: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exitCode = EXIT_USAGE;
  }
}
