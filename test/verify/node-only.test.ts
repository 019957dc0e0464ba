import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBlockInfo } from '../../server/src/engine/testBlocks.js';
import { onlyPatterns } from '../../server/src/verify/runners/node.js';
import { verifyTests } from '../../server/src/verify/verifyTests.js';

// The editor's "Verify" on one node:test test runs that test, not its whole file, through an anchored,
// regex-escaped --test-name-pattern (its full path from Node 22, its own title on Node 20).

const FILE = 'test/cart.test.mjs';
const TEXT = `import { describe, it } from 'node:test';
import * as fs from 'node:fs';

const ran = (name) => fs.appendFileSync(new URL('../ran.txt', import.meta.url), name + '\\n');

describe('cart (v2)', () => {
  it('adds an item', () => ran('adds an item'));
  it('adds an item twice', () => ran('adds an item twice'));
  it('adds an item.', () => ran('adds an item.'));
});

describe('other', () => {
  it('ships', () => ran('ships'));
});
`;

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-node-only-'));
  fs.writeFileSync(path.join(root, 'package.json'), '{ "name": "node-only", "private": true, "type": "module", "scripts": { "test": "node --test" } }\n');
  fs.mkdirSync(path.join(root, 'test'));
  fs.writeFileSync(path.join(root, FILE), TEXT);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('patterns: anchored and escaped; the full path where node matches ancestors, the own title before', () => {
  expect(onlyPatterns([['cart (v2)', 'adds an item.']], 22)).toEqual(['^cart \\(v2\\) adds an item\\.$']);
  expect(onlyPatterns([['cart (v2)', 'adds an item.']], 20)).toEqual(['^adds an item\\.$']);
  expect(onlyPatterns([['a', 'x'], ['b', 'x']], undefined)).toEqual(['^x$']);
  for (const pattern of onlyPatterns([['cart (v2)', 'adds an item']], 20)) {
    expect(new RegExp(pattern).test('adds an item')).toBe(true);
    expect(new RegExp(pattern).test('adds an item twice')).toBe(false);
  }
});

test('"Verify" on one test runs only that test', async () => {
  const block = (kind: 'test' | 'suite', titles: string[], callStart: number, callEnd: number): TestBlockInfo => ({
    kind,
    titles,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    start: callStart,
    end: callStart,
    callStart,
    callEnd,
    callLine: 0,
  });
  const blocks = [block('suite', ['cart (v2)'], 0, 100), block('test', ['cart (v2)', 'adds an item'], 10, 20), block('test', ['cart (v2)', 'adds an item twice'], 30, 40), block('test', ['cart (v2)', 'adds an item.'], 50, 60)];
  const outcome = await verifyTests({ root, file: path.join(root, FILE), titles: ['cart (v2)', 'adds an item'], blocks, runs: 2, modes: ['serial'], toolVersion: '0' });
  expect(outcome.scope).toBe(`${FILE} › cart (v2) › adds an item`);
  expect(outcome.results.verdicts.map((v) => `${v.titles.join(' › ')}: ${v.verdict}`)).toEqual(['cart (v2) › adds an item: stable']);
  expect(fs.readFileSync(path.join(root, 'ran.txt'), 'utf8')).toBe('adds an item\nadds an item\n');
  expect(outcome.results.runs[0]!.commands[0]).toContain("'--test-name-pattern=^");
});
