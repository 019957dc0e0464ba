import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { runProcess } from '../process.js';
import type { TestResult } from '../types.js';
import { escapeRegExp, firstLine, namesPattern, outputTail, readJsonFile, RunnerError, stackLocation, toRelative, type RunnerAdapter, type RunnerContext } from './adapter.js';

interface MochaTest {
  title: string;
  fullTitle: string;
  file?: string;
  duration?: number;
  err?: { message?: string; stack?: string };
}

interface MochaJson {
  tests?: MochaTest[];
  failures?: MochaTest[];
  passes?: MochaTest[];
  pending?: MochaTest[];
}

const RC_FILES = ['.mocharc.cjs', '.mocharc.js', '.mocharc.jsonc', '.mocharc.json', '.mocharc.yaml', '.mocharc.yml'];

/**
 * mocha merges positional files with the config's `spec` (running both), so to run an exact file list in an
 * exact order flakelens hands mocha a copy of the config without `spec`. JSON configs are copied; JS configs
 * are wrapped (mocha would execute them anyway). YAML configs cannot be rewritten: undefined.
 */
function configWithoutSpec(ctx: RunnerContext): string[] | undefined {
  const rc = RC_FILES.map((name) => path.join(ctx.root, name)).find((file) => fs.existsSync(file));
  let pkgOptions: Record<string, unknown> = {};
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(ctx.root, 'package.json'), 'utf8')) as { mocha?: Record<string, unknown> };
    if (pkg.mocha && typeof pkg.mocha === 'object') pkgOptions = pkg.mocha;
  } catch {
    // No package.json options.
  }
  if (rc !== undefined && /\.ya?ml$/.test(rc)) return undefined;
  if (rc !== undefined && /\.c?js$/.test(rc)) {
    const wrapper = path.join(configDir(ctx), 'mocharc.nospec.cjs');
    fs.writeFileSync(
      wrapper,
      `const config = Object.assign({}, ${JSON.stringify(pkgOptions)}, require(${JSON.stringify(rc)}));\ndelete config.spec;\nmodule.exports = config;\n`,
    );
    return ['--config', wrapper, '--no-package'];
  }
  const options: Record<string, unknown> = { ...pkgOptions };
  if (rc !== undefined) {
    const parsed = parseJsonc(fs.readFileSync(rc, 'utf8'));
    if (parsed && typeof parsed === 'object') Object.assign(options, parsed);
  }
  delete options.spec;
  const file = path.join(configDir(ctx), 'mocharc.nospec.json');
  fs.writeFileSync(file, JSON.stringify(options));
  return ['--config', file, '--no-package'];
}

/** The copy lives in .flakelens/ (not the temporary directory) so reproduction commands keep working. */
function configDir(ctx: RunnerContext): string {
  const dir = path.join(ctx.root, '.flakelens');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function titlesOf(test: MochaTest): string[] {
  // mocha's JSON gives the full title as one string; the suite path is what precedes the test's own title.
  const suite = test.fullTitle.endsWith(test.title) ? test.fullTitle.slice(0, test.fullTitle.length - test.title.length).trim() : '';
  return suite ? [suite, test.title] : [test.title];
}

export const mochaAdapter: RunnerAdapter = {
  id: 'mocha',
  packageName: 'mocha',
  binName: 'mocha',
  shuffle: 'files',
  bisectUnit: 'test',
  isolatesFiles: false,
  async listFiles(ctx, signal) {
    const out = path.join(ctx.tmp, 'list.json');
    const outcome = await runProcess([...ctx.command, '--dry-run', '--reporter', 'json', '--reporter-option', `output=${out}`], {
      cwd: ctx.root,
      env: ctx.env,
      timeoutMs: 120_000,
      signal,
    });
    let data: MochaJson;
    try {
      data = readJsonFile(out) as MochaJson;
    } catch {
      throw new RunnerError(`mocha --dry-run failed:\n${outputTail(outcome)}`);
    }
    const files = new Set<string>();
    for (const test of data.tests ?? []) if (test.file) files.add(path.resolve(ctx.root, test.file));
    return [...files];
  },
  invocations(ctx, spec, runTag) {
    const resultFile = path.join(ctx.tmp, `${runTag}.json`);
    const argv = [...ctx.command, '--reporter', 'json', '--reporter-option', `output=${resultFile}`, '--retries', '0'];
    if (spec.mode === 'parallel') argv.push('--parallel', '--jobs', String(spec.workers));
    if (spec.only) argv.push('--grep', `^(?:${spec.only.map((titles) => escapeRegExp(titles.join(' '))).join('|')})$`);
    else if (spec.names?.length) argv.push('--grep', namesPattern(spec.names));
    if (spec.files) {
      const config = configWithoutSpec(ctx);
      if (config === undefined) throw new RunnerError('cannot run an exact file order with a YAML mocha config (its spec is always added); use .mocharc.json or .js');
      argv.push(...config, ...spec.files);
    }
    return [{ argv, resultFile }];
  },
  parse(ctx, invocation, outcome) {
    const data = readJsonFile(invocation.resultFile) as MochaJson;
    if (!Array.isArray(data.tests)) throw new RunnerError('mocha wrote no tests list');
    const failed = new Set((data.failures ?? []).map((t) => `${t.file}\u0000${t.fullTitle}`));
    const pending = new Set((data.pending ?? []).map((t) => `${t.file}\u0000${t.fullTitle}`));
    const results: TestResult[] = [];
    const seen = new Set<string>();
    for (const test of [...data.tests, ...(data.failures ?? [])]) {
      const key = `${test.file}\u0000${test.fullTitle}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const isFailed = failed.has(key);
      // A failing hook is reported in failures under a '"before all" hook ...' title: keep it as its own entry.
      results.push({
        file: test.file ? toRelative(ctx.root, test.file) : '(unknown)',
        titles: titlesOf(test),
        status: isFailed ? 'failed' : pending.has(key) ? 'skipped' : 'passed',
        message: isFailed ? firstLine(test.err?.message) || firstLine(test.err?.stack) : undefined,
        at: isFailed ? stackLocation(ctx.root, test.err?.stack) : undefined,
        durationMs: test.duration,
      });
    }
    if (results.length === 0 && outcome.exitCode !== 0) throw new RunnerError(`mocha ran no tests:\n${outputTail(outcome)}`);
    return results;
  },
};

/** jsonc-parser, loaded when a .mocharc.json(c) is read: every verify imports this adapter, few read one. */
function parseJsonc(text: string): unknown {
  return (createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser')).parse(text);
}
