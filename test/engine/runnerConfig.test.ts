import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Rule, RuleContext } from '../../server/src/engine/types.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import {
  globalFakeTimers,
  RunnerConfigResolver,
  setupHooksDo,
  setupInterception,
  valueOf,
  type ConfigHost,
  type ConfigValue,
  type RunnerConfigModel,
} from '../../server/src/engine/runnerConfig.js';
import type { Framework } from '../../server/src/engine/testModel.js';

const ROOT = path.resolve('/virtual/ws');

/** An in-memory workspace: configs are read through the host only, so nothing touches the disk. */
class MemoryHost implements ConfigHost {
  readonly files = new Map<string, string>();
  constructor(files: Record<string, string>) {
    for (const [name, text] of Object.entries(files)) this.files.set(path.join(ROOT, name), text);
  }
  readFile(file: string): string | undefined {
    return this.files.get(file);
  }
  fileExists(file: string): boolean {
    return this.files.has(file);
  }
  readDirectory(dir: string): Array<{ name: string; isDirectory: boolean }> | undefined {
    const names = new Map<string, boolean>();
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const file of this.files.keys()) {
      if (!file.startsWith(prefix)) continue;
      const [first, ...rest] = file.slice(prefix.length).split(path.sep);
      names.set(first!, rest.length > 0);
    }
    return names.size ? [...names].map(([name, isDirectory]) => ({ name, isDirectory })) : undefined;
  }
  set(name: string, text: string): string {
    const file = path.join(ROOT, name);
    this.files.set(file, text);
    return file;
  }
}

function modelOf(files: Record<string, string>, testFile: string, frameworks: Framework[] = ['vitest']): { model: RunnerConfigModel; host: MemoryHost; resolver: RunnerConfigResolver } {
  const host = new MemoryHost(files);
  const resolver = new RunnerConfigResolver(ROOT, host);
  return { model: resolver.forFile(path.join(ROOT, testFile), frameworks), host, resolver };
}

/** The config text under a value's key location, to prove diagnostics would sit on the key. */
function keyText(host: MemoryHost, value: ConfigValue<unknown>): string {
  if (value.kind === 'default') throw new Error('no source for a default');
  const source = value.source!;
  return host.files.get(source.file)!.slice(source.start, source.end);
}

function known(value: ConfigValue<unknown>): unknown {
  expect(value.kind, JSON.stringify(value)).toBe('known');
  return valueOf(value);
}

