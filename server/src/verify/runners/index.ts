import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunnerId } from '../types.js';
import { resolveRunnerPackage, type RunnerAdapter } from './adapter.js';
import { jestAdapter } from './jest.js';
import { mochaAdapter } from './mocha.js';
import { nodeAdapter } from './node.js';
import { playwrightAdapter } from './playwright.js';
import { hasPytestConfig, pytestAdapter } from './pytest.js';
import { vitestAdapter } from './vitest.js';

export const ADAPTERS: Record<RunnerId, RunnerAdapter> = {
  vitest: vitestAdapter,
  jest: jestAdapter,
  mocha: mochaAdapter,
  node: nodeAdapter,
  playwright: playwrightAdapter,
  pytest: pytestAdapter,
};

const CONFIG_MARKERS: Array<[RunnerId, RegExp]> = [
  ['vitest', /^vitest\.(?:config|workspace)\.[cm]?[jt]s$/],
  ['jest', /^jest\.config\.(?:[cm]?[jt]s|json)$/],
  ['mocha', /^\.mocharc\.(?:c?js|jsonc?|ya?ml)$/],
  ['playwright', /^playwright\.config\.[cm]?[jt]s$/],
];

/**
 * The runner of the package at root: a runner config file first, then the test script, then the declared
 * dependencies. Undefined when nothing says which runner it is.
 */
export function detectRunner(root: string): RunnerId | undefined {
  return detectRunnerHow(root)?.id;
}

/**
 * detectRunner with what decided it: a config file or the test script (the package runs that runner itself), or
 * only a declared dependency (in a monorepo root, often a hoisted devDependency of its packages).
 */
export function detectRunnerHow(root: string): { id: RunnerId; by: 'config' | 'script' | 'dependency' } | undefined {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  for (const [id, re] of CONFIG_MARKERS) if (entries.some((name) => re.test(name))) return { id, by: 'config' };
  // pytest.ini or .pytest.ini, [tool.pytest] or [tool.pytest.ini_options] in pyproject.toml, [tool:pytest] in setup.cfg, [pytest] in tox.ini, conftest.py.
  if (hasPytestConfig(root)) return { id: 'pytest', by: 'config' };
  let pkg: { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; jest?: unknown; mocha?: unknown } = {};
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return undefined;
  }
  if (pkg.jest !== undefined) return { id: 'jest', by: 'config' };
  if (pkg.mocha !== undefined) return { id: 'mocha', by: 'config' };
  const script = pkg.scripts?.test ?? '';
  if (/\bvitest\b/.test(script)) return { id: 'vitest', by: 'script' };
  if (/\bjest\b/.test(script)) return { id: 'jest', by: 'script' };
  if (/\bmocha\b/.test(script)) return { id: 'mocha', by: 'script' };
  if (/\bplaywright\s+test\b/.test(script)) return { id: 'playwright', by: 'script' };
  if (/\bnode\b[^&|;]*\s--test\b/.test(script)) return { id: 'node', by: 'script' };
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  for (const id of ['vitest', 'jest', 'mocha'] as const) if (deps[id] !== undefined) return { id, by: 'dependency' };
  return undefined;
}

/** The command that starts the runner, and its version; undefined when the runner is not installed. */
export function runnerCommand(root: string, adapter: RunnerAdapter): { command: string[]; version: string } | undefined {
  if (adapter.locate) return adapter.locate(root, process.env);
  if (adapter.packageName === undefined) return { command: [process.execPath], version: process.versions.node };
  const resolved = resolveRunnerPackage(root, adapter.packageName, adapter.binName ?? adapter.packageName);
  if (!resolved) return undefined;
  return { command: [process.execPath, resolved.bin], version: resolved.version };
}
