import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deepRegions, MAX_NESTING } from '../../server/src/engine/nesting.js';
import { RULES } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';

// Inside the repository so `vitest` resolves from its node_modules.
const parent = path.resolve(__dirname, '../fixtures/.tmp');
fs.mkdirSync(parent, { recursive: true });
const root = fs.mkdtempSync(path.join(parent, 'deep-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const HEAD = `import { it } from 'vitest';\nit.only('before', () => {});\n`;
const TAIL = `\nit.only('after', () => {});\n`;

function analyse(name: string, text: string) {
  const file = path.join(root, name);
  fs.writeFileSync(file, text);
  const workspace = new Workspace({ root, rules: RULES });
  try {
    return workspace.analyzeFile(file);
  } finally {
    workspace.dispose();
  }
}

describe('deep nesting', () => {
  it.each([
    ['1,000 nested parentheses', `it('deep', () => {\n  const x = ${'('.repeat(1000)}1${')'.repeat(1000)};\n});`, 'lines 3-5'],
    ['2,000 nested arrow functions', `const f = ${'() => '.repeat(2000)}1;`, 'line 3'],
    ['2,000 nested arrays in a call', `it('deep', () => {\n  void ${'['.repeat(2000)}${']'.repeat(2000)};\n});`, 'lines 3-5'],
  ])('%s: the rest of the file is analysed and a note names the region', (_name, deep, where) => {
    const result = analyse(`deep-${deep.length}.test.ts`, `${HEAD}${deep}${TAIL}`);
    expect(result.skipped).toBeUndefined();
    expect(result.notes.join('\n')).not.toMatch(/call stack|failed/);
    expect(result.notes[0]).toBe(`${where}: nesting deeper than ${MAX_NESTING} levels (parentheses, brackets or arrow functions); that statement was not analysed`);
    expect(result.findings.filter((f) => f.ruleId === 'focused-test').map((f) => f.range.start.line)).toEqual([1, deep.split('\n').length + 2]);
  });

  it('analyses nesting just under the limit in full', () => {
    const depth = MAX_NESTING - 10;
    const result = analyse('shallow.test.ts', `${HEAD}it.only('deep', () => {\n  const x = ${'('.repeat(depth)}1${')'.repeat(depth)};\n});\nconst f = ${'() => '.repeat(depth)}1;${TAIL}`);
    expect(result.notes).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'focused-test')).toHaveLength(3);
  });

  it('does not count brackets inside strings, templates and comments', () => {
    const noise = `const s = '${'('.repeat(600)}';\n// ${'['.repeat(600)}\nconst t = \`${'{'.repeat(600)}\`;\n/* ${'('.repeat(600)} */\n`;
    expect(deepRegions(noise)).toEqual([]);
  });
});
