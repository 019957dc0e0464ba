import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, SAMPLE, scratchWorkspace, type CliResult } from './cliHarness.js';

/** Each CLI run starts Node and builds a typed program; with the whole suite sharing two cores that can take a while. */
const SLOW = 180_000;

interface JsonValue {
  kind: 'known' | 'unknown' | 'default';
  value?: unknown;
  reason?: string;
  source?: { file: string; keyPath: string; start: number; end: number; range: { start: { line: number; character: number } } };
}
interface JsonExplanation {
  version: number;
  root: string;
  file: string;
  frameworks: string[];
  counts: { suites: number; tests: number; hooks: number; steps: number };
  blocks: Array<{ kind: string; title?: string; callee: string; modifiers: string[]; start: { line: number }; children: Array<{ kind: string; hook?: string; title?: string }> }>;
  runnerConfig: Record<string, JsonValue> & { runner: string; configFile?: string; project?: string; notes: string[] };
  notes: string[];
}

function parse(result: CliResult): JsonExplanation {
  expect(result.stderr).not.toContain('internal error');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as JsonExplanation;
}

beforeAll(() => assertBuilt());

describe('flakelens explain on the sample workspace', () => {
  let unit: CliResult;
  let e2e: CliResult;
  let legacy: CliResult;
  beforeAll(async () => {
    [unit, e2e, legacy] = await Promise.all([
      runCli(['explain', path.join(SAMPLE, 'tests/unit/cart.test.ts')]),
      runCli(['explain', path.join(SAMPLE, 'tests/e2e/login.spec.ts'), '--format', 'json']),
      runCli(['explain', path.join(SAMPLE, 'tests/legacy/orders.test.ts'), '--format', 'json']),
    ]);
  }, SLOW);

  it('shows the test model and the runner defaults when no runner config exists', () => {
    expect(unit.code).toBe(0);
    expect(unit.stdout).toContain('tests/unit/cart.test.ts');
    expect(unit.stdout).toMatch(/Test model \(vitest\): 1 suite\(s\), \d+ test\(s\), 1 hook\(s\)/);
    expect(unit.stdout).toContain('Runner configuration: vitest, config none found');
    expect(unit.stdout).toMatch(/restoreMocks\s+false\s+runner default/);
    expect(unit.stdout).toContain('no vitest config found');
  });

  it('json: Playwright blocks with titles and positions', () => {
    const json = parse(e2e);
    expect(json.version).toBe(1);
    expect(json.root).toBe(SAMPLE);
    expect(json.frameworks).toEqual(['playwright']);
    expect(json.blocks[0]).toMatchObject({ kind: 'suite', callee: 'test.describe', title: 'login' });
    expect(json.counts.tests).toBeGreaterThan(0);
    expect(json.runnerConfig.runner).toBe('playwright');
    // The sample's playwright.config.ts retries only in CI: not readable statically, with the key's location.
    expect(json.runnerConfig.configFile).toBe(path.join(SAMPLE, 'playwright.config.ts'));
    expect(json.runnerConfig.retry).toMatchObject({ kind: 'unknown', source: { keyPath: 'retries' } });
  });

  it('reads the mocha script of package.json as the config of the legacy suite', () => {
    const json = parse(legacy);
    expect(json.runnerConfig.runner).toBe('mocha');
    expect(json.runnerConfig.configFile).toBe(path.join(SAMPLE, 'package.json'));
    expect(json.runnerConfig.project).toBe('scripts.test:legacy');
  });
});

describe('flakelens explain with a runner config', () => {
  let workspace: { dir: string; remove: () => void };
  let json: CliResult;
  let text: CliResult;
  const config = `import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: {
    restoreMocks: true,
    retry: process.env.CI ? 2 : 0,
    setupFiles: ['./support/setup.ts'],
  },
});
`;
  beforeAll(async () => {
    workspace = scratchWorkspace('explain', {
      'vitest.config.ts': config,
      'support/setup.ts': `import { afterEach, vi } from 'vitest';\nafterEach(() => {\n  vi.unstubAllEnvs();\n});\n`,
      'src/cart.test.ts': `import { beforeEach, describe, expect, it } from 'vitest';\ndescribe('cart', () => {\n  beforeEach(() => {});\n  it.only('adds', () => {\n    expect(1).toBe(1);\n  });\n});\n`,
    });
    const file = path.join(workspace.dir, 'src/cart.test.ts');
    [json, text] = await Promise.all([runCli(['explain', file, '--format', 'json']), runCli(['explain', file])]);
  }, SLOW);
  afterAll(() => workspace?.remove());

  it('json: each field with its value and the location of the config key, or why it is unknown', () => {
    const explained = parse(json);
    const model = explained.runnerConfig;
    expect(model.configFile).toBe(path.join(workspace.dir, 'vitest.config.ts'));
    expect(model.restoreMocks).toMatchObject({ kind: 'known', value: true, source: { keyPath: 'test.restoreMocks', range: { start: { line: 3, character: 4 } } } });
    expect(config.slice(model.restoreMocks.source!.start, model.restoreMocks.source!.end)).toBe('restoreMocks');
    expect(model.retry).toMatchObject({ kind: 'unknown', source: { keyPath: 'test.retry' } });
    expect(model.retry.reason).toContain('CI');
    expect(model.mockReset).toEqual({ kind: 'default', value: false });
    const setup = model.setupFiles.value as Array<{ path: string; hooks: Array<{ hook: string; effects: string[] }> }>;
    expect(setup[0]!.path).toBe(path.join(workspace.dir, 'support/setup.ts'));
    expect(setup[0]!.hooks).toMatchObject([{ hook: 'afterEach', effects: ['unstubEnvs'] }]);
    expect(explained.blocks[0]!.children.map((c) => c.hook ?? c.title)).toEqual(['beforeEach', 'adds']);
  });

  it('text: values, sources, setup hooks and modifiers', () => {
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Runner configuration: vitest, config vitest.config.ts');
    expect(text.stdout).toMatch(/restoreMocks\s+true\s+set at vitest\.config\.ts:4:5 test\.restoreMocks/);
    expect(text.stdout).toMatch(/retry\s+unknown\s+depends on the environment variable CI \(vitest\.config\.ts:5:5 test\.retry\)/);
    expect(text.stdout).toContain('support/setup.ts (read)');
    expect(text.stdout).toMatch(/afterEach line 2: unstubEnvs/);
    expect(text.stdout).toMatch(/it\.only "adds" \[only\]/);
  });
});

describe('flakelens explain usage errors', () => {
  it('needs exactly one existing file and a known format', async () => {
    const [none, missing, directory, format] = await Promise.all([
      runCli(['explain']),
      runCli(['explain', path.join(SAMPLE, 'tests/nope.test.ts')]),
      runCli(['explain', SAMPLE]),
      runCli(['explain', path.join(SAMPLE, 'tests/unit/cart.test.ts'), '--format', 'sarif']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('explain takes exactly one file');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain('not a directory');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('unknown format "sarif" for explain');
  }, SLOW);
});
