import * as path from 'node:path';
import { runProcess } from '../process.js';
import type { TestResult } from '../types.js';
import { firstLine, namesPattern, outputTail, readJsonFile, RunnerError, stackLocation, toRelative, type Invocation, type RunnerAdapter } from './adapter.js';

interface PwResult {
  status?: string;
  error?: { message?: string; stack?: string };
  errors?: Array<{ message?: string; stack?: string }>;
}

interface PwSpec {
  title: string;
  file: string;
  line?: number;
  column?: number;
  tests?: Array<{ projectName?: string; status?: string; results?: PwResult[] }>;
}

interface PwSuite {
  title: string;
  file?: string;
  specs?: PwSpec[];
  suites?: PwSuite[];
}

interface PwJson {
  config?: { rootDir?: string };
  suites?: PwSuite[];
  errors?: Array<{ message?: string }>;
}

function collect(suite: PwSuite, titles: string[], rootDir: string, ctxRoot: string, out: TestResult[]): void {
  for (const spec of suite.specs ?? []) {
    const abs = path.resolve(rootDir, spec.file);
    for (const test of spec.tests ?? []) {
      const results = test.results ?? [];
      // Retries are forced off; if a config still retried, any failed attempt counts as a failure of this run.
      const failedAttempt = results.find((r) => r.status === 'failed' || r.status === 'timedOut' || r.status === 'interrupted');
      const status: TestResult['status'] =
        test.status === 'skipped' || results.every((r) => r.status === 'skipped') ? 'skipped' : failedAttempt || test.status === 'unexpected' ? 'failed' : 'passed';
      const error = failedAttempt?.error ?? failedAttempt?.errors?.[0];
      out.push({
        file: toRelative(ctxRoot, abs),
        titles: [...(test.projectName ? [`[${test.projectName}]`] : []), ...titles, spec.title],
        status,
        ...(spec.line !== undefined ? { location: { line: spec.line, column: spec.column ?? 1 } } : {}),
        message: status === 'failed' ? firstLine(error?.message) || (failedAttempt?.status === 'timedOut' ? 'timed out' : 'failed') : undefined,
        at: status === 'failed' ? stackLocation(ctxRoot, error?.stack) : undefined,
      });
    }
  }
  for (const child of suite.suites ?? []) collect(child, [...titles, child.title], rootDir, ctxRoot, out);
}

export const playwrightAdapter: RunnerAdapter = {
  id: 'playwright',
  packageName: '@playwright/test',
  binName: 'playwright',
  // Playwright has no seeded shuffle: flakelens permutes the files and runs them one by one in that order.
  shuffle: 'files',
  bisectUnit: 'file',
  isolatesFiles: false,
  async listFiles(ctx, signal) {
    const out = path.join(ctx.tmp, 'list.json');
    const outcome = await runProcess([...ctx.command, 'test', '--list', '--reporter=json'], {
      cwd: ctx.root,
      env: { ...ctx.env, PLAYWRIGHT_JSON_OUTPUT_FILE: out },
      timeoutMs: 120_000,
      signal,
    });
    let data: PwJson;
    try {
      data = readJsonFile(out) as PwJson;
    } catch {
      throw new RunnerError(`playwright test --list failed:\n${outputTail(outcome)}`);
    }
    const rootDir = data.config?.rootDir ?? ctx.root;
    const files = new Set<string>();
    const walk = (suite: PwSuite) => {
      for (const spec of suite.specs ?? []) files.add(path.resolve(rootDir, spec.file));
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of data.suites ?? []) walk(suite);
    return [...files].sort();
  },
  invocations(ctx, spec, runTag) {
    const make = (tag: string, files: string[] | undefined): Invocation => {
      const resultFile = path.join(ctx.tmp, `${tag}.json`);
      const argv = [...ctx.command, 'test', '--reporter=json', '--retries=0'];
      if (spec.mode === 'parallel') argv.push(`--workers=${spec.workers}`, '--fully-parallel');
      else argv.push('--workers=1');
      // A file with no test matching the name filter is not an error (it is run alone in a shuffled order).
      if (spec.names?.length) argv.push('--grep', namesPattern(spec.names), '--pass-with-no-tests');
      if (files) argv.push(...files);
      return { argv, resultFile, env: { PLAYWRIGHT_JSON_OUTPUT_FILE: resultFile } };
    };
    // Playwright orders files itself, so a permuted order is run one file per invocation.
    if (spec.mode === 'shuffle' && spec.files) return spec.files.map((file, i) => make(`${runTag}-${i}`, [file]));
    return [make(runTag, spec.files)];
  },
  parse(ctx, invocation, outcome) {
    const data = readJsonFile(invocation.resultFile) as PwJson;
    if (!Array.isArray(data.suites)) throw new RunnerError('playwright wrote no suites');
    const rootDir = data.config?.rootDir ?? ctx.root;
    const results: TestResult[] = [];
    for (const suite of data.suites) collect(suite, [], rootDir, ctx.root, results);
    if (results.length === 0 && outcome.exitCode !== 0) {
      throw new RunnerError(`playwright ran no tests: ${firstLine(data.errors?.[0]?.message) || outputTail(outcome)}`);
    }
    return results;
  },
};
