import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLayer, loadWorkspaceConfig, type ConfigProblem } from '../../server/src/config/resolve.js';
import { defaultConfig, SETTINGS } from '../../server/src/config/schema.js';
import { RULE_IDS, RULES } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';

const dirs: string[] = [];
function workspaceWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const messages = (problems: ConfigProblem[]) => problems.map((p) => p.message);

describe('loadWorkspaceConfig', () => {
  it('no config at all: defaults, no problems', () => {
    const root = workspaceWith({});
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(config).toEqual(defaultConfig());
    expect(problems).toEqual([]);
  });

  it('reads flakelens.config.json with JSONC comments and trailing commas', () => {
    const root = workspaceWith({
      'flakelens.config.json': `{
  // line comment
  "$schema": "./node_modules/flakelens/schema.json",
  /* block comment */
  "rules": { "fixed-sleep": "error", "focused-test": "off", },
  "testFiles": ["e2e/**/*.spec.ts",],
  "maxFileSize": 2048,
}`,
    });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(problems).toEqual([]);
    expect(config.rules).toEqual({ 'fixed-sleep': 'error', 'focused-test': 'off' });
    expect(config.testFiles).toEqual(['e2e/**/*.spec.ts']);
    expect(config.maxFileSize).toBe(2048);
    expect(config.ignore).toEqual([]);
    expect(config.debounceMs).toBe(defaultConfig().debounceMs);
  });

  it('tolerates a byte order mark', () => {
    const root = workspaceWith({ 'flakelens.config.json': '\ufeff{ "debounceMs": 50 }' });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(problems).toEqual([]);
    expect(config.debounceMs).toBe(50);
  });

  it('reads the "flakelens" key of package.json when there is no config file', () => {
    const root = workspaceWith({ 'package.json': JSON.stringify({ name: 'x', flakelens: { ignore: ['legacy/**'], rules: { 'fixed-sleep': 'info' } } }) });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(problems).toEqual([]);
    expect(config.ignore).toEqual(['legacy/**']);
    expect(config.rules).toEqual({ 'fixed-sleep': 'info' });
  });

  it('a package.json without the key gives defaults', () => {
    const root = workspaceWith({ 'package.json': JSON.stringify({ name: 'x' }) });
    expect(loadWorkspaceConfig(root, RULE_IDS)).toMatchObject({ config: defaultConfig(), problems: [] });
  });

  it('flakelens.config.json takes precedence over package.json', () => {
    const root = workspaceWith({
      'flakelens.config.json': '{ "maxFileSize": 10 }',
      'package.json': JSON.stringify({ flakelens: { maxFileSize: 20, debounceMs: 5 } }),
    });
    const { config } = loadWorkspaceConfig(root, RULE_IDS);
    expect(config.maxFileSize).toBe(10);
    expect(config.debounceMs).toBe(defaultConfig().debounceMs);
  });

  it('reports every bad option with its key and applies the rest', () => {
    const root = workspaceWith({
      'flakelens.config.json': JSON.stringify({
        rules: { 'fixed-sleep': 'loud', 'no-such-rule': 'error', 'focused-test': 'warning' },
        testFiles: 'src/**/*.test.ts',
        ignore: ['ok/**', ''],
        maxFileSize: -1,
        debounceMs: 'soon',
        colour: true,
      }),
    });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    const found = messages(problems);
    expect(found).toHaveLength(7);
    for (const key of ['"rules.fixed-sleep"', '"rules.no-such-rule": unknown rule', '"testFiles"', '"ignore"', '"maxFileSize"', '"debounceMs"', 'unknown option "colour"']) {
      expect(found.some((m) => m.includes(key)), key).toBe(true);
    }
    expect(config.rules).toEqual({ 'focused-test': 'warning' });
    expect(config.testFiles).toEqual(defaultConfig().testFiles);
    expect(config.ignore).toEqual([]);
    expect(config.maxFileSize).toBe(defaultConfig().maxFileSize);
    expect(problems.every((p) => p.source.endsWith('flakelens.config.json'))).toBe(true);
  });

  it('reports unknown options by name', () => {
    const root = workspaceWith({ 'flakelens.config.json': '{ "colour": true, "debounceMs": 1 }' });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(messages(problems)).toEqual([expect.stringContaining('unknown option "colour"')]);
    expect(config.debounceMs).toBe(1);
  });

  it('invalid JSON: a message with the line, and defaults', () => {
    const root = workspaceWith({ 'flakelens.config.json': '{\n  "maxFileSize": 10,\n  "rules": { "fixed-sleep": "off" \n  "debounceMs": 1\n}' });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(config).toEqual(defaultConfig());
    expect(messages(problems)).toEqual([expect.stringMatching(/^invalid JSON at line 4, column \d+: .*defaults used$/)]);
  });

  it('a config that is not an object is reported and ignored', () => {
    const root = workspaceWith({ 'flakelens.config.json': '["rules"]' });
    const { config, problems } = loadWorkspaceConfig(root, RULE_IDS);
    expect(config).toEqual(defaultConfig());
    expect(messages(problems)).toEqual([expect.stringContaining('settings must be an object, got an array')]);
  });
});