describe('vitest', () => {
  const config = `import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: {
    restoreMocks: true,
    unstubEnvs: true,
    setupFiles: ['./test/setup.ts'],
    retry: 2,
    sequence: { shuffle: true, concurrent: true },
    pool: 'threads',
    isolate: false,
    fileParallelism: false,
    maxWorkers: 2,
  },
});
`;
  const setup = `import { afterEach, beforeEach, vi } from 'vitest';
import './more-setup';
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});
`;
  const moreSetup = `import { afterEach } from 'vitest';\nimport { cleanup } from '@testing-library/react';\nafterEach(cleanup);\n`;

  it('reads every field from defineConfig({ test }) with the location of its key', () => {
    const { model, host } = modelOf({ 'vitest.config.ts': config, 'test/setup.ts': setup, 'test/more-setup.ts': moreSetup }, 'src/a.test.ts');
    expect(model.runner).toBe('vitest');
    expect(model.configFile).toBe(path.join(ROOT, 'vitest.config.ts'));
    expect(known(model.restoreMocks)).toBe(true);
    expect(keyText(host, model.restoreMocks)).toBe('restoreMocks');
    expect(model.restoreMocks.kind === 'known' && model.restoreMocks.source.keyPath).toBe('test.restoreMocks');
    expect(model.restoreMocks.kind === 'known' && model.restoreMocks.source.range.start).toEqual({ line: 3, character: 4 });
    expect(known(model.unstubEnvs)).toBe(true);
    expect(known(model.retry)).toBe(2);
    expect(keyText(host, model.retry)).toBe('retry');
    expect(known(model.shuffle)).toBe(true);
    expect(known(model.fullyParallel)).toBe(true);
    expect(known(model.pool)).toBe('threads');
    expect(known(model.isolate)).toBe(false);
    expect(known(model.fileParallelism)).toBe(false);
    expect(known(model.maxWorkers)).toBe(2);
    // Not set anywhere: the runner's defaults.
    expect(model.mockReset).toEqual({ kind: 'default', value: false });
    expect(model.clearMocks).toEqual({ kind: 'default', value: false });
    expect(model.forceExit).toEqual({ kind: 'default', value: false });
  });

  it('reads setup files: top-level hooks, what they reset, side-effect imports followed', () => {
    const { model } = modelOf({ 'vitest.config.ts': config, 'test/setup.ts': setup, 'test/more-setup.ts': moreSetup }, 'src/a.test.ts');
    const files = known(model.setupFiles) as Array<{ path: string; status: string; hooks: Array<{ hook: string; effects: string[]; file: string }> }>;
    expect(files).toHaveLength(1);
    expect(files[0]!.path).toBe(path.join(ROOT, 'test/setup.ts'));
    expect(files[0]!.status).toBe('read');
    expect(files[0]!.hooks.map((h) => [h.hook, h.effects, path.basename(h.file)])).toEqual([
      ['afterEach', ['cleanupDom'], 'more-setup.ts'],
      ['beforeEach', ['fakeTimers'], 'setup.ts'],
      ['afterEach', ['restoreMocks', 'unstubEnvs'], 'setup.ts'],
    ]);
    expect(setupHooksDo(model, 'restoreMocks')).toBe('yes');
    expect(setupHooksDo(model, 'unstubGlobals')).toBe('no');
    expect(globalFakeTimers(model)).toBe('yes');
  });

  it('a setup file that cannot be found makes setup-hook questions unknown, never no', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default { test: { setupFiles: './missing.ts' } };` }, 'a.test.ts');
    const files = known(model.setupFiles) as Array<{ status: string }>;
    expect(files[0]!.status).toBe('unresolved');
    expect(setupHooksDo(model, 'restoreMocks')).toBe('unknown');
  });

  it('hooks registered conditionally or by a local helper make setup-hook questions unknown', () => {
    const conditional = modelOf({ 'vitest.config.ts': `export default { test: { setupFiles: ['./setup.ts'] } };`, 'setup.ts': `if (process.env.RESET) {\n  afterEach(() => vi.restoreAllMocks());\n}\n` }, 'a.test.ts').model;
    expect(setupHooksDo(conditional, 'restoreMocks')).toBe('unknown');
    const helper = modelOf({ 'vitest.config.ts': `export default { test: { setupFiles: ['./setup.ts'] } };`, 'setup.ts': `import { installMocks } from './helpers';\ninstallMocks();\n`, 'helpers.ts': `export function installMocks() {}\n` }, 'a.test.ts').model;
    expect(setupHooksDo(helper, 'restoreMocks')).toBe('unknown');
    // A hook's own callback calling helpers is read as it is: nothing registered conditionally.
    const plainHooks = modelOf({ 'vitest.config.ts': `export default { test: { setupFiles: ['./setup.ts'] } };`, 'setup.ts': `import { server } from './server';\nbeforeAll(() => server.listen());\nafterEach(() => server.resetHandlers());\n`, 'server.ts': '' }, 'a.test.ts').model;
    expect(setupHooksDo(plainHooks, 'restoreMocks')).toBe('no');
    expect(setupHooksDo(plainHooks, 'resetHandlers')).toBe('yes');
  });

  it('records request interception a setup file installs, following local imports; unknown when one cannot be followed', () => {
    const config = { 'vitest.config.ts': `export default { test: { setupFiles: ['./setup.ts'] } };` };
    // msw started in a setup file's beforeAll, the server built in a local module.
    const msw = modelOf({ ...config, 'setup.ts': `import { server } from './mocks/server';\nbeforeAll(() => server.listen());\nafterAll(() => server.close());\n`, 'mocks/server.ts': `import { setupServer } from 'msw/node';\nexport const server = setupServer();\n` }, 'a.test.ts').model;
    expect(setupInterception(msw)).toEqual({ state: 'yes', reason: './setup.ts imports msw/node (through ./mocks/server)' });
    const nock = modelOf({ ...config, 'setup.ts': `const nock = require('nock');\nnock.disableNetConnect();\n` }, 'a.test.ts').model;
    expect(setupInterception(nock).state).toBe('yes');
    const undici = modelOf({ ...config, 'setup.ts': `import { MockAgent, setGlobalDispatcher } from 'undici';\nconst agent = new MockAgent();\nsetGlobalDispatcher(agent);\n` }, 'a.test.ts').model;
    expect(setupInterception(undici)).toEqual({ state: 'yes', reason: './setup.ts calls setGlobalDispatcher' });
    // Read in full, nothing intercepts: real requests go out.
    const none = modelOf({ ...config, 'setup.ts': `import { helper } from './helper';\nimport type { Handler } from 'msw';\nafterEach(() => helper());\n`, 'helper.ts': `export function helper() {}\n` }, 'a.test.ts').model;
    expect(setupInterception(none)).toEqual({ state: 'no' });
    const unresolved = modelOf({ ...config, 'setup.ts': `import { server } from './mocks/missing';\nbeforeAll(() => server.listen());\n` }, 'a.test.ts').model;
    expect(setupInterception(unresolved).state).toBe('unknown');
    const missingFile = modelOf({ 'vitest.config.ts': `export default { test: { setupFiles: ['./gone.ts'] } };` }, 'a.test.ts').model;
    expect(setupInterception(missingFile).state).toBe('unknown');
    expect(setupInterception(modelOf({ 'vitest.config.ts': `export default { test: {} };` }, 'a.test.ts').model)).toEqual({ state: 'no' });
  });

  it('reads a package setup file from node_modules statically', () => {
    const { model } = modelOf({
      'vitest.config.ts': `export default { test: { setupFiles: ['@acme/test-setup/vitest'] } };`,
      'node_modules/@acme/test-setup/package.json': JSON.stringify({ exports: { './vitest': { import: './dist/vitest.js' } } }),
      'node_modules/@acme/test-setup/dist/vitest.js': `afterEach(() => { vi.clearAllMocks(); });\n`,
    }, 'a.test.ts');
    expect(setupHooksDo(model, 'clearMocks')).toBe('yes');
  });

  it('uses runner defaults (with the config named) when the config sets nothing', () => {
    const { model } = modelOf({ 'vite.config.ts': `import { defineConfig } from 'vite';\nexport default defineConfig({ plugins: [] });\n` }, 'src/a.test.ts');
    expect(model.configFile).toBe(path.join(ROOT, 'vite.config.ts'));
    expect(model.restoreMocks).toEqual({ kind: 'default', value: false });
    expect(model.isolate).toEqual({ kind: 'default', value: true });
    expect(model.retry).toEqual({ kind: 'default', value: 0 });
    expect(model.maxWorkers).toEqual({ kind: 'default', value: undefined });
    expect(model.setupFiles).toEqual({ kind: 'default', value: [] });
  });

  it('an env-dependent ternary is unknown unless both branches agree', () => {
    const { model } = modelOf({
      'vitest.config.ts': `export default defineConfig({ test: {
  retry: process.env.CI ? 2 : 0,
  restoreMocks: process.env.CI ? true : true,
  clearMocks: !!process.env.CLEAR,
} });`,
    }, 'a.test.ts');
    expect(model.retry.kind).toBe('unknown');
    expect(model.retry.kind === 'unknown' && model.retry.reason).toContain('CI');
    expect(model.retry.kind === 'unknown' && model.retry.source?.keyPath).toBe('test.retry');
    expect(known(model.restoreMocks)).toBe(true);
    expect(model.clearMocks.kind).toBe('unknown');
  });

  it('a value computed by a function call is unknown', () => {
    const { model } = modelOf({ 'vitest.config.ts': `import os from 'node:os';\nexport default defineConfig({ test: { maxWorkers: Math.max(1, os.cpus().length - 1), mockReset: shouldReset() } });` }, 'a.test.ts');
    expect(model.maxWorkers.kind).toBe('unknown');
    expect(model.maxWorkers.kind === 'unknown' && model.maxWorkers.reason).toContain('Math.max');
    expect(model.mockReset.kind).toBe('unknown');
  });

  it('follows identifiers bound to literals and spreads of known objects; a let reassigned is unknown', () => {
    const { model, host } = modelOf({
      'vitest.config.ts': `const RETRIES = 3;
const shared = { restoreMocks: true, clearMocks: false };
let workers = 2;
if (process.env.CI) workers = 1;
export default defineConfig({ test: { ...shared, clearMocks: true, retry: RETRIES, maxWorkers: workers } });`,
    }, 'a.test.ts');
    expect(known(model.retry)).toBe(3);
    expect(known(model.restoreMocks)).toBe(true);
    // The key inside `shared` is where the value is set.
    expect(keyText(host, model.restoreMocks)).toBe('restoreMocks');
    expect(known(model.clearMocks)).toBe(true);
    expect(model.maxWorkers.kind).toBe('unknown');
  });

  it('an unknown spread makes earlier keys and unset keys unknown, not default', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default defineConfig({ test: { restoreMocks: true, ...sharedTestOptions(), retry: 1 } });` }, 'a.test.ts');
    expect(model.restoreMocks.kind).toBe('unknown');
    expect(known(model.retry)).toBe(1);
    expect(model.mockReset.kind).toBe('unknown');
    expect(model.setupFiles.kind).toBe('unknown');
  });

  it('mergeConfig with an imported local base config: objects merged, setup arrays concatenated', () => {
    const { model, host } = modelOf({
      'vitest.base.ts': `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { restoreMocks: true, setupFiles: ['./setup-a.ts'] } });\n`,
      'vitest.config.mts': `import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.base';
export default mergeConfig(base, defineConfig({ test: { mockReset: true, setupFiles: ['./setup-b.ts'] } }));
`,
      'setup-a.ts': `afterEach(() => vi.unstubAllGlobals());\n`,
      'setup-b.ts': `beforeAll(() => {});\n`,
    }, 'a.test.ts');
    expect(known(model.restoreMocks)).toBe(true);
    expect(model.restoreMocks.kind === 'known' && model.restoreMocks.source.file).toBe(path.join(ROOT, 'vitest.base.ts'));
    expect(known(model.mockReset)).toBe(true);
    expect(keyText(host, model.mockReset)).toBe('mockReset');
    const files = known(model.setupFiles) as Array<{ specifier: string }>;
    expect(files.map((f) => f.specifier)).toEqual(['./setup-a.ts', './setup-b.ts']);
    expect(setupHooksDo(model, 'unstubGlobals')).toBe('yes');
  });

  it('a config function: its result is read, values that depend on its arguments are unknown', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default defineConfig(({ mode }) => ({ test: { clearMocks: true, retry: mode === 'ci' ? 1 : 0 } }));` }, 'a.test.ts');
    expect(known(model.clearMocks)).toBe(true);
    expect(model.retry.kind).toBe('unknown');
    expect(model.retry.kind === 'unknown' && model.retry.reason).toContain('mode');
  });

  it('a config function with a block body and local constants', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default defineConfig(() => {\n  const retries = 4;\n  return { test: { retry: retries } };\n});` }, 'a.test.ts');
    expect(known(model.retry)).toBe(4);
  });

  it('vitest 3 poolOptions: isolate and singleFork of the active pool', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default { test: { poolOptions: { forks: { isolate: false, singleFork: true } } } };` }, 'a.test.ts');
    expect(known(model.isolate)).toBe(false);
    expect(known(model.fileParallelism)).toBe(false);
  });

  it('retry as an object (vitest 4) and shuffle as { tests }', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default { test: { retry: { count: 2, delay: 100 }, sequence: { shuffle: { files: true, tests: false } } } };` }, 'a.test.ts');
    expect(known(model.retry)).toBe(2);
    expect(known(model.shuffle)).toBe(false);
  });

  describe('projects', () => {
    const files = {
      'vitest.config.ts': `import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: {
    clearMocks: true,
    maxWorkers: 4,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], restoreMocks: true } },
      { test: { name: 'integration', include: ['integration/**/*.test.ts'], retry: 3, setupFiles: ['./integration/setup.ts'] } },
      'packages/*',
    ],
  },
});
`,
      'integration/setup.ts': `afterAll(() => {});\n`,
      'packages/api/vitest.config.ts': `export default defineProject({ test: { name: 'api', mockReset: true } });\n`,
      'packages/web/src/.keep': '',
    };

    it('picks the inline project whose include selects the file; extends: true inherits the root options', () => {
      const { model } = modelOf(files, 'src/a.test.ts');
      expect(model.project).toBe('unit');
      expect(known(model.restoreMocks)).toBe(true);
      expect(known(model.clearMocks)).toBe(true);
      expect(known(model.maxWorkers)).toBe(4);
    });

    it('a project without extends does not inherit project options, but run-wide ones apply', () => {
      const { model } = modelOf(files, 'integration/db.test.ts');
      expect(model.project).toBe('integration');
      expect(known(model.retry)).toBe(3);
      expect(model.clearMocks).toEqual({ kind: 'default', value: false });
      expect(known(model.maxWorkers)).toBe(4);
      expect((known(model.setupFiles) as unknown[]).length).toBe(1);
    });

    it('the nearest config governs a package file; a package directory without a config is a default project', () => {
      expect(known(modelOf(files, 'packages/api/src/x.test.ts').model.mockReset)).toBe(true);
      const web = modelOf(files, 'packages/web/src/y.test.ts').model;
      expect(web.configFile).toBe(path.join(ROOT, 'vitest.config.ts'));
      expect(web.project).toBe('web');
      expect(web.clearMocks).toEqual({ kind: 'default', value: false });
    });

    it('a file no project includes is not governed by the config', () => {
      const { model } = modelOf(files, 'scripts/tool.test.ts');
      expect(model.configFile).toBeUndefined();
      expect(model.notes.join(' ')).toContain('no vitest config found');
    });

    it('reads a vitest.workspace file', () => {
      const { model } = modelOf({
        'vitest.workspace.ts': `import { defineWorkspace } from 'vitest/config';\nexport default defineWorkspace([{ test: { name: 'node', include: ['tests/**/*.test.ts'], unstubGlobals: true } }]);\n`,
      }, 'tests/a.test.ts');
      expect(model.project).toBe('node');
      expect(known(model.unstubGlobals)).toBe(true);
    });

    it('a projects list that cannot be read makes the fields unknown', () => {
      const { model } = modelOf({ 'vitest.config.ts': `export default { test: { projects: await discoverProjects() } };` }, 'a.test.ts');
      expect(model.configFile).toBe(path.join(ROOT, 'vitest.config.ts'));
      expect(model.restoreMocks.kind).toBe('unknown');
      expect(model.notes.join(' ')).toContain('projects list cannot be read');
    });
  });

  it('vitest configDefaults in exclude: a file none of its versions exclude is selected; one they may exclude is uncertain', () => {
    const config = `import { configDefaults, defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { clearMocks: true, exclude: [...configDefaults.exclude, '**/sandbox/**'] } });\n`;
    const plainFile = modelOf({ 'vitest.config.ts': config }, 'src/a.test.ts').model;
    expect(known(plainFile.clearMocks)).toBe(true);
    expect(plainFile.notes).toEqual([]);
    expect(modelOf({ 'vitest.config.ts': config }, 'sandbox/a.test.ts').model.configFile).toBeUndefined();
    const dist = modelOf({ 'vitest.config.ts': config }, 'dist/a.test.ts').model;
    expect(dist.configFile).toBe(path.join(ROOT, 'vitest.config.ts'));
    expect(dist.notes.join(' ')).toContain('cannot be read statically');
  });

  it('a config passed with --config from a package script resolves root, include and setupFiles against the package directory', () => {
    const files = {
      'package.json': JSON.stringify({ scripts: { 'test:native': 'vitest --config=./test/native/vitest.config.ts' } }),
      'test/native/vitest.config.ts': `export default defineConfig({ test: { root: './test/native', include: ['**/*.native.test.ts'], setupFiles: ['./vitest.setup.ts'] } });`,
      'test/native/vitest.setup.ts': `afterEach(() => { vi.restoreAllMocks(); });\n`,
    };
    const { model } = modelOf(files, 'test/native/a.native.test.ts');
    expect(model.configFile).toBe(path.join(ROOT, 'test/native/vitest.config.ts'));
    expect(setupHooksDo(model, 'restoreMocks')).toBe('yes');
    // Without the script, vitest would run in the config's directory: root test/native/test/native selects nothing here.
    const alone = modelOf({ 'package.json': '{}', 'test/native/vitest.config.ts': files['test/native/vitest.config.ts'] }, 'test/native/a.native.test.ts').model;
    expect(alone.configFile).toBeUndefined();
  });

  it('exclude removes a file from the config', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default { test: { restoreMocks: true, exclude: ['legacy/**'] } };` }, 'legacy/a.test.ts');
    expect(model.configFile).toBeUndefined();
  });
});

describe('jest', () => {
  it('reads jest.config.js (CommonJS) with <rootDir> setup files, fake timers, randomize and maxWorkers', () => {
    const { model, host } = modelOf({
      'jest.config.js': `/** @type {import('jest').Config} */
const config = {
  resetMocks: true,
  restoreMocks: true,
  setupFilesAfterEnv: ['<rootDir>/jest.setup.js'],
  fakeTimers: { enableGlobally: true },
  randomize: true,
  maxWorkers: 1,
  testMatch: ['**/?(*.)+(spec|test).[jt]s'],
};
module.exports = config;
`,
      'jest.setup.js': `afterEach(() => {\n  jest.clearAllMocks();\n});\n`,
    }, 'src/a.test.js', ['jest']);
    expect(model.runner).toBe('jest');
    expect(known(model.mockReset)).toBe(true);
    expect(keyText(host, model.mockReset)).toBe('resetMocks');
    expect(known(model.restoreMocks)).toBe(true);
    expect(known(model.fakeTimers)).toBe(true);
    expect(model.fakeTimers.kind === 'known' && model.fakeTimers.source.keyPath).toBe('fakeTimers.enableGlobally');
    expect(known(model.shuffle)).toBe(true);
    expect(known(model.maxWorkers)).toBe(1);
    expect(known(model.fileParallelism)).toBe(false);
    expect(setupHooksDo(model, 'clearMocks')).toBe('yes');
    expect(globalFakeTimers(model)).toBe('yes');
    expect(model.unstubEnvs).toEqual({ kind: 'default', value: false });
  });

  it('testMatch decides: a file it does not select is not governed', () => {
    const { model } = modelOf({ 'jest.config.js': `module.exports = { testMatch: ['<rootDir>/src/**/*.test.js'], clearMocks: true };` }, 'other/a.test.js', ['jest']);
    expect(model.configFile).toBeUndefined();
  });

  it('package.json "jest" with projects: displayName, testMatch and run-wide options', () => {
    const pkg = {
      name: 'app',
      jest: {
        maxWorkers: '50%',
        projects: [
          { displayName: 'unit', testMatch: ['<rootDir>/unit/**/*.test.js'], clearMocks: true },
          { displayName: { name: 'e2e', color: 'blue' }, testMatch: ['<rootDir>/e2e/**/*.test.js'], setupFiles: ['<rootDir>/e2e/env.js'] },
        ],
      },
    };
    const files = { 'package.json': JSON.stringify(pkg, null, 2), 'e2e/env.js': `process.env.TZ = 'UTC';\n` };
    const unit = modelOf(files, 'unit/a.test.js', ['jest']);
    expect(unit.model.configFile).toBe(path.join(ROOT, 'package.json'));
    expect(unit.model.project).toBe('unit');
    expect(known(unit.model.clearMocks)).toBe(true);
    expect(keyText(unit.host, unit.model.clearMocks)).toBe('"clearMocks"');
    expect(known(unit.model.maxWorkers)).toBe('50%');
    const e2e = modelOf(files, 'e2e/b.test.js', ['jest']).model;
    expect(e2e.project).toBe('e2e');
    expect(e2e.clearMocks).toEqual({ kind: 'default', value: false });
    expect((known(e2e.setupFiles) as Array<{ status: string }>)[0]!.status).toBe('read');
  });

  it('a preset that cannot be read makes unset options unknown; ts-jest is known to set none of them', () => {
    const unreadable = modelOf({ 'jest.config.js': `module.exports = { preset: 'some-preset', clearMocks: true };` }, 'a.test.js', ['jest']).model;
    expect(known(unreadable.clearMocks)).toBe(true);
    expect(unreadable.restoreMocks.kind).toBe('unknown');
    const tsJest = modelOf({ 'jest.config.ts': `export default { preset: 'ts-jest', testEnvironment: 'node' };` }, 'a.test.ts', ['jest']).model;
    expect(tsJest.restoreMocks).toEqual({ kind: 'default', value: false });
  });

  it('a preset in node_modules is read statically and the config overrides it', () => {
    const { model } = modelOf({
      'jest.config.js': `module.exports = { preset: 'my-preset', restoreMocks: false };`,
      'node_modules/my-preset/jest-preset.json': JSON.stringify({ restoreMocks: true, clearMocks: true }),
    }, 'a.test.js', ['jest']);
    expect(known(model.restoreMocks)).toBe(false);
    expect(known(model.clearMocks)).toBe(true);
  });

  it('testMatch: null with testRegex, in a package config spreading an imported base config', () => {
    const files = {
      'jest.config.base.js': `import { defaults } from 'jest-config';\nexport default {\n  setupFilesAfterEnv: ['<rootDir>/../../jest.setup.js'],\n  preset: 'ts-jest',\n  testMatch: null,\n  testRegex: '/__tests__/.*\\\\.test\\\\.(js|ts)$',\n  moduleFileExtensions: [...defaults.moduleFileExtensions, 'ts'],\n  clearMocks: true,\n};\n`,
      'jest.setup.js': `afterEach(() => {});\n`,
      'packages/server/jest.config.js': `import baseConfig from '../../jest.config.base.js';\nexport default { ...baseConfig };\n`,
    };
    const { model, host } = modelOf(files, 'packages/server/src/__tests__/a.test.ts', ['jest']);
    expect(model.configFile).toBe(path.join(ROOT, 'packages/server/jest.config.js'));
    expect(known(model.clearMocks)).toBe(true);
    expect(keyText(host, model.clearMocks)).toBe('clearMocks');
    expect((known(model.setupFiles) as Array<{ path: string }>)[0]!.path).toBe(path.join(ROOT, 'jest.setup.js'));
    expect(modelOf(files, 'packages/server/src/helper.test.ts', ['jest']).model.configFile).toBeUndefined();
  });

  it('legacy timers: "fake"', () => {
    expect(known(modelOf({ 'jest.config.json': `{ "timers": "fake" }` }, 'a.test.js', ['jest']).model.fakeTimers)).toBe(true);
  });

  it('an async config function with a block body', () => {
    const { model } = modelOf({ 'jest.config.mjs': `export default async () => {\n  return { restoreMocks: true };\n};\n` }, 'a.test.js', ['jest']);
    expect(known(model.restoreMocks)).toBe(true);
  });
});

describe('Playwright', () => {
  it('reads retries, workers and fullyParallel; projects that differ make a field unknown', () => {
    const { model } = modelOf({
      'playwright.config.ts': `import { defineConfig, devices } from '@playwright/test';
export default defineConfig({
  testDir: './e2e',
  retries: process.env.CI ? 2 : 0,
  workers: 4,
  fullyParallel: true,
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'] } },
    { name: 'firefox', retries: 1 },
  ],
});
`,
    }, 'e2e/login.spec.ts', ['playwright']);
    expect(model.runner).toBe('playwright');
    expect(model.project).toBe('chromium, firefox');
    expect(model.retry.kind).toBe('unknown');
    expect(known(model.maxWorkers)).toBe(4);
    expect(known(model.fullyParallel)).toBe(true);
  });

  it('projects that agree give the top-level value with its location', () => {
    const { model, host } = modelOf({
      'playwright.config.ts': `export default defineConfig({ retries: 2, projects: [{ name: 'chromium' }, { name: 'webkit' }] });`,
    }, 'tests/a.spec.ts', ['playwright']);
    expect(known(model.retry)).toBe(2);
    expect(keyText(host, model.retry)).toBe('retries');
  });

  it('a file outside testDir is not governed', () => {
    const { model } = modelOf({ 'playwright.config.ts': `export default { testDir: 'e2e', retries: 1 };` }, 'src/a.spec.ts', ['playwright']);
    expect(model.configFile).toBeUndefined();
    expect(model.retry).toEqual({ kind: 'default', value: 0 });
  });

  it('lists every retries key of the config file, per project (for diagnostics on config keys)', () => {
    const { resolver } = modelOf({
      'playwright.config.ts': `export default defineConfig({ retries: 2, projects: [{ name: 'chromium' }, { name: 'flaky', retries: 5 }] });`,
    }, 'a.spec.ts', ['playwright']);
    const file = resolver.configFile(path.join(ROOT, 'playwright.config.ts'))!;
    const retries = file.settings.filter((s) => s.field === 'retry').map((s) => [s.project, valueOf(s.value)]);
    expect(retries).toEqual([[undefined, 2], ['flaky', 5]]);
  });
});

describe('mocha', () => {
  it('reads .mocharc.yml: require (root hook plugin), retries, parallel, jobs, spec, with key locations', () => {
    const { model, host } = modelOf({
      '.mocharc.yml': `# mocha options
