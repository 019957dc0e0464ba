import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('async-describe', {
  valid: [
    `import { describe, it, beforeAll } from 'vitest';\ndescribe('a', () => {\n  let n = 0;\n  beforeAll(async () => { n = await Promise.resolve(1); });\n  it('b', async () => { await Promise.resolve(n); });\n});`,
    { name: 'node:test describe accepts async functions', code: `import { describe, it } from 'node:test';\ndescribe('a', async () => {\n  await Promise.resolve();\n  it('b', () => {});\n});` },
    { name: 'node:test suite accepts async functions', code: `import { suite, test } from 'node:test';\nsuite('a', async () => {\n  await Promise.resolve();\n  test('b', () => {});\n});` },
    { name: 'node:test default import describe', code: `import test from 'node:test';\ntest.describe('a', async () => {\n  await Promise.resolve();\n});` },
    { name: 'async tests and hooks inside a sync describe (jest)', code: `import { describe, it, beforeEach } from '@jest/globals';\ndescribe('a', () => {\n  beforeEach(async () => { await Promise.resolve(); });\n  it('b', async () => { await Promise.resolve(); });\n});` },
    { name: 'mocha globals, sync describe with a function expression', code: `describe('a', function () {\n  it('b', async function () { await Promise.resolve(); });\n});` },
    { name: 'Playwright sync test.describe', code: `import { test } from '@playwright/test';\ntest.describe('a', () => {\n  test('b', async ({ page }) => { await page.goto('/'); });\n});` },
    { name: 'a local async function named describe is not a runner', code: `export {};\nconst describe = async (n: string, f: () => Promise<void>) => f();\nvoid describe('x', async () => { await Promise.resolve(); });` },
    { name: 'untyped JS, sync describe', filename: 'untyped/async-describe-valid.test.js', code: `describe('a', () => {\n  it('b', async () => { await Promise.resolve(); });\n});` },
    { name: 'a describe body that defines async helpers', code: `import { describe, it } from 'vitest';\ndescribe('a', () => {\n  const load = async () => 1;\n  it('b', async () => { await load(); });\n});` },
    { name: 'describe callback returning a non-promise value', code: `import { describe } from '@jest/globals';\ndescribe('a', () => undefined);` },
  ],
  invalid: [
    {
      name: 'vitest async describe awaiting setup: no fix',
      code: `import { describe, it } from 'vitest';\ndescribe('a', async () => {\n  const value = await Promise.resolve(1);\n  it('b', () => { void value; });\n});`,
      errors: [{ line: 2, message: /^`describe` gets an async callback: vitest runs its async work while collecting.*`beforeAll`/ }],
      output: null,
    },
    {
      name: 'jest async describe without await: remove async',
      code: `import { describe, it } from '@jest/globals';\ndescribe('a', async () => {\n  it('b', () => {});\n});`,
      errors: [{ line: 2, message: 'registered late or dropped' }],
      output: `import { describe, it } from '@jest/globals';\ndescribe('a', () => {\n  it('b', () => {});\n});`,
    },
    {
      name: 'mocha global describe with an async function expression',
      code: `describe('a', async function () {\n  it('b', () => {});\n});`,
      errors: [{ line: 1, message: 'Remove `async`' }],
      output: `describe('a', function () {\n  it('b', () => {});\n});`,
    },
    {
      name: 'mocha context',
      code: `describe('a', () => {\n  context('when empty', async () => {\n    await Promise.resolve();\n    it('b', () => {});\n  });\n});`,
      errors: [{ line: 2, message: '`context` gets an async callback' }],
      output: null,
    },
    {
      name: 'Playwright test.describe, .only and .skip',
      code: `import { test } from '@playwright/test';\ntest.describe('a', async () => {\n  test('b', async () => {});\n});\ntest.describe.only('c', async () => {});\ntest.describe.skip('d', async () => { await Promise.resolve(); });`,
      errors: [{ line: 2, message: '`test.describe` gets' }, { line: 5, message: '`test.describe.only`' }, { line: 6 }],
      output: `import { test } from '@playwright/test';\ntest.describe('a', () => {\n  test('b', async () => {});\n});\ntest.describe.only('c', () => {});\ntest.describe.skip('d', async () => { await Promise.resolve(); });`,
    },
    {
      name: 'jest describe.each',
      code: `import { describe, it } from '@jest/globals';\ndescribe.each([1, 2])('n %i', async (n) => {\n  it('b', () => { void n; });\n});`,
      errors: [{ line: 2, message: '`describe.each` gets an async callback' }],
      output: `import { describe, it } from '@jest/globals';\ndescribe.each([1, 2])('n %i', (n) => {\n  it('b', () => { void n; });\n});`,
    },
    {
      name: 'untyped JS globals',
      filename: 'untyped/async-describe-invalid.test.js',
      code: `describe('a', async () => {\n  const rows = await Promise.resolve([]);\n  it('b', () => {});\n});`,
      errors: [{ line: 1 }],
      output: null,
    },
    {
      name: 'non-async callbacks that return a promise',
      code: `import { describe } from '@jest/globals';\ndescribe('a', () => Promise.resolve());\ndescribe('b', function () {\n  return Promise.resolve().then(() => {});\n});`,
      errors: [{ line: 2, message: 'callback that returns a promise' }, { line: 3, message: 'beforeAll' }],
      output: null,
    },
    {
      name: 'async describe that returns a value: no fix',
      code: `import { describe } from 'vitest';\ndescribe('a', async () => {\n  return 1;\n});`,
      errors: [{ line: 2 }],
      output: null,
    },
    {
      name: 'for await needs the async keyword: no fix',
      code: `import { describe } from 'vitest';\ndescribe('a', async () => {\n  for await (const x of [Promise.resolve(1)]) void x;\n});`,
      errors: [{ line: 2 }],
      output: null,
    },
    {
      name: 'nested suites are each reported',
      code: `import { describe, it } from 'vitest';\ndescribe('outer', async () => {\n  describe('inner', async () => {\n    it('b', () => {});\n  });\n});`,
      errors: [{ line: 2 }, { line: 3 }],
      output: `import { describe, it } from 'vitest';\ndescribe('outer', () => {\n  describe('inner', () => {\n    it('b', () => {});\n  });\n});`,
    },
  ],
});
