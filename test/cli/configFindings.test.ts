import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { RULES } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { assertBuilt, runCli, scratchWorkspace } from './cliHarness.js';

/** Retries set in runner config files are reported on the config key, by the engine and by `check`. */
describe('retry markers in runner config files', () => {
  let scratch: ReturnType<typeof scratchWorkspace>;
  beforeAll(() => {
    assertBuilt();
    scratch = scratchWorkspace('config-retries', {
      'e2e/playwright.config.ts': [
        "import { defineConfig } from '@playwright/test';",
        'export default defineConfig({',
        "  testDir: '.',",
        '  // CI machines are slow, see #88',
        '  retries: process.env.CI ? 2 : 0,',
        '});',
        '',
      ].join('\n'),
      'e2e/login.spec.ts': "import { test } from '@playwright/test';\ntest('login', async () => {});\n",
      'unit/vitest.config.ts': "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { retry: 3 } });\n",
      'unit/cart.test.ts': "import { it } from 'vitest';\nit('adds', () => {});\n",
      'quiet/vitest.config.ts': "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { retry: 0 } });\n",
      'quiet/a.test.ts': "import { it } from 'vitest';\nit('a', () => {});\n",
    });
  });
  afterAll(() => scratch?.remove());

  it('the engine reports retries on the config key, with the comment above it as justification', () => {
    const workspace = new Workspace({ root: scratch.dir, rules: RULES });
    try {
      const tests = workspace.listTestFiles();
      workspace.analyzeFiles(tests);
      const configs = workspace.runnerConfigFilesFor(tests).map((f) => path.relative(scratch.dir, f));
      expect(configs).toEqual(['e2e/playwright.config.ts', 'quiet/vitest.config.ts', 'unit/vitest.config.ts']);

      const playwright = workspace.analyzeFile(path.join(scratch.dir, 'e2e/playwright.config.ts'));
      expect(playwright.findings.map((f) => [f.ruleId, f.range.start.line + 1, f.severity])).toEqual([['retry-marker', 5, 'info']]);
      expect(playwright.findings[0]!.message).toContain('`retries: process.env.CI ? 2 : 0`');
      expect(playwright.findings[0]!.message).toContain('Justification: "CI machines are slow, see #88"');

      const vitest = workspace.analyzeFile(path.join(scratch.dir, 'unit/vitest.config.ts'));
      expect(vitest.findings.map((f) => [f.ruleId, f.range.start.line + 1, f.message.slice(0, 23)])).toEqual([['retry-marker', 2, '`test.retry: 3` retries']]);

      expect(workspace.analyzeFile(path.join(scratch.dir, 'quiet/vitest.config.ts')).findings).toEqual([]);
    } finally {
      workspace.dispose();
    }
  });

  it('a suppression comment in the config file silences the finding', () => {
    const workspace = new Workspace({ root: scratch.dir, rules: RULES });
    try {
      const file = path.join(scratch.dir, 'unit/vitest.config.ts');
      workspace.setBuffer(file, "import { defineConfig } from 'vitest/config';\n// flakelens-ignore-next-line retry-marker -- vendor sandbox\nexport default defineConfig({ test: { retry: 3 } });\n");
      expect(workspace.analyzeFile(file).findings).toEqual([]);
    } finally {
      workspace.dispose();
    }
  });

  it('check lists the config files with findings next to the test files', { timeout: 180_000 }, async () => {
    const result = await runCli(['check', scratch.dir, '--format', 'json']);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { files: Array<{ path: string; findings: Array<{ ruleId: string; range: { start: { line: number } } }> }> };
    const withFindings = report.files.filter((f) => f.findings.length > 0).map((f) => [f.path, f.findings.map((x) => `${x.ruleId}:${x.range.start.line}`)]);
    expect(withFindings).toEqual([
      ['e2e/playwright.config.ts', ['retry-marker:5']],
      ['unit/vitest.config.ts', ['retry-marker:2']],
    ]);
    // Info findings never fail the run.
    expect(result.code).toBe(0);
  });
});