require:
  - ts-node/register
  - ./test/hooks.ts
retries: 2
parallel: true
jobs: 4
spec: 'test/**/*.spec.ts'
`,
      'test/hooks.ts': `import sinon from 'sinon';\nexport const mochaHooks = {\n  afterEach() {\n    sinon.restore();\n  },\n};\n`,
    }, 'test/a.spec.ts', ['mocha']);
    expect(model.runner).toBe('mocha');
    expect(known(model.retry)).toBe(2);
    expect(keyText(host, model.retry)).toBe('retries');
    expect(known(model.fileParallelism)).toBe(true);
    expect(known(model.maxWorkers)).toBe(4);
    expect(setupHooksDo(model, 'restoreMocks')).toBe('yes');
    const setup = known(model.setupFiles) as Array<{ specifier: string; status: string }>;
    expect(setup.map((s) => [s.specifier, s.status])).toEqual([['ts-node/register', 'unresolved'], ['./test/hooks.ts', 'read']]);
  });

  it('reads .mocharc.json with comments and exit', () => {
    const { model } = modelOf({ '.mocharc.json': `{\n  // CI retries\n  "retries": 1,\n  "exit": true\n}\n` }, 'test/a.js', ['mocha']);
    expect(known(model.retry)).toBe(1);
    expect(known(model.forceExit)).toBe(true);
    expect(model.isolate).toEqual({ kind: 'default', value: false });
  });

  it('a .mocharc.js value read from the environment is unknown', () => {
    const { model } = modelOf({ '.mocharc.cjs': `module.exports = { retries: Number(process.env.RETRIES), file: ['./test/setup.js'] };\n`, 'test/setup.js': `beforeEach(function () {});\n` }, 'test/a.js', ['mocha']);
    expect(model.retry.kind).toBe('unknown');
    expect((known(model.setupFiles) as unknown[]).length).toBe(1);
  });

  it('a file outside spec is not governed by that config, and its settings are unknown', () => {
    const { model } = modelOf({ '.mocharc.yml': `spec: test/**/*.spec.js\nretries: 3\n` }, 'src/a.spec.js', ['mocha']);
    expect(model.configFile).toBeUndefined();
    // A configured mocha run may still load it from another test file: unknown, not the defaults.
    expect(model.retry.kind).toBe('unknown');
  });
});

