import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../../server/src/rules/index.js';
import { Workspace } from '../../../server/src/workspace/workspace.js';
import { TYPED_FIXTURE } from '../../helpers/ruleTester.js';

/**
 * Every rule runs on code at the boundaries between rules: each line marked `// <rule-id>` must be reported by
 * that rule alone, and unmarked lines by none. One risk, one finding.
 */
const CASES: Array<{ name: string; code: string }> = [
  {
    name: 'callbacks: concise arrows belong to floating-promise/async-assertion, async functions to async-callback-misuse',
    code: `import { it, expect } from 'vitest';
declare function save(x?: unknown): Promise<void>;
declare const items: number[];
it('a', async () => {
  items.forEach((x) => save(x)); // floating-promise
  items.forEach(async (x) => save(x)); // async-callback-misuse
  items.forEach(async (x) => { await save(x); }); // async-callback-misuse
  items.forEach(function (x) { return save(x); }); // async-callback-misuse
  setTimeout(() => save(), 10); // floating-promise
  setTimeout(async () => save(), 10); // async-callback-misuse
  items.forEach((x) => expect(save(x)).resolves.toBeUndefined()); // async-assertion
  items.forEach(async (x) => expect(save(x)).resolves.toBeUndefined()); // async-callback-misuse
});`,
  },
  {
    name: 'assertion chains belong to async-assertion, other promises to floating-promise',
    code: `import { expect, it } from 'vitest';
declare function save(x?: unknown): Promise<void>;
it('a', async () => {
  expect(save()).resolves.toBeUndefined(); // async-assertion
  void expect(save()).resolves.toBeUndefined(); // async-assertion
  expect.poll(() => 1).toBe(1); // async-assertion
  expect(save()).resolves.toBeUndefined().catch(() => {}); // async-assertion
  save(); // floating-promise
  void save();
});`,
  },
  {
    name: 'un-awaited sleeps belong to fixed-sleep',
    code: `import { it } from 'vitest';
import { setTimeout as wait } from 'node:timers/promises';
import { sleep } from './helpers/timing.js';
it('a', async () => {
  sleep(500); // fixed-sleep
  wait(100); // fixed-sleep
  new Promise((r) => setTimeout(r, 300)); // fixed-sleep
  await sleep(200); // fixed-sleep
  sleep(0);
});`,
  },
  {
    name: 'Playwright: steps, sleeps, matchers, listeners',
    code: `import { test, expect } from '@playwright/test';
test('a', async ({ page }) => {
  page.waitForTimeout(500); // fixed-sleep
  test.step('s', async () => {}); // floating-promise
  expect(page).toHaveURL('/'); // async-assertion
  page.on('request', async (req) => { expect(await req.response()).toBeTruthy(); }); // async-callback-misuse
  page.on('dialog', async (dialog) => { await dialog.dismiss(); });
});`,
  },
  {
    name: 'done tests: the done problem and the promise problem are separate findings',
    code: `import { it } from '@jest/globals';
declare function save(x?: unknown): Promise<void>;
it('a', async (done) => { // done-callback
  save(); // floating-promise
  done();
});
it('b', (done) => {
  save().then(() => done()); // floating-promise
});
it('c', (done) => {
  save().then(() => done(), done);
});`,
  },
  {
    name: 'describe bodies',
    code: `import { describe, it } from '@jest/globals';
declare function save(x?: unknown): Promise<void>;
describe('a', async () => {
  save(); // floating-promise
  await save();
  it('b', () => {}); // async-describe
});`,
  },
];

describe('rule boundaries', () => {
  const workspace = new Workspace({ root: TYPED_FIXTURE, rules: RULES });
  afterAll(() => workspace.dispose());
  CASES.forEach((testCase, index) => {
    it(testCase.name, () => {
      const file = path.join(TYPED_FIXTURE, 'src', `case-overlaps-${index}.test.ts`);
      workspace.setBuffer(file, testCase.code);
      try {
        const result = workspace.analyzeFile(file);
        expect(result.notes.filter((n) => n.includes('failed'))).toEqual([]);
        const expected = testCase.code.split('\n').flatMap((line, i) => {
          const marker = /\/\/ ([a-z-]+)$/.exec(line);
          return marker ? [`${i + 1} ${marker[1]}`] : [];
        });
        const actual = result.findings.map((f) => `${f.range.start.line + 1} ${f.ruleId}`);
        expect(actual).toEqual(expected);
      } finally {
        workspace.clearBuffer(file);
        workspace.forget(file);
      }
    });
  });
});
