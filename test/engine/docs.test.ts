import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLayer, type ConfigProblem } from '../../server/src/config/resolve.js';
import { defaultConfig } from '../../server/src/config/schema.js';
import { docsPage, docsUrlFor, PACKAGE_ROOT } from '../../server/src/engine/docs.js';
import { RULE_IDS, RULES } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';

const REPO_ROOT = path.resolve(__dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('docs links', () => {
  it('default to file: URIs of the docs pages shipped with the package, which exist for every rule', () => {
    expect(fs.realpathSync(PACKAGE_ROOT)).toBe(fs.realpathSync(REPO_ROOT));
    for (const { meta } of RULES) {
      const url = docsUrlFor(meta.id);
      expect(url).toBe(pathToFileURL(path.join(REPO_ROOT, 'docs/rules', `${meta.id}.md`)).href);
      expect(fs.existsSync(fileURLToPath(url))).toBe(true);
      expect(docsPage(meta.id)).toBe(fs.readFileSync(fileURLToPath(url), 'utf8'));
    }
  });

  it('point at <docsBaseUrl>/<id>.md when a hosted copy is configured (a trailing slash or not)', () => {
    expect(docsUrlFor('focused-test', 'https://docs.example.com/flakelens/rules')).toBe('https://docs.example.com/flakelens/rules/focused-test.md');
    expect(docsUrlFor('focused-test', 'https://docs.example.com/flakelens/rules/')).toBe('https://docs.example.com/flakelens/rules/focused-test.md');
  });

  it('docsBaseUrl accepts "", http(s) and file URLs and reports anything else', () => {
    const problems: ConfigProblem[] = [];
    expect(applyLayer(defaultConfig(), { docsBaseUrl: 'https://x.example/rules' }, 's', RULE_IDS, problems).docsBaseUrl).toBe('https://x.example/rules');
    expect(applyLayer(defaultConfig(), { docsBaseUrl: 'file:///opt/docs/rules' }, 's', RULE_IDS, problems).docsBaseUrl).toBe('file:///opt/docs/rules');
    expect(applyLayer({ ...defaultConfig(), docsBaseUrl: 'https://a.example' }, { docsBaseUrl: '' }, 's', RULE_IDS, problems).docsBaseUrl).toBe('');
    expect(problems).toEqual([]);
    for (const bad of ['docs/rules', 'javascript:alert(1)', 42]) {
      const found: ConfigProblem[] = [];
      expect(applyLayer(defaultConfig(), { docsBaseUrl: bad }, 's', RULE_IDS, found).docsBaseUrl).toBe('');
      expect(found.map((p) => p.message)).toEqual([expect.stringMatching(/^"docsBaseUrl" must be an http\(s\) or file URL/)]);
    }
  });

  it('findings carry the configured link', { timeout: 120_000 }, () => {
    const root = fs.mkdtempSync(path.join(REPO_ROOT, 'test/fixtures/.tmp-docs-'));
    dirs.push(root);
    fs.writeFileSync(path.join(root, 'flakelens.config.json'), JSON.stringify({ docsBaseUrl: 'https://docs.example.com/rules' }));
    fs.writeFileSync(path.join(root, 'a.test.ts'), "import { it } from 'vitest';\nit.only('x', () => {});\n");
    const workspace = new Workspace({ root, rules: RULES });
    try {
      const [finding] = workspace.analyzeFile(path.join(root, 'a.test.ts')).findings;
      expect(finding!.docsUrl).toBe('https://docs.example.com/rules/focused-test.md');
    } finally {
      workspace.dispose();
    }
  });
});