describe('node:test', () => {
  const pkg = (scripts: Record<string, string>): string => JSON.stringify({ name: 'x', type: 'module', scripts }, null, 2);

  it('reads flags of a node --test script, located inside the script', () => {
    const { model, host } = modelOf({
      'package.json': pkg({ test: "node --test --test-concurrency=1 --test-force-exit --import ./test/setup.mjs 'test/**/*.test.mjs'" }),
      'test/setup.mjs': `import { afterEach, mock } from 'node:test';\nafterEach(() => mock.restoreAll());\n`,
    }, 'test/a.test.mjs', ['node-test']);
    expect(model.runner).toBe('node-test');
    expect(model.project).toBe('scripts.test');
    expect(known(model.maxWorkers)).toBe(1);
    expect(known(model.fileParallelism)).toBe(false);
    expect(known(model.forceExit)).toBe(true);
    expect(model.forceExit.kind === 'known' && host.files.get(model.forceExit.source.file)!.slice(model.forceExit.source.valueStart, model.forceExit.source.valueEnd)).toBe('--test-force-exit');
    expect(keyText(host, model.forceExit)).toBe('"test"');
    expect(setupHooksDo(model, 'restoreMocks')).toBe('yes');
  });

  it('the script whose patterns select the file governs it; others do not', () => {
    const files = { 'package.json': pkg({ 'test:unit': 'node --test --test-concurrency=1 test/unit/', 'test:int': 'node --test --test-isolation=none test/int/' }) };
    const unit = modelOf(files, 'test/unit/a.test.js', ['node-test']).model;
    expect(known(unit.maxWorkers)).toBe(1);
    expect(unit.isolate).toEqual({ kind: 'default', value: true });
    const int = modelOf(files, 'test/int/b.test.js', ['node-test']).model;
    expect(known(int.isolate)).toBe(false);
    expect(int.maxWorkers).toEqual({ kind: 'default', value: undefined });
  });

  it('scripts that both run a file and disagree make the field unknown', () => {
    const { model } = modelOf({ 'package.json': pkg({ test: 'node --test', 'test:ci': 'node --test --test-concurrency=1' }) }, 'a.test.js', ['node-test']);
    expect(model.maxWorkers.kind).toBe('unknown');
    expect(model.forceExit).toEqual({ kind: 'default', value: false });
  });

  it('borp scripts: --concurrency and -p patterns', () => {
    const files = { 'package.json': pkg({ 'test:fetch': 'npm run build && borp -p "test/fetch/*.js" --timeout 180000 --concurrency 1 && npm run x', 'test:unit': 'borp -p "test/*.js"' }) };
    const { model, host } = modelOf(files, 'test/fetch/a.js', ['node-test']);
    expect(known(model.fileParallelism)).toBe(false);
    // After the escaped quotes in the JSON text, the location still sits on the flag.
    const source = model.maxWorkers.kind === 'known' ? model.maxWorkers.source : undefined;
    expect(host.files.get(source!.file)!.slice(source!.valueStart, source!.valueEnd)).toBe('--concurrency');
    expect(modelOf(files, 'test/b.js', ['node-test']).model.fileParallelism).toEqual({ kind: 'default', value: undefined });
  });

  it('mocha --config in a script: the rc file read, the script flags on top; a file no run selects is unknown', () => {
    const files = {
      'package.json': pkg({ test: 'mocha --exit -t 10000 --config test/mocha-all.js', 'test:unit': 'mocha --config test/mocha-unit.js', 'test:cov': 'nyc mocha --exit --config test/mocha-all.js' }),
      'test/mocha-all.js': `module.exports = { spec: ['test/all-tests-suite.js', 'test/integration2/**/*.spec.js'], retries: 1 };\n`,
      'test/mocha-unit.js': `module.exports = { spec: ['test/db-less-suite.js'] };\n`,
    };
    const { model } = modelOf(files, 'test/integration2/a.spec.js', ['mocha']);
    expect(model.project).toBe('scripts.test, scripts.test:cov');
    expect(known(model.forceExit)).toBe(true);
    expect(known(model.retry)).toBe(1);
    // Loaded by all-tests-suite.js at run time, which a static read cannot follow.
    const required = modelOf(files, 'test/unit/b.js', ['mocha']).model;
    expect(required.runner).toBe('mocha');
    expect(required.forceExit.kind).toBe('unknown');
  });

  it('mocha flags in a script: --retries and --require', () => {
    const { model } = modelOf({ 'package.json': pkg({ test: 'NODE_ENV=test mocha --retries 2 --require ./hooks.js "test/**/*.js"' }), 'hooks.js': `exports.mochaHooks = { afterEach() { sinon.restore(); } };\n` }, 'test/a.js', ['mocha']);
    expect(known(model.retry)).toBe(2);
    expect(setupHooksDo(model, 'restoreMocks')).toBe('yes');
  });
});

