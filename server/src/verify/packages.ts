// Monorepos: which packages verify runs, each with its own runner, in its own directory. Read from the
// workspace's declarations (package.json "workspaces", pnpm-workspace.yaml) by their syntax only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { classifyAll, summarize } from './classify.js';
import { shellQuote } from './process.js';
import { toRelative } from './runners/adapter.js';
import { detectRunnerHow } from './runners/index.js';
import { testId, type RunnerId, type VerifyResults } from './types.js';
import { runVerify, type VerifyHooks, type VerifyOptions } from './verify.js';

export interface PackageTarget {
  /** Absolute package directory (the root itself for a single project). */
  dir: string;
  runner: RunnerId;
}

/** The quoted or bare items of pnpm-workspace.yaml's `packages` list (block or flow style). */
export function pnpmWorkspaceGlobs(yaml: string): string[] {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((line) => /^packages\s*:/.test(line));
  if (start < 0) return [];
  const unquote = (item: string) => item.trim().replace(/^(['"])(.*)\1$/, '$2');
  const inline = /^packages\s*:\s*\[(.*)\]/.exec(lines[start]!);
  if (inline) return inline[1]!.split(',').map(unquote).filter(Boolean);
  const globs: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const item = /^\s+-\s*(.*?)\s*(?:#.*)?$/.exec(line);
    if (!item) break;
    globs.push(unquote(item[1]!));
  }
  return globs.filter(Boolean);
}

/** The workspace package globs declared at root, or undefined when root declares no workspaces. */
export function workspaceGlobs(root: string): string[] | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces?: string[] | { packages?: string[] } };
    const declared = Array.isArray(pkg.workspaces) ? pkg.workspaces : pkg.workspaces?.packages;
    if (Array.isArray(declared) && declared.length > 0) return declared.filter((g): g is string => typeof g === 'string');
  } catch {
    // No or unreadable package.json: pnpm's file may still declare the workspace.
  }
  try {
    const globs = pnpmWorkspaceGlobs(fs.readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8'));
    if (globs.length > 0) return globs;
  } catch {
    // No pnpm workspace.
  }
  return undefined;
}

const MAX_DEPTH = 6;

/** Package directories (with a package.json) matching the globs, '!' globs excluded, sorted. */
export function expandWorkspaces(root: string, globs: readonly string[]): string[] {
  const clean = (g: string) => g.replace(/^\.\//, '').replace(/\/+$/, '');
  const include = picomatch(globs.filter((g) => !g.startsWith('!')).map(clean));
  const exclude = picomatch(globs.filter((g) => g.startsWith('!')).map((g) => clean(g.slice(1))));
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const abs = path.join(dir, entry.name);
      const rel = toRelative(root, abs);
      if (include(rel) && !exclude(rel) && fs.existsSync(path.join(abs, 'package.json'))) found.push(abs);
      if (depth < MAX_DEPTH) walk(abs, depth + 1);
    }
  };
  walk(root, 1);
  return found.sort();
}

/**
 * What verify runs: one target at root when the runner is forced (--runner/--command) or root runs its own
 * runner (a config file or a test script naming it, e.g. vitest projects covering every package); otherwise, in
 * a monorepo, every workspace package whose runner can be told (limited to those holding one of the paths).
 * Empty when nothing says which runner any package uses.
 */
export function verifyTargets(root: string, options: { runner?: RunnerId; paths?: readonly string[] } = {}): PackageTarget[] {
  if (options.runner) return [{ dir: root, runner: options.runner }];
  const own = detectRunnerHow(root);
  const globs = workspaceGlobs(root);
  if (globs === undefined || (own !== undefined && own.by !== 'dependency')) return own ? [{ dir: root, runner: own.id }] : [];
  const within = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);
  const targets: PackageTarget[] = [];
  for (const dir of expandWorkspaces(root, globs)) {
    if (options.paths?.length && !options.paths.some((p) => within(p, dir) || within(dir, p))) continue;
    const runner = detectRunnerHow(dir);
    if (runner) targets.push({ dir, runner: runner.id });
  }
  // A workspace whose packages name no runner: fall back to what root's dependencies say.
  if (targets.length === 0 && own && !options.paths?.length) return [{ dir: root, runner: own.id }];
  return targets;
}

