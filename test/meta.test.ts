import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultConfig, SETTINGS } from '../server/src/config/schema.js';
import { CATEGORY_TITLES, type Rule } from '../server/src/engine/types.js';
import { RULES } from '../server/src/rules/index.js';

const ROOT = path.resolve(__dirname, '..');
const RULES_DIR = path.join(ROOT, 'server/src/rules');
const DOCS_DIR = path.join(ROOT, 'docs/rules');
const TESTS_DIR = path.join(ROOT, 'test/rules');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const REQUIRED_DOC_SECTIONS = ['## What it reports', '## Why it makes tests flaky', '## Example', '## Use instead', '## Suppressing'];
const REGENERATE = 'regenerate it with `node server/dist/bin/cli.js rules --format markdown` (after npm run build)';

const ids = RULES.map((r) => r.meta.id);
const basenames = (dir: string, ext: string) => fs.readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort();

/** The rows of the first markdown table that follows `heading` in the README. */
function tableAfter(heading: string): string[][] {
  const start = README.indexOf(heading);
  expect(start, `README has no "${heading}" section`).toBeGreaterThanOrEqual(0);
  const lines = README.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  return rows;
}

describe('rule registry', () => {
  it('has unique kebab-case ids', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('has one file per rule, named after its id, exporting that rule', async () => {
    const files = basenames(RULES_DIR, '.ts').filter((f) => f !== 'index');
    expect(files).toEqual([...ids].sort());
    for (const id of files) {
      const module = (await import(pathToFileURL(path.join(RULES_DIR, `${id}.ts`)).href)) as Record<string, unknown>;
      const exported = Object.values(module).filter((v): v is Rule => typeof v === 'object' && v !== null && 'meta' in v && 'check' in v);
      expect(exported.map((r) => r.meta.id), `${id}.ts`).toEqual([id]);
      expect(RULES).toContain(exported[0]);
    }
  });

  it.each(ids)('%s has complete docs metadata', (id) => {
    const { meta } = RULES.find((r) => r.meta.id === id)!;
    expect(Object.keys(CATEGORY_TITLES)).toContain(meta.category);
    expect(['error', 'warning', 'info', 'hint']).toContain(meta.defaultSeverity);
    for (const field of ['summary', 'why', 'badExample', 'goodExample'] as const) {
      const value = meta.docs[field].trim();
      expect(value, `${id}: meta.docs.${field}`).not.toBe('');
      expect(value, `${id}: meta.docs.${field}`).not.toBe('TODO');
    }
    expect(meta.docs.badExample).not.toBe(meta.docs.goodExample);
  });

  it.each(ids)('%s has a table test', (id) => {
    const file = path.join(TESTS_DIR, `${id}.test.ts`);
    expect(fs.existsSync(file), `test/rules/${id}.test.ts`).toBe(true);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(`ruleTable('${id}'`);
    expect(text).toMatch(/valid:\s*\[/);
    expect(text).toMatch(/invalid:\s*\[/);
  });

  it('has no table test or docs page for a rule that does not exist', () => {
    expect(basenames(TESTS_DIR, '.test.ts').filter((f) => !ids.includes(f))).toEqual([]);
    expect(basenames(DOCS_DIR, '.md').filter((f) => !ids.includes(f))).toEqual([]);
  });

  it.each(ids)('%s has a docs page with the required sections', (id) => {
    const file = path.join(DOCS_DIR, `${id}.md`);
    expect(fs.existsSync(file), `docs/rules/${id}.md`).toBe(true);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe(`# ${id}`);
    expect(lines.find((l, i) => i > 0 && l.trim() !== ''), 'a one-line summary under the title').not.toMatch(/^#/);
    let previous = -1;
    for (const section of REQUIRED_DOC_SECTIONS) {
      const at = lines.indexOf(section);
      expect(at, `docs/rules/${id}.md: "${section}"`).toBeGreaterThan(previous);
      previous = at;
    }
    const example = text.slice(text.indexOf('## Example'), text.indexOf('## Use instead'));
    expect(example).toContain('```');
    expect(text).toContain(`flakelens-ignore-next-line ${id}`);
  });
});

describe('README', () => {
  it(`lists every rule in registry order with its category, severity, docs page and summary (${REGENERATE})`, () => {
    const rows = tableAfter('## Rules');
    expect(rows.map((r) => r[0])).toEqual(ids.map((id) => `[${id}](docs/rules/${id}.md)`));
    for (const [index, { meta }] of RULES.entries()) {
      expect(rows[index]!.slice(1).join(' | ').replace(/\\\|/g, '|')).toBe(`${meta.category} | ${meta.defaultSeverity} | ${meta.docs.summary}`);
    }
  });

  it('lists every setting with its type, default and description', () => {
    const rows = tableAfter('## Settings');
    const defaults = defaultConfig();
    expect(rows.map((r) => r[0])).toEqual(SETTINGS.map((s) => `\`${s.key}\``));
    for (const [index, setting] of SETTINGS.entries()) {
      expect(rows[index]!.slice(1)).toEqual([`\`${setting.type}\``, `\`${JSON.stringify(defaults[setting.key])}\``, setting.description]);
    }
  });

  it('documents the commands the project promises', () => {
    expect(README).toContain('npx flakelens check test/fixtures/sample-workspace');
    expect(README).toContain('npm test');
    expect(README).toContain('npm run bench');
    for (const format of ['stylish', 'json', 'sarif', 'markdown']) expect(README).toContain(`\`${format}\``);
  });
});
