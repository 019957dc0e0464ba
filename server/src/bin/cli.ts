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
  flakelens --stdio                      start the language server (also --node-ipc, --socket=N)

Options for check (explain takes --format, --output, --root and the colour flags too):
  -f, --format <name>      stylish (default), json, sarif or markdown
  -o, --output <file>      write the report to a file instead of stdout
      --rule <id=severity> override a rule's severity (error, warning, info, hint, off); repeatable
  -q, --quiet              report errors only
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
  if (command === undefined) fail('missing command (check, rules or explain)');
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
  if (command !== 'check') fail(`unknown command "${command}" (use check, rules or explain)`);

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
  const { startServer } = await import('../lsp/server.js');
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
