import * as path from 'node:path';
import { runProcess } from '../process.js';
import type { TestResult } from '../types.js';
import { firstLine, namesPattern, outputTail, readJsonFile, RunnerError, stackLocation, toRelative, type RunnerAdapter } from './adapter.js';
import { fullNamePattern } from './vitest.js';

interface JestJson {
  testResults?: Array<{
    name: string;
    status?: string;
    message?: string;
    assertionResults?: Array<{
      ancestorTitles: string[];
      title: string;
      status: string;
      failureMessages?: string[];
      location?: { line: number; column: number } | null;
      duration?: number | null;
      invocations?: number;
      retryReasons?: string[];
    }>;
  }>;
}

export const jestAdapter: RunnerAdapter = {
  id: 'jest',
  packageName: 'jest',
  binName: 'jest',
  shuffle: 'native',
  bisectUnit: 'test',
  isolatesFiles: true,
  async listFiles(ctx, signal) {
    const outcome = await runProcess([...ctx.command, '--listTests', '--json'], { cwd: ctx.root, env: ctx.env, timeoutMs: 120_000, signal });
    const start = outcome.stdout.indexOf('[');
    try {
      const data = JSON.parse(outcome.stdout.slice(start)) as unknown;
      if (!Array.isArray(data)) throw new Error('not a list');
      return (data as string[]).slice().sort();
    } catch {
      throw new RunnerError(`jest --listTests failed:\n${outputTail(outcome)}`);
    }
  },
  invocations(ctx, spec, runTag) {
    const resultFile = path.join(ctx.tmp, `${runTag}.json`);
    // jest has no CLI switch for retryTimes(); retried tests are caught from `invocations` in the results.
    const argv = [...ctx.command, '--json', `--outputFile=${resultFile}`, '--ci', '--testLocationInResults'];
    if (spec.mode === 'parallel') argv.push(`--maxWorkers=${spec.workers}`);
    else argv.push('--runInBand');
    if (spec.mode === 'shuffle') argv.push('--randomize', `--seed=${spec.seed ?? 0}`);
    if (spec.only) argv.push('-t', fullNamePattern(spec.only));
    else if (spec.names?.length) argv.push('-t', namesPattern(spec.names));
    if (spec.files) argv.push('--runTestsByPath', ...spec.files);
    return [{ argv, resultFile }];
  },
  parse(ctx, invocation, outcome) {
    const data = readJsonFile(invocation.resultFile) as JestJson;
    if (!Array.isArray(data.testResults)) throw new RunnerError('jest wrote no testResults');
    const results: TestResult[] = [];
    for (const file of data.testResults) {
      const rel = toRelative(ctx.root, file.name);
      const assertions = file.assertionResults ?? [];
      if (assertions.length === 0 && file.status === 'failed') {
        results.push({ file: rel, titles: ['(file)'], status: 'failed', message: firstLine(file.message) || 'test file failed to run' });
        continue;
      }
      for (const test of assertions) {
        // A retried test failed at least once in this run: that is what verify measures, whatever the retry said.
        const retried = (test.invocations ?? 1) > 1;
        const failed = test.status === 'failed' || retried;
        const failure = test.failureMessages?.[0] ?? test.retryReasons?.[0];
        results.push({
          file: rel,
          titles: [...test.ancestorTitles, test.title],
          status: failed ? 'failed' : test.status === 'passed' ? 'passed' : 'skipped',
          message: failed ? (retried && test.status !== 'failed' ? 'passed only on retry: ' : '') + firstLine(failure) : undefined,
          location: test.location ?? undefined,
          at: failed ? stackLocation(ctx.root, failure) : undefined,
          durationMs: test.duration ?? undefined,
        });
      }
    }
    if (results.length === 0 && outcome.exitCode !== 0) throw new RunnerError(`jest ran no tests:\n${outputTail(outcome)}`);
    return results;
  },
};
