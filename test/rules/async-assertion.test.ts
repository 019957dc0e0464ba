import { afterAll, describe, expect, it } from 'vitest';
import { findRule } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { ruleTable, runRule, TYPED_FIXTURE } from '../helpers/ruleTester.js';

const LOAD = `declare function load(x?: unknown): Promise<number>;\n`;
const CHAI = `import { expect, assert, use } from 'chai';\nimport chaiAsPromised from 'chai-as-promised';\nuse(chaiAsPromised);\n${LOAD}`;

ruleTable('async-assertion', {
  valid: [
    { name: 'awaited', code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await expect(load()).resolves.toBe(1);\n});` },
    { name: 'returned', code: `import { expect, it } from '@jest/globals';\n${LOAD}it('a', () => {\n  return expect(load()).rejects.toThrow('x');\n});` },
    {
      name: 'concise arrow test callbacks return it',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', () => expect(load()).resolves.toBe(1));\nit('b', async () => expect(load()).resolves.toBe(1));`,
    },
    { name: 'mocha concise callback with chai-as-promised', code: `${CHAI}it('a', () => expect(load()).to.eventually.equal(1));` },
    {
      name: 'sync assertions',
      code: `import { expect as vexpect, it } from 'vitest';\nimport { expect as pexpect } from '@playwright/test';\nimport { expect as cexpect, assert } from 'chai';\nit('a', () => {\n  vexpect(1).toBe(1);\n  pexpect(1).toBe(1);\n  cexpect(1).to.equal(1);\n  assert.equal(1, 1);\n});`,
    },
    { name: 'a user function named expect without promises', code: `export {};\nfunction expect(x: number) { return { toBe: (y: number) => x === y }; }\nexpect(1).toBe(1);` },
    {
      name: 'awaited inside Promise.all',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await Promise.all([expect(load(1)).resolves.toBe(1), expect(load(2)).rejects.toThrow()]);\n});`,
    },
    {
      name: 'stored and awaited later',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const check = expect(load()).resolves.toBe(1);\n  await load(2);\n  await check;\n});`,
    },
    {
      name: 'Playwright awaited matchers, soft, poll and a configured expect',
      code: `import { test, expect } from '@playwright/test';\nconst slowExpect = expect.configure({ timeout: 10_000 });\ntest('a', async ({ page }) => {\n  await expect(page.locator('h1')).toBeVisible();\n  await expect.soft(page).toHaveURL('/');\n  await expect.poll(() => 1).toBe(1);\n  await slowExpect(page.locator('h1')).toHaveText('x');\n});`,
    },
    { name: 'node:assert awaited', code: `import assert from 'node:assert';\nimport test from 'node:test';\n${LOAD}test('a', async () => {\n  await assert.rejects(load());\n});` },
    {
      name: 'untyped JS: expect is unknown',
      filename: 'untyped/untyped-assertion.test.js',
      code: `describe('a', () => {\n  it('b', async () => {\n    expect(Promise.resolve(1)).resolves.toBe(1);\n  });\n});`,
    },
    { name: 'any-typed expect', code: `import { it } from 'vitest';\ndeclare const expect: any;\nit('a', async () => {\n  expect(1).resolves.toBe(1);\n});` },
    {
      name: 'a variable used later is not reported',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const checks = expect(load()).resolves.toBe(1);\n  await Promise.all([checks]);\n});`,
    },
    {
      name: 'chai-as-promised notify(done) hands the outcome to the test callback',
      code: `import { it } from 'mocha';\nimport * as chai from 'chai';\nimport chaiAsPromised from 'chai-as-promised';\nchai.use(chaiAsPromised);\ndeclare const api: { fetch(): Promise<number> };\nit('a', (done) => {\n  chai.expect(api.fetch()).to.eventually.equal(2).notify(done);\n});`,
    },
    {
      name: 'collected assertions awaited together, or handed on',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const checks = [expect(load(1)).resolves.toBe(1), expect(load(2)).rejects.toThrow()];\n  await Promise.all(checks);\n});\nit('b', () => {\n  const checks = [expect(load()).resolves.toBe(1)];\n  return Promise.all(checks);\n});\nit('c', () => {\n  const values = [expect(1).toBe(1)];\n  void values;\n});`,
    },
    {
      name: 'awaited void-free and comma-free assertions',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await expect(load()).resolves.toBe(1);\n});`,
    },
  ],
  invalid: [
    {
      name: 'vitest resolves in an async test',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  expect(load()).resolves.toBe(1);\n});`,
      errors: [{ line: 4, message: 'Assertion `expect().resolves.toBe()` is not awaited: the test can pass before it runs, and its failure then lands in another test or is lost. Await it (or return it).' }],
      output: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await expect(load()).resolves.toBe(1);\n});`,
    },
    {
      name: 'jest rejects as the last statement of a non-async test: return it',
      code: `import { expect, it } from '@jest/globals';\n${LOAD}it('a', () => {\n  const p = load();\n  expect(p).rejects.toThrow('x');\n});`,
      errors: [{ line: 5, message: '`expect().rejects.toThrow()`' }],
      output: `import { expect, it } from '@jest/globals';\n${LOAD}it('a', () => {\n  const p = load();\n  return expect(p).rejects.toThrow('x');\n});`,
    },
    {
      name: 'jest callback with done: no fix',
      code: `import { expect, it } from '@jest/globals';\n${LOAD}it('a', (done) => {\n  expect(load()).resolves.toBe(1);\n  done();\n});`,
      errors: [{ line: 4 }],
      output: null,
    },
    {
      name: 'non-async test, not the last statement: no fix',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', () => {\n  expect(load(1)).resolves.toBe(1);\n  expect(2).toBe(2);\n});`,
      errors: [{ line: 4 }],
      output: null,
    },
    {
      name: 'vitest expect.poll and test-context expect',
      code: `import { test } from 'vitest';\nimport { expect } from 'vitest';\n${LOAD}test('a', async ({ expect: localExpect }) => {\n  expect.poll(() => load()).toBe(1);\n  localExpect(load()).resolves.toBe(1);\n});`,
      errors: [{ line: 5, message: '`expect.poll().toBe()`' }, { line: 6, message: '`localExpect().resolves.toBe()`' }],
      output: `import { test } from 'vitest';\nimport { expect } from 'vitest';\n${LOAD}test('a', async ({ expect: localExpect }) => {\n  await expect.poll(() => load()).toBe(1);\n  await localExpect(load()).resolves.toBe(1);\n});`,
    },
    {
      name: 'vitest browser expect.element (typings as @vitest/browser declares them)',
      code: `import { expect, it } from 'vitest';\ndeclare module 'vitest' {\n  interface ExpectStatic {\n    element<T>(element: T): { toBeVisible(): Promise<void> };\n  }\n}\nit('a', async () => {\n  expect.element(document.body).toBeVisible();\n});`,
      errors: [{ line: 8, message: '`expect.element().toBeVisible()`' }],
    },
    {
      name: 'Playwright async matchers, soft, poll, configured expect and test.expect',
      code: `import { test, expect } from '@playwright/test';\nconst slowExpect = expect.configure({ timeout: 10_000 });\ntest('a', async ({ page }) => {\n  expect(page.locator('h1')).toBeVisible();\n  expect(page).toHaveURL('/');\n  expect.soft(page.locator('h1')).toHaveText('x');\n  expect.poll(() => 1).toBe(1);\n  slowExpect(page.locator('h1')).not.toBeVisible();\n  test.expect(page).toHaveTitle('t');\n  myExpect(page).toHaveURL('/');\n});\nconst myExpect = expect.extend({\n  async toBeFast(received: number) { return { pass: received < 10, message: () => 'slow' }; },\n});`,
      errors: [{ line: 4 }, { line: 5 }, { line: 6 }, { line: 7 }, { line: 8, message: '`slowExpect().not.toBeVisible()`' }, { line: 9, message: '`test.expect().toHaveTitle()`' }, { line: 10, message: '`myExpect().toHaveURL()`' }],
    },
    {
      name: 'Playwright fixtures from base.extend, inside a step',
      code: `import { test as base, expect } from '@playwright/test';\nconst test = base.extend<{ banner: string }>({ banner: async ({}, use) => { await use('h1'); } });\ntest('a', async ({ page, banner }) => {\n  await test.step('check', async () => {\n    expect(page.locator(banner)).toBeVisible();\n  });\n});`,
      errors: [{ line: 5 }],
      output: `import { test as base, expect } from '@playwright/test';\nconst test = base.extend<{ banner: string }>({ banner: async ({}, use) => { await use('h1'); } });\ntest('a', async ({ page, banner }) => {\n  await test.step('check', async () => {\n    await expect(page.locator(banner)).toBeVisible();\n  });\n});`,
    },
    {
      name: 'chai-as-promised expect and assert in mocha',
      code: `${CHAI}it('a', async () => {\n  expect(load()).to.eventually.equal(1);\n  expect(load()).to.be.rejected;\n  assert.isFulfilled(load());\n  assert.isRejected(load());\n  assert.becomes(load(), 1);\n  assert.eventually.equal(load(), 1);\n});`,
      errors: [{ line: 6 }, { line: 7 }, { line: 8 }, { line: 9 }, { line: 10 }, { line: 11 }],
    },
    {
      name: 'chai-as-promised should, non-async mocha test: return it',
      code: `import 'chai/register-should.js';\n${CHAI}it('a', function () {\n  load().should.eventually.equal(1);\n});`,
      errors: [{ line: 7, message: '`load().should.eventually.equal()`' }],
      output: `import 'chai/register-should.js';\n${CHAI}it('a', function () {\n  return load().should.eventually.equal(1);\n});`,
    },
    {
      name: 'node:assert rejects in node:test',
      code: `import assert from 'node:assert';\nimport test from 'node:test';\n${LOAD}test('a', async () => {\n  assert.rejects(load());\n});`,
      errors: [{ line: 5, message: '`assert.rejects()`' }],
      output: `import assert from 'node:assert';\nimport test from 'node:test';\n${LOAD}test('a', async () => {\n  await assert.rejects(load());\n});`,
    },
    {
      name: 'voided assertion',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  void expect(load()).resolves.toBe(1);\n});`,
      errors: [{ line: 4, message: 'discarded with `void`' }],
      output: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await expect(load()).resolves.toBe(1);\n});`,
    },
    {
      name: 'assertion returned to forEach',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  [1, 2].forEach((x) => expect(load(x)).resolves.toBe(x));\n});`,
      errors: [{ line: 4, message: 'returned to a callback whose result is ignored' }],
      output: null,
    },
    {
      name: 'assertion stored in a variable that is never used',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const check = expect(load()).resolves.toBe(1);\n});`,
      errors: [{ line: 4, message: 'is stored in `check` but never awaited' }],
      output: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const check = await expect(load()).resolves.toBe(1);\n});`,
    },
    {
      name: 'helpers: async gets await, non-async gets no fix',
      code: `import { expect } from 'vitest';\n${LOAD}export async function expectSaved() {\n  expect(load()).resolves.toBe(1);\n}\nexport function expectLoaded() {\n  expect(load()).resolves.toBe(1);\n}`,
      errors: [{ line: 4 }, { line: 7 }],
      output: `import { expect } from 'vitest';\n${LOAD}export async function expectSaved() {\n  await expect(load()).resolves.toBe(1);\n}\nexport function expectLoaded() {\n  expect(load()).resolves.toBe(1);\n}`,
    },
    {
      name: 'typed JS importing vitest',
      filename: 'typed-assertion.test.js',
      code: `import { expect, it } from 'vitest';\nit('a', async () => {\n  expect(Promise.resolve(1)).resolves.toBe(1);\n});`,
      errors: [{ line: 3 }],
      output: `import { expect, it } from 'vitest';\nit('a', async () => {\n  await expect(Promise.resolve(1)).resolves.toBe(1);\n});`,
    },
    {
      name: 'assertions collected in an array that is never awaited',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const checks = [expect(load(1)).resolves.toBe(1), expect(load(2)).rejects.toThrow()];\n  expect(checks.length).toBe(2);\n});`,
      errors: [{ line: 4, message: 'Assertions collected in `checks` (`expect().resolves.toBe()`, `expect().rejects.toThrow()`) are never awaited' }],
      output: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  const checks = await Promise.all([expect(load(1)).resolves.toBe(1), expect(load(2)).rejects.toThrow()]);\n  expect(checks.length).toBe(2);\n});`,
    },
    {
      name: 'assertions dropped inside an awaited expression',
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await void expect(load()).resolves.toBe(1);\n  await (expect(load()).resolves.toBe(2), null);\n});`,
      errors: [{ line: 4, message: 'discarded with `void`' }, { line: 5, message: 'is not awaited' }],
      output: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  await expect(load()).resolves.toBe(1);\n  await (await expect(load()).resolves.toBe(2), null);\n});`,
    },
  ],
});

describe('async-assertion fixes', () => {
  const workspace = new Workspace({ root: TYPED_FIXTURE, rules: [findRule('async-assertion')!] });
  afterAll(() => workspace.dispose());

  it('offers safe fixes: await in async functions, return in non-async test callbacks', () => {
    const { findings } = runRule(workspace, 'async-assertion', {
      code: `import { expect, it } from 'vitest';\n${LOAD}it('a', async () => {\n  expect(load()).resolves.toBe(1);\n});\nit('b', () => {\n  expect(load()).rejects.toThrow();\n});`,
    });
    expect(findings.map((f) => f.fixes.map((x) => [x.title, x.safe]))).toEqual([[['Add await', true]], [['Return the assertion', true]]]);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });
});
