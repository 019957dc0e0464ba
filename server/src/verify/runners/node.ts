import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { TestResult } from '../types.js';
import { escapeRegExp, firstLine, readJsonFile, RunnerError, stackLocation, toRelative, type Invocation, type RunnerAdapter, type RunnerContext } from './adapter.js';

/** node --test's default file patterns (Node 20) when it is given no paths. */
const DEFAULT_PATTERNS = [
  '**/*.test.?(c|m)js',
  '**/*-test.?(c|m)js',
  '**/*_test.?(c|m)js',
  '**/test-*.?(c|m)js',
  '**/test.?(c|m)js',
  '**/test/**/*.?(c|m)js',
];

/**
 * A node:test reporter that writes one JSON object per finished test, with its suite path. It is written to
 * the run's temporary directory and loaded by node via --test-reporter.
 */
const REPORTER_SOURCE = `
export default async function* flakelensReporter(source) {
  const stacks = new Map();
  const results = [];
  for await (const event of source) {
    const data = event.data;
    if (!data || data.file === undefined) continue;
    const stack = stacks.get(data.file) ?? [];
    stacks.set(data.file, stack);
    if (event.type === 'test:start') {
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
    } else if (event.type === 'test:pass' || event.type === 'test:fail') {
      if (data.details && data.details.type === 'suite') continue;
      const error = data.details && data.details.error;
      const cause = error && error.cause instanceof Error ? error.cause : error;
      // A file whose process failed outside any test is reported as a test named after the file.
      const wholeFile = data.nesting === 0 && data.name === data.file;
      results.push({
        file: data.file,
        titles: wholeFile ? ['(file)'] : [...stack.slice(0, data.nesting), data.name],
        status: data.skip !== undefined || data.todo !== undefined ? 'skipped' : event.type === 'test:pass' ? 'passed' : 'failed',
        line: data.line,
        column: data.column,
        durationMs: data.details && data.details.duration_ms,
        message: wholeFile && error && error.exitCode !== undefined
          ? 'the test file failed outside its tests (exit code ' + error.exitCode + '; run it with node to see why)'
          : cause ? String(cause.message ?? cause) : undefined,
        stack: cause && cause.stack ? String(cause.stack) : undefined,
      });
    }
  }
  yield JSON.stringify({ flakelens: 1, results });
}
`;

function reporterPath(ctx: RunnerContext): string {
  const file = path.join(ctx.tmp, 'node-test-reporter.mjs');
  if (!fs.existsSync(file)) fs.writeFileSync(file, REPORTER_SOURCE);
  return file;
}

interface NodeResult {
  file: string;
  titles: string[];
  status: TestResult['status'];
  line?: number;
  column?: number;
  durationMs?: number;
  message?: string;
  stack?: string;
}

/** The major version of the node that runs the tests: this one, unless --command starts another (unknown then). */
function nodeMajor(ctx: RunnerContext): number | undefined {
  return ctx.command[0] === process.execPath ? Number(process.versions.node.split('.')[0]) : undefined;
}

/**
 * Name patterns that select exactly these tests (title paths). From Node 22 a pattern is also matched against a
 * test's name prefixed with its ancestors' names (separated by spaces), so the anchored full path selects one
 * test. Node 20 matches each test's own name only (a suite that matches runs all its tests): the anchored last
 * title is the closest it can select, and same-named tests in other suites of the file run too.
 */
export function onlyPatterns(only: readonly string[][], major: number | undefined): string[] {
  const fullPath = major !== undefined && major >= 22;
  return [...new Set(only.map((titles) => `^${escapeRegExp(fullPath ? titles.join(' ') : titles.at(-1)!)}$`))];
}

export const nodeAdapter: RunnerAdapter = {
  id: 'node',
  shuffle: 'files',
  // node --test runs every file in its own process, so only another file (through shared external state such
  // as the file system) can pollute a victim, and files are what an order can rearrange.
  bisectUnit: 'file',
  isolatesFiles: false,
  async listFiles(ctx) {
    const isMatch = picomatch(DEFAULT_PATTERNS, { dot: false });
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        const abs = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(abs);
        else if (entry.isFile() && isMatch(toRelative(ctx.root, abs))) files.push(abs);
      }
    };
    walk(ctx.root);
    return files.sort();
  },
  invocations(ctx, spec, runTag) {
    const reporter = reporterPath(ctx);
    const base = (tag: string): Invocation => {
      const resultFile = path.join(ctx.tmp, `${tag}.json`);
      return {
        argv: [
          ...ctx.command,
          '--test',
          `--test-reporter=${reporter}`,
          `--test-reporter-destination=${resultFile}`,
          `--test-concurrency=${spec.mode === 'parallel' ? spec.workers : 1}`,
          // Repeated patterns: a test runs when it matches any of them. Exact tests (the editor's Verify) win.
          ...(spec.only ? onlyPatterns(spec.only, nodeMajor(ctx)) : (spec.names ?? [])).map((name) => `--test-name-pattern=${name}`),
        ],
        resultFile,
      };
    };
    // node sorts the files it is given, so an order other than the sorted one is run one file per invocation.
    if (spec.mode === 'shuffle' && spec.files) {
      return spec.files.map((file, i) => {
        const invocation = base(`${runTag}-${i}`);
        invocation.argv.push(file);
        return invocation;
      });
    }
    const invocation = base(runTag);
    if (spec.files) invocation.argv.push(...spec.files);
    return [invocation];
  },
  parse(ctx, invocation) {
    const data = readJsonFile(invocation.resultFile) as { flakelens?: number; results?: NodeResult[] };
    if (!Array.isArray(data.results)) throw new RunnerError('node --test wrote no results');
    return data.results.map((r) => ({
      file: toRelative(ctx.root, r.file),
      titles: r.titles,
      status: r.status,
      location: r.line !== undefined ? { line: r.line, column: r.column ?? 1 } : undefined,
      durationMs: r.durationMs,
      message: r.status === 'failed' ? firstLine(r.message) : undefined,
      at: r.status === 'failed' ? stackLocation(ctx.root, r.stack) : undefined,
    }));
  },
};