/** Moves one package's results under the workspace root: paths, test ids and the commands (run from the package). */
export function rebaseResults(results: VerifyResults, root: string): VerifyResults {
  const rel = toRelative(root, results.root);
  if (rel === '') return results;
  const file = (f: string) => `${rel}/${f}`;
  const ids = new Map<string, string>();
  const tests: VerifyResults['tests'] = {};
  for (const [id, info] of Object.entries(results.tests)) {
    const moved = { ...info, file: file(info.file) };
    ids.set(id, testId(moved.file, moved.titles));
    tests[ids.get(id)!] = moved;
  }
  const id = (old: string) => ids.get(old) ?? old;
  const mapKeys = <T>(record: Record<string, T>, value: (v: T) => T = (v) => v) => Object.fromEntries(Object.entries(record).map(([k, v]) => [id(k), value(v)]));
  const cd = (command: string) => `cd ${shellQuote([rel])} && ${command}`;
  return {
    ...results,
    root,
    files: results.files.map(file),
    tests,
    runs: results.runs.map((run) => ({
      ...run,
      commands: run.commands.map(cd),
      outcomes: mapKeys(run.outcomes),
      failures: mapKeys(run.failures, (f) => (f.at ? { ...f, at: file(f.at) } : f)),
    })),
    orderFindings: results.orderFindings.map((f) => ({ ...f, victim: id(f.victim), polluters: f.polluters.map(id), ...(f.repro ? { repro: cd(f.repro) } : {}) })),
    verdicts: [],
  };
}

/** One result for the whole workspace from each package's: runs concatenated, verdicts recomputed (per test id). */
export function combinePackages(root: string, parts: readonly VerifyResults[]): VerifyResults {
  const moved = parts.map((part) => rebaseResults(part, root));
  const runs: VerifyResults['runs'] = [];
  const tests: VerifyResults['tests'] = {};
  for (const part of moved) {
    for (const run of part.runs) runs.push({ ...run, index: runs.length + 1 });
    Object.assign(tests, part.tests);
  }
  const orderFindings = moved.flatMap((p) => p.orderFindings);
  const verdicts = classifyAll(tests, runs, orderFindings);
  const first = moved[0]!;
  return {
    ...first,
    root,
    durationMs: parts.reduce((sum, p) => sum + p.durationMs, 0),
    packages: parts.map((p) => ({
      dir: toRelative(root, p.root) || '.',
      runner: p.runner,
      files: p.files.length,
      tests: Object.keys(p.tests).length,
      durationMs: p.durationMs,
    })),
    files: moved.flatMap((p) => p.files).sort(),
    tests,
    runs,
    orderFindings,
    verdicts,
    summary: summarize(verdicts, Math.max(...parts.map((p) => p.summary.runs))),
  };
}

/**
 * verify over a workspace: each target package in its own directory with its own runner, one after the other
 * (runs of two packages at once would disturb each other's timing), then one combined result. A single target
 * is exactly runVerify.
 */
export async function runVerifyTargets(
  targets: readonly PackageTarget[],
  options: Omit<VerifyOptions, 'root' | 'runner'> & { root: string },
  hooks: VerifyHooks = {},
  signal?: AbortSignal,
): Promise<VerifyResults> {
  if (targets.length === 1 && targets[0]!.dir === options.root) return runVerify({ ...options, runner: targets[0]!.runner }, hooks, signal);
  const parts: VerifyResults[] = [];
  for (const target of targets) {
    const rel = toRelative(options.root, target.dir) || '.';
    hooks.onNote?.(`package ${rel}: ${target.runner}`);
    const within = (p: string) => p === target.dir || p.startsWith(target.dir + path.sep);
    const paths = options.paths?.filter(within);
    const { paths: _all, ...rest } = options;
    parts.push(await runVerify({ ...rest, root: target.dir, runner: target.runner, ...(paths?.length ? { paths } : {}) }, hooks, signal));
  }
  return combinePackages(options.root, parts);
}