describe('which runner governs a file', () => {
  it('a file using untyped globals picks the config that runs globals; a plain vite.config does not claim it', () => {
    const { model } = modelOf({ 'vite.config.ts': `export default { plugins: [] };`, 'jest.config.js': `module.exports = { clearMocks: true };` }, 'src/a.test.js', []);
    expect(model.runner).toBe('jest');
    expect(known(model.clearMocks)).toBe(true);
  });

  it('the runner the file imports decides between configs in one directory', () => {
    const files = { 'vitest.config.ts': `export default { test: { include: ['**/*.test.ts'], retry: 1 } };`, 'playwright.config.ts': `export default { testDir: '.', retries: 2 };` };
    expect(known(modelOf(files, 'e2e/a.spec.ts', ['playwright']).model.retry)).toBe(2);
    expect(known(modelOf(files, 'unit/a.test.ts', ['vitest']).model.retry)).toBe(1);
  });

  it('several configs that may run an untyped file: unknown, with a note', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default { test: { globals: true } };`, 'jest.config.js': `module.exports = {};` }, 'a.test.js', ['unknown']);
    expect(model.runner).toBe('unknown');
    expect(model.restoreMocks.kind).toBe('unknown');
    expect(model.notes.join(' ')).toContain('several runner configs');
  });

  it('no config and no runner import: everything unknown', () => {
    const { model } = modelOf({}, 'a.test.js', []);
    expect(model.runner).toBe('unknown');
    expect(model.retry.kind).toBe('unknown');
  });

  it('never reads above the workspace root', () => {
    const host = new MemoryHost({ 'inner/a.test.ts': '' });
    host.files.set(path.resolve('/virtual/vitest.config.ts'), `export default { test: { retry: 9 } };`);
    const model = new RunnerConfigResolver(ROOT, host).forFile(path.join(ROOT, 'inner/a.test.ts'), ['vitest']);
    expect(model.configFile).toBeUndefined();
  });

  it('a config with syntax errors yields partial values, never a throw', () => {
    const { model } = modelOf({ 'vitest.config.ts': `export default defineConfig({ test: { restoreMocks: true,, retry: } });` }, 'a.test.ts');
    expect(model.runner).toBe('vitest');
    expect(known(model.restoreMocks)).toBe(true);
  });
});

describe('cache and invalidation', () => {
  it('re-reads a config after invalidate, and knows which inputs a model depends on', () => {
    const { host, resolver } = modelOf({ 'vitest.config.ts': `export default { test: { restoreMocks: false, setupFiles: ['./setup.ts'] } };`, 'setup.ts': '' }, 'a.test.ts');
    const test = path.join(ROOT, 'a.test.ts');
    expect(valueOf(resolver.forFile(test, ['vitest']).restoreMocks)).toBe(false);
    const config = host.set('vitest.config.ts', `export default { test: { restoreMocks: true, setupFiles: ['./setup.ts'] } };`);
    // Cached until told.
    expect(valueOf(resolver.forFile(test, ['vitest']).restoreMocks)).toBe(false);
    expect(resolver.dependsOn(test, config)).toBe(true);
    expect(resolver.dependsOn(test, path.join(ROOT, 'setup.ts'))).toBe(true);
    expect(resolver.invalidate(config)).toBe(true);
    expect(valueOf(resolver.forFile(test, ['vitest']).restoreMocks)).toBe(true);
    expect(resolver.invalidate(path.join(ROOT, 'src/unrelated.ts'))).toBe(false);
  });

  it('a setup file change is seen after invalidation', () => {
    const { host, resolver } = modelOf({ 'vitest.config.ts': `export default { test: { setupFiles: ['./setup.ts'] } };`, 'setup.ts': '' }, 'a.test.ts');
    const test = path.join(ROOT, 'a.test.ts');
    expect(setupHooksDo(resolver.forFile(test, ['vitest']), 'restoreMocks')).toBe('no');
    const setup = host.set('setup.ts', `afterEach(() => vi.restoreAllMocks());\n`);
    expect(resolver.invalidate(setup)).toBe(true);
    expect(setupHooksDo(resolver.forFile(test, ['vitest']), 'restoreMocks')).toBe('yes');
  });

  it('a config created later is found after invalidation of its name', () => {
    const { host, resolver } = modelOf({}, 'a.test.ts');
    const test = path.join(ROOT, 'a.test.ts');
    expect(resolver.forFile(test, ['vitest']).configFile).toBeUndefined();
    const config = host.set('vitest.config.ts', `export default { test: { retry: 1 } };`);
    expect(resolver.invalidate(config)).toBe(true);
    expect(resolver.forFile(test, ['vitest']).configFile).toBe(config);
  });
});

describe('dependencies for re-analysis', () => {
  it('records the directories the lookup walked, and stops at the governing config', () => {
    const { resolver } = modelOf({ 'vitest.config.ts': `export default {};`, 'pkg/vitest.config.ts': `export default {};` }, 'pkg/src/a.test.ts');
    const test = path.join(ROOT, 'pkg/src/a.test.ts');
    expect(resolver.dependsOn(test, path.join(ROOT, 'pkg/src') + path.sep)).toBe(true);
    expect(resolver.dependsOn(test, path.join(ROOT, 'pkg') + path.sep)).toBe(true);
    expect(resolver.dependsOn(test, ROOT + path.sep)).toBe(false);
    expect(resolver.dependsOn(test, path.join(ROOT, 'vitest.config.ts'))).toBe(false);
  });
});

describe('rule context', () => {
  const TYPED = path.resolve(__dirname, '../fixtures/typed');
  const seen: RunnerConfigModel[] = [];
  // Test doubles of rules (never registered): one asks for the runner config twice, one never asks.
  const asking: Rule = {
    meta: { id: 'probe-asks', category: 'isolation', defaultSeverity: 'info', requiresTypes: false, docs: { summary: '', why: '', badExample: '', goodExample: '' } },
    check(context: RuleContext) {
      seen.push(context.runnerConfig());
      seen.push(context.runnerConfig());
    },
  };
  const silent: Rule = { ...asking, meta: { ...asking.meta, id: 'probe-silent' }, check() {} };
  const dir = path.join(TYPED, 'src', 'runner-config-probe');
  const config = path.join(dir, 'vitest.config.ts');
  const test = path.join(dir, 'a.test.ts');
  const workspaces: Workspace[] = [];
  afterAll(() => {
    for (const w of workspaces) w.dispose();
  });

  it('computes the model only when a rule asks, once per analysis, from editor buffers', () => {
    const workspace = new Workspace({ root: TYPED, rules: [asking] });
    workspaces.push(workspace);
    const forFile = vi.spyOn(workspace.runnerConfigs, 'forFile');
    workspace.setBuffer(config, `export default { test: { restoreMocks: true } };\n`);
    workspace.setBuffer(test, `import { it } from 'vitest';\nit('a', () => {});\n`);
    try {
      workspace.analyzeFile(test);
      expect(forFile).toHaveBeenCalledTimes(1);
      expect(seen.at(-1)!.configFile).toBe(config);
      expect(valueOf(seen.at(-1)!.restoreMocks)).toBe(true);
      // A buffer edit of the config invalidates it.
      workspace.setBuffer(config, `export default { test: { restoreMocks: false } };\n`);
      workspace.analyzeFile(test);
      expect(valueOf(seen.at(-1)!.restoreMocks)).toBe(false);
      expect(workspace.affectedBy(config)).toContain(test);
    } finally {
      workspace.clearBuffer(test);
      workspace.clearBuffer(config);
    }
    // Gone from the buffers (and never on disk): no config governs the file any more.
    expect(workspace.runnerConfigFor(test, ['vitest']).configFile).toBeUndefined();
  }, 120_000);

  it('a rule that never asks costs no config reading', () => {
    const workspace = new Workspace({ root: TYPED, rules: [silent] });
    workspaces.push(workspace);
    const forFile = vi.spyOn(workspace.runnerConfigs, 'forFile');
    workspace.setBuffer(test, `import { it } from 'vitest';\nit('a', () => {});\n`);
    try {
      workspace.analyzeFile(test);
    } finally {
      workspace.clearBuffer(test);
    }
    expect(forFile).not.toHaveBeenCalled();
  }, 120_000);
});
