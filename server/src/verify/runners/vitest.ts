import * as path from 'node:path';
import { runProcess } from '../process.js';
import type { TestResult } from '../types.js';
import { escapeRegExp, firstLine, namesPattern, outputTail, parseJestFormat, readJsonFile, RunnerError, stackLocation, type RunnerAdapter } from './adapter.js';

/** One assertion of vitest's json reporter (jest's format). */
interface VitestAssertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages?: string[];
  location?: { line: number; column: number };
  duration?: number;
}

/** Full-name selector: vitest matches -t against the suite titles and test title joined by spaces. */
export function fullNamePattern(only: string[][]): string {
  return `^(?:${only.map((titles) => escapeRegExp(titles.join(' '))).join('|')})$`;
}

/**
 * vitest's JSON reporter gives each error's stack; for a timeout that stack is the test's definition site under
 * the placeholder message STACK_TRACE_ERROR, with the real message lost.
 */
function vitestMessage(failure: string): string {
  const line = firstLine(failure);
  return line === 'Error: STACK_TRACE_ERROR' ? 'failed without a message (vitest reports a test timeout this way)' : line;
}

export const vitestAdapter: RunnerAdapter = {
  id: 'vitest',
  packageName: 'vitest',
  binName: 'vitest',
  shuffle: 'native',
  bisectUnit: 'test',
  isolatesFiles: true,
  async listFiles(ctx, signal) {
    const out = path.join(ctx.tmp, 'list.json');
    const outcome = await runProcess([...ctx.command, 'list', '--filesOnly', `--json=${out}`], {
      cwd: ctx.root,
      env: ctx.env,
      timeoutMs: 120_000,
      signal,
    });
    const data = (() => {
      try {
        return readJsonFile(out);
      } catch {
        throw new RunnerError(`vitest list failed:\n${outputTail(outcome)}`);
      }
    })();
    if (!Array.isArray(data)) throw new RunnerError('vitest list --json printed no file list');
    return [...new Set(data.map((entry: { file?: string }) => entry.file).filter((f): f is string => typeof f === 'string'))].sort();
  },
  invocations(ctx, spec, runTag) {
    const resultFile = path.join(ctx.tmp, `${runTag}.json`);
    const argv = [...ctx.command, 'run', '--reporter=json', `--outputFile=${resultFile}`, '--retry=0', '--includeTaskLocation', '--passWithNoTests=false'];
    if (spec.mode === 'parallel') argv.push('--fileParallelism', `--maxWorkers=${spec.workers}`);
    else argv.push('--no-file-parallelism', '--maxWorkers=1');
    if (spec.mode === 'shuffle') argv.push('--sequence.shuffle', `--sequence.seed=${spec.seed ?? 0}`);
    if (spec.only) argv.push('-t', fullNamePattern(spec.only));
    else if (spec.names?.length) argv.push('-t', namesPattern(spec.names));
    if (spec.files) argv.push(...spec.files);
    return [{ argv, resultFile }];
  },
  parse(ctx, invocation, outcome) {
    // A file that failed before its tests ran (import or syntax error) is a failure of the file.
    return parseJestFormat<VitestAssertion>('vitest', ctx, invocation, outcome, 'test file failed to load', (test, file) => {
      const failure = test.failureMessages?.[0];
      return {
        file,
        titles: [...test.ancestorTitles, test.title],
        status: test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped',
        message: failure === undefined ? undefined : vitestMessage(failure),
        location: test.location,
        durationMs: test.duration,
        at: failure === undefined ? undefined : stackLocation(ctx.root, failure),
      };
    });
  },
};