describe('applyLayer', () => {
  it('layers apply in order over the config file and keep what they do not set', () => {
    const problems: ConfigProblem[] = [];
    const fromFile = applyLayer(defaultConfig(), { rules: { 'fixed-sleep': 'error' }, maxFileSize: 10 }, 'file', RULE_IDS, problems);
    const fromInit = applyLayer(fromFile, { rules: { 'focused-test': 'off' }, maxFileSize: 20 }, 'initializationOptions', RULE_IDS, problems);
    const fromClient = applyLayer(fromInit, { rules: { 'fixed-sleep': 'hint' } }, 'workspace/configuration', RULE_IDS, problems);
    expect(problems).toEqual([]);
    expect(fromClient.rules).toEqual({ 'fixed-sleep': 'hint', 'focused-test': 'off' });
    expect(fromClient.maxFileSize).toBe(20);
    expect(fromFile.rules).toEqual({ 'fixed-sleep': 'error' }); // layers never mutate their base
  });

  it('a bad value in a later layer keeps the earlier value and names the layer', () => {
    const problems: ConfigProblem[] = [];
    const base = applyLayer(defaultConfig(), { testFiles: ['a/**'] }, 'file', RULE_IDS, problems);
    const next = applyLayer(base, { testFiles: [1], debounceMs: 3 }, 'workspace/configuration', RULE_IDS, problems);
    expect(next.testFiles).toEqual(['a/**']);
    expect(next.debounceMs).toBe(3);
    expect(problems).toEqual([{ source: 'workspace/configuration', message: expect.stringContaining('"testFiles" must be an array') }]);
  });

  it('undefined and null layers change nothing', () => {
    const problems: ConfigProblem[] = [];
    expect(applyLayer(defaultConfig(), undefined, 'x', RULE_IDS, problems)).toEqual(defaultConfig());
    expect(applyLayer(defaultConfig(), null, 'x', RULE_IDS, problems)).toEqual(defaultConfig());
    expect(problems).toEqual([]);
  });

  it('every documented setting is accepted', () => {
    const problems: ConfigProblem[] = [];
    const layer = Object.fromEntries(SETTINGS.map((s) => [s.key, defaultConfig()[s.key]]));
    applyLayer(defaultConfig(), layer, 'x', RULE_IDS, problems);
    expect(problems).toEqual([]);
  });
});

describe('Workspace config', () => {
  it('applies layers over the config file and reports problems from both', () => {
    const root = workspaceWith({ 'flakelens.config.json': '{ "rules": { "fixed-sleep": "error", "nope": "off" } }' });
    const workspace = new Workspace({
      root,
      rules: RULES,
      layers: [{ source: 'initializationOptions', value: { rules: { 'focused-test': 'off' }, maxFileSize: 'big' } }],
    });
    try {
      expect(workspace.config.rules).toEqual({ 'fixed-sleep': 'error', 'focused-test': 'off' });
      expect(workspace.problems.map((p) => `${path.basename(p.source)}: ${p.message}`)).toEqual([
        expect.stringContaining('flakelens.config.json: "rules.nope": unknown rule'),
        expect.stringContaining('initializationOptions: "maxFileSize" must be a non-negative number'),
      ]);
      const later = workspace.setLayers([{ source: 'workspace/configuration', value: { rules: { 'fixed-sleep': 'off' } } }]);
      expect(later).toHaveLength(1); // the config file's problem is reported again, the old layer's is gone
      expect(workspace.config.rules).toEqual({ 'fixed-sleep': 'off' });
    } finally {
      workspace.dispose();
    }
  });
});
