import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt } from '../cli/cliHarness.js';
import { expandWorkspaces, pnpmWorkspaceGlobs, verifyTargets } from '../../server/src/verify/packages.js';
import { FIXTURES, readJson, scratch, verdictOf, verify } from './harness.js';

const MONOREPO = path.join(FIXTURES, 'monorepo');

beforeAll(assertBuilt);

describe('packages', () => {
  test('pnpm-workspace.yaml globs, block and flow style, comments and quotes', () => {
    expect(pnpmWorkspaceGlobs("packages:\n  - 'packages/*'\n  # tools\n  - \"apps/**\" # apps\n  - '!**/test/**'\ncatalog:\n  x: 1\n")).toEqual(['packages/*', 'apps/**', '!**/test/**']);
    expect(pnpmWorkspaceGlobs("packages: ['a/*', \"b\"]\n")).toEqual(['a/*', 'b']);
    expect(pnpmWorkspaceGlobs('catalog:\n  x: 1\n')).toEqual([]);
  });

  test('each workspace package with its own runner; negated globs and runner-less packages left out', () => {
    expect(expandWorkspaces(MONOREPO, ['packages/*', '!packages/docs'])).toEqual([path.join(MONOREPO, 'packages/a'), path.join(MONOREPO, 'packages/b')]);
    expect(verifyTargets(MONOREPO)).toEqual([
      { dir: path.join(MONOREPO, 'packages/a'), runner: 'node' },
      { dir: path.join(MONOREPO, 'packages/b'), runner: 'mocha' },
    ]);
    // Paths pick the packages that hold them; --runner forces one run at root.
    expect(verifyTargets(MONOREPO, { paths: [path.join(MONOREPO, 'packages/b/test')] })).toEqual([{ dir: path.join(MONOREPO, 'packages/b'), runner: 'mocha' }]);
    expect(verifyTargets(MONOREPO, { runner: 'node' })).toEqual([{ dir: MONOREPO, runner: 'node' }]);
  });

  test('a root that runs its own runner (config file or test script) is one project; a hoisted dependency is not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-monorepo-'));
    try {
      fs.mkdirSync(path.join(dir, 'packages/x'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'packages/x/package.json'), JSON.stringify({ scripts: { test: 'jest' } }));
      fs.writeFileSync(path.join(dir, 'pnpm-workspace.yaml'), "packages:\n  - 'packages/*'\n");
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ devDependencies: { vitest: '*' } }));
      expect(verifyTargets(dir)).toEqual([{ dir: path.join(dir, 'packages/x'), runner: 'jest' }]);
      fs.writeFileSync(path.join(dir, 'vitest.config.ts'), 'export default { test: { projects: ["packages/*"] } }');
      expect(verifyTargets(dir)).toEqual([{ dir, runner: 'vitest' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('a monorepo: each package runs its own runner in its directory; results merged under the root', async () => {
  const s = scratch('monorepo');
  try {
    const out = path.join(s.dir, 'r.json');
    const result = await verify('monorepo', ['--modes', 'serial', '--runs', '2', '--results', out, '--format', 'markdown'], s.state);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('package packages/a: node');
    expect(result.stderr).toContain('package packages/b: mocha');
    const results = readJson(out);
    expect(results.root).toBe(MONOREPO);
    expect(results.packages?.map((p) => [p.dir, p.runner.id, p.tests])).toEqual([
      ['packages/a', 'node', 2],
      ['packages/b', 'mocha', 2],
    ]);
    expect(results.files).toEqual(['packages/a/test/a.test.mjs', 'packages/b/test/b.spec.cjs']);
    expect(verdictOf(results, 'packages/a/test/a.test.mjs', ['stable in a']).verdict).toBe('stable');
    expect(verdictOf(results, 'packages/a/test/a.test.mjs', ['flaky in a'])).toMatchObject({ verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } } });
    expect(verdictOf(results, 'packages/b/test/b.spec.cjs', ['b', 'flaky in b'])).toMatchObject({ verdict: 'flaky', counts: { serial: { passed: 1, failed: 1 } } });
    expect(verdictOf(results, 'packages/b/test/b.spec.cjs', ['b', 'flaky in b']).firstFailure?.at).toMatch(/^packages\/b\/test\/b\.spec\.cjs:\d+:\d+$/);
    expect(results.runs.map((r) => r.commands[0]!.split(' ').slice(0, 4).join(' '))).toEqual(['cd packages/a && node', 'cd packages/a && node', 'cd packages/b && npx', 'cd packages/b && npx']);
    expect(results.summary).toMatchObject({ tests: 4, runs: 2, flaky: 2, stable: 2 });
    expect(result.stdout).toContain('- Packages (each run in its own directory): packages/a (node');
  } finally {
    s.remove();
  }
}, 300_000);

test('test-name filters go to each runner natively (node --test-name-pattern, mocha --grep); --runner overrides the package split', async () => {
  const s = scratch('monorepo-names');
  try {
    const out = path.join(s.dir, 'r.json');
    const result = await verify('monorepo', ['stable in', '--modes', 'serial', '--runs', '2', '--results', out], s.state);
    expect(result.code, result.stderr).toBe(0);
    const results = readJson(out);
    expect(results.options.names).toEqual(['stable in']);
    expect(results.verdicts.map((v) => `${v.id}: ${v.verdict}`)).toEqual(['packages/a/test/a.test.mjs > stable in a: stable', 'packages/b/test/b.spec.cjs > b > stable in b: stable']);
    expect(results.runs[0]!.commands[0]).toContain("'--test-name-pattern=stable in'");
    expect(results.runs[2]!.commands[0]).toContain("--grep 'stable in'");

    const forced = path.join(s.dir, 'forced.json');
    const single = await verify('monorepo', ['--runner', 'node', 'packages/a', '--modes', 'serial', '--runs', '1', '--results', forced], s.state);
    expect(single.code, single.stderr).toBe(0);
    const one = readJson(forced);
    expect(one.packages).toBeUndefined();
    expect(one.runner.id).toBe('node');
    expect(Object.keys(one.tests).sort()).toEqual(['packages/a/test/a.test.mjs > flaky in a', 'packages/a/test/a.test.mjs > stable in a']);
  } finally {
    s.remove();
  }
}, 300_000);

test("the editor's Verify on a test in a package runs that package's runner in its directory", async () => {
  const s = scratch('monorepo-editor');
  const previous = process.env.FLAKELENS_FIXTURE_STATE;
  process.env.FLAKELENS_FIXTURE_STATE = s.state;
  const resultsDir = path.join(MONOREPO, '.flakelens');
  try {
    const { verifyTests } = await import('../../server/src/verify/verifyTests.js');
    const file = path.join(MONOREPO, 'packages', 'b', 'test', 'b.spec.cjs');
    const outcome = await verifyTests({ root: MONOREPO, file, titles: ['b', 'flaky in b'], runs: 2, modes: ['serial'], seed: 1, toolVersion: '0' });
    expect(outcome.results.runner.id).toBe('mocha');
    expect(outcome.results.runs.map((r) => r.commands[0]!.split(' ').slice(0, 4).join(' '))).toEqual(['cd packages/b && npx', 'cd packages/b && npx']);
    expect(verdictOf(outcome.results, 'packages/b/test/b.spec.cjs', ['b', 'flaky in b']).verdict).toBe('flaky');
    expect(outcome.resultsFile).toBe(path.join(resultsDir, 'verify.json'));
  } finally {
    if (previous === undefined) delete process.env.FLAKELENS_FIXTURE_STATE;
    else process.env.FLAKELENS_FIXTURE_STATE = previous;
    fs.rmSync(resultsDir, { recursive: true, force: true });
    s.remove();
  }
}, 300_000);
