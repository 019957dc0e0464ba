import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('async-describe', {
  valid: [
    `import { describe, it, beforeAll } from 'vitest';\ndescribe('a', () => {\n  let n = 0;\n  beforeAll(async () => { n = await Promise.resolve(1); });\n  it('b', async () => { await Promise.resolve(n); });\n});`,
    { name: 'node:test describe awaits async functions', code: `import { describe, it } from 'node:test';\ndescribe('a', async () => {\n  await Promise.resolve();\n  it('b', () => {});\n});` },
    { name: 'node:test suite awaits async functions', code: `import { suite, test } from 'node:test';\nsuite('a', async () => {\n  await Promise.resolve();\n  test('b', () => {});\n});` },
    { name: 'node:test default import describe', code: `import test from 'node:test';\ntest.describe('a', async () => {\n  await Promise.resolve();\n  test('b', () => {});\n});` },
    { name: 'vitest awaits the suite body: registrations after an await are collected', code: `import { describe, it } from 'vitest';\ndescribe('a', async () => {\n  const value = await Promise.resolve(1);\n  it('b', () => { void value; });\n});` },
    { name: 'vitest: a suite callback returning a promise is awaited', code: `import { describe, it } from 'vitest';\ndescribe('a', () => Promise.resolve().then(() => { it('b', () => {}); }));` },
    { name: 'async tests and hooks inside a sync describe (jest)', code: `import { describe, it, beforeEach } from '@jest/globals';\ndescribe('a', () => {\n  beforeEach(async () => { await Promise.resolve(); });\n  it('b', async () => { await Promise.resolve(); });\n});` },
    { name: 'mocha globals, sync describe with a function expression', code: `describe('a', function () {\n  it('b', async function () { await Promise.resolve(); });\n});` },
    { name: 'Playwright sync test.describe', code: `import { test } from '@playwright/test';\ntest.describe('a', () => {\n  test('b', async ({ page }) => { await page.goto('/'); });\n});` },
    { name: 'a local async function named describe is not a runner', code: `export {};\nconst describe = async (n: string, f: () => Promise<void>) => f();\nvoid describe('x', async () => { await Promise.resolve(); });` },
    { name: 'untyped JS, sync describe', filename: 'untyped/async-describe-valid.test.js', code: `describe('a', () => {\n  it('b', async () => { await Promise.resolve(); });\n});` },
    { name: 'a describe body that defines async helpers', code: `import { describe, it } from 'vitest';\ndescribe('a', () => {\n  const load = async () => 1;\n  it('b', async () => { await load(); });\n});` },
    { name: 'describe callback returning a non-promise value', code: `import { describe } from '@jest/globals';\ndescribe('a', () => undefined);` },
    // The body is synchronous: every registration happens while the runner collects the suite.
    { name: 'jest async describe that never awaits', code: `import { describe, it } from '@jest/globals';\ndescribe('a', async () => {\n  it('b', () => {});\n});` },
    { name: 'mocha async function expression that never awaits', code: `describe('a', async function () {\n  it('b', () => {});\n});` },
    { name: 'Playwright async describe without await', code: `import { test } from '@playwright/test';\ntest.describe('a', async () => {\n  test('b', async () => {});\n});` },
    { name: 'every registration before the first await', code: `import { describe, it, afterAll } from '@jest/globals';\ndescribe('a', async () => {\n  it('b', () => {});\n  afterAll(() => {});\n  await Promise.resolve();\n});` },
    { name: 'awaits inside tests and hooks are their own', code: `describe('a', async () => {\n  before(async () => { await Promise.resolve(); });\n  it('b', async () => { await Promise.resolve(); });\n});` },
    { name: 'an early return of an already settled promise: nothing behind it', filename: 'untyped/async-describe-settled.test.js', code: `describe('a', () => {\n  if (process.env.SKIP) {\n    return Promise.resolve(true);\n  }\n  it('b', () => {});\n});` },
    { name: 'fixed form: setup moved into beforeAll', code: `import { describe, it, beforeAll } from '@jest/globals';\ndescribe('a', () => {\n  let value = 0;\n  beforeAll(async () => { value = await Promise.resolve(1); });\n  it('b', () => { void value; });\n});` },
  ],
  invalid: [
    {
      name: 'jest: a test registered after an await',
      code: `import { describe, it } from '@jest/globals';\ndescribe('a', async () => {\n  const value = await Promise.resolve(1);\n  it('b', () => { void value; });\n});`,
      errors: [{ line: 4, message: /^`it\('b'\)` is registered after the `await` on line 3 of the async `describe` body: jest calls suite bodies synchronously.*`beforeAll`/ }],
      output: null,
    },
    {
      name: 'mocha context: hook and test after an await',
      code: `describe('a', () => {\n  context('when empty', async () => {\n    await Promise.resolve();\n    beforeEach(() => {});\n    it('b', () => {});\n  });\n});`,
      errors: [{ line: 4, message: /^`beforeEach` is registered after the `await` on line 3 of the async `context` body \(and 1 more registration after it\): mocha .*`before`/ }],
    },
    {
      name: 'Playwright test.describe.skip with a test after an await',
      code: `import { test } from '@playwright/test';\ntest.describe.skip('d', async () => {\n  await Promise.resolve();\n  test('e', () => {});\n});`,
      errors: [{ line: 4, message: 'Playwright calls suite bodies synchronously' }],
    },
    {
      name: 'jest describe.each',
      code: `import { describe, it } from '@jest/globals';\ndescribe.each([1, 2])('n %i', async (n) => {\n  await Promise.resolve(n);\n  it('b', () => { void n; });\n});`,
      errors: [{ line: 4, message: 'async `describe.each` body' }],
    },
    {
      name: 'untyped JS globals: the runner is unknown, the message says so',
      filename: 'untyped/async-describe-invalid.test.js',
      code: `describe('a', async () => {\n  const rows = await Promise.resolve([]);\n  it('b', () => {});\n});`,
      errors: [{ line: 3, message: 'unless the runner awaits suite bodies' }],
    },
    {
      name: 'a registration in a loop that also awaits runs after the await on the next round',
      code: `import { describe, it } from '@jest/globals';\ndescribe('a', async () => {\n  for (const n of [1, 2]) {\n    it('n', () => { void n; });\n    await Promise.resolve();\n  }\n});`,
      errors: [{ line: 4, message: 'registered after the `await` on line 5' }],
    },
    {
      name: 'for await counts as an await',
      code: `describe('a', async () => {\n  for await (const x of [Promise.resolve(1)]) void x;\n  it('b', () => {});\n});`,
      errors: [{ line: 3 }],
    },
    {
      name: 'non-async callbacks that return a promise',
      code: `import { describe } from '@jest/globals';\ndescribe('a', () => new Promise<void>((resolve) => setTimeout(resolve, 1)));\ndescribe('b', function () {\n  return Promise.resolve().then(() => {});\n});`,
      errors: [{ line: 2, message: 'jest ignores that promise' }, { line: 3, message: 'returns a promise' }],
    },
    {
      name: 'nested suites are each reported',
      code: `import { describe, it } from '@jest/globals';\ndescribe('outer', async () => {\n  await Promise.resolve();\n  describe('inner', async () => {\n    await Promise.resolve();\n    it('b', () => {});\n  });\n});`,
      errors: [{ line: 4, message: "`describe('inner')` is registered after the `await` on line 3" }, { line: 6 }],
    },
  ],
});
