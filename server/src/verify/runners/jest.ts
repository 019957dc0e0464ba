import * as path from 'node:path';
import { runProcess } from '../process.js';
import type { TestResult } from '../types.js';
import { firstLine, namesPattern, outputTail, parseJestFormat, RunnerError, stackLocation, type RunnerAdapter } from './adapter.js';
import { fullNamePattern } from './vitest.js';

/** One assertion of jest's `--json` report. */
interface JestAssertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages?: string[];
  location?: { line: number; column: number } | null;
  duration?: number | null;
  invocations?: number;
  retryReasons?: string[];
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
    return parseJestFormat<JestAssertion>('jest', ctx, invocation, outcome, 'test file failed to run', (test, file) => {
      // A retried test failed at least once in this run: that is what verify measures, whatever the retry said.
      const retried = (test.invocations ?? 1) > 1;
      const failed = test.status === 'failed' || retried;
      const failure = test.failureMessages?.[0] ?? test.retryReasons?.[0];
      return {
        file,
        titles: [...test.ancestorTitles, test.title],
        status: failed ? 'failed' : test.status === 'passed' ? 'passed' : 'skipped',
        message: failed ? (retried && test.status !== 'failed' ? 'passed only on retry: ' : '') + firstLine(failure) : undefined,
        location: test.location ?? undefined,
        at: failed ? stackLocation(ctx.root, failure) : undefined,
        durationMs: test.duration ?? undefined,
      };
    });
  },
};
