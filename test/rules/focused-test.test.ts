import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('focused-test', {
  valid: [
    `import { it, describe } from 'vitest';\ndescribe('a', () => { it('b', () => {}); });`,
    `import { test } from '@playwright/test';\ntest.skip('b', async () => {});`,
    { name: 'a local function named `it` with .only is not a runner', code: `export {};\nconst it = { only: (n: string, f: () => void) => f() };\nit.only('x', () => {});` },
    { name: 'a local `it` in a script (no imports) clashing with the mocha global', code: `const it = { only: (n: string, f: () => void) => f() };\nit.only('x', () => {});` },
    `import { test } from 'node:test';\ntest('x', { only: false }, () => {});`,
    { name: 'mocha globals', code: `describe('a', () => { it('b', () => {}); });` },
    { name: 'vitest options without focus, and element access to skip', code: `import { test } from 'vitest';\ntest('x', { only: false, timeout: 10 }, () => {});\ntest['skip']('y', () => {});` },
    { name: 'fixed form of an inline fixture chain', code: `import { test } from 'vitest';\ntest.extend<{ n: number }>({ n: async ({}, use) => { await use(1); } })('x', ({ n }) => { void n; });` },
  ],
  invalid: [
    {
      name: 'CommonJS: const test = require(\'node:test\') is the runner',
      filename: 'cjs-focus.test.js',
      code: `const test = require('node:test');\ntest.only('x', () => {});`,
      errors: [{ line: 2 }],
    },
    {
      code: `import { it } from 'vitest';\nit.only('b', () => {});`,
      errors: [{ line: 2, message: 'Focused test `it.only`' }],
      output: `import { it } from 'vitest';\nit('b', () => {});`,
    },
    {
      code: `import { describe, it } from '@jest/globals';\ndescribe.only('a', () => {\n  it('b', () => {});\n});`,
      errors: [{ line: 2, message: 'Focused suite' }],
      output: `import { describe, it } from '@jest/globals';\ndescribe('a', () => {\n  it('b', () => {});\n});`,
    },
    {
      code: `import { test } from '@playwright/test';\ntest.describe.only('a', () => {\n  test.only('b', async () => {});\n});`,
      errors: [{ line: 2 }, { line: 3 }],
      output: `import { test } from '@playwright/test';\ntest.describe('a', () => {\n  test('b', async () => {});\n});`,
    },
    {
      name: 'Playwright fixtures from base.extend',
      code: `import { test as base } from '@playwright/test';\nconst test = base.extend<{ user: string }>({ user: async ({}, use) => { await use('u'); } });\ntest.only('b', async ({ user }) => { void user; });`,
      errors: [{ line: 3 }],
    },
    {
      name: 'untyped JS globals: fit and fdescribe',
      filename: 'untyped/untyped-focus.test.js',
      code: `fdescribe('a', () => {\n  fit('b', () => {});\n});`,
      errors: [{ line: 1 }, { line: 2 }],
      output: `describe('a', () => {\n  it('b', () => {});\n});`,
    },
    {
      code: `import { it } from 'vitest';\nit.only.each([1, 2])('n %i', (n) => {});`,
      errors: [{ line: 2 }],
      output: `import { it } from 'vitest';\nit.each([1, 2])('n %i', (n) => {});`,
    },
    {
      code: `import { test } from 'node:test';\ntest('x', { only: true }, () => {});`,
      errors: [{ line: 2, message: 'only: true' }],
      output: null,
    },
    {
      name: 'mocha global it.only',
      code: `describe('a', () => { it.only('b', () => {}); });`,
      errors: [{ line: 1 }],
    },
    {
      name: 'vitest: test(name, { only: true }, fn)',
      code: `import { test, describe } from 'vitest';\ndescribe('s', { only: true }, () => {\n  test('x', { only: true }, () => {});\n});`,
      errors: [{ line: 2, message: 'Focused suite (`only: true`) runs alone and skips the rest of the file' }, { line: 3, message: 'Focused test' }],
    },
    {
      name: "element access: test['only'] and test[`only`]",
      code: "import { test } from 'vitest';\ntest['only']('x', () => {});\ntest[`only`]('y', () => {});",
      errors: [{ line: 2, message: 'Focused test' }, { line: 3 }],
      output: "import { test } from 'vitest';\ntest('x', () => {});\ntest('y', () => {});",
    },
    {
      name: 'an inline fixture chain: test.extend({...}).only(...)',
      code: `import { test } from 'vitest';\ntest.extend<{ n: number }>({ n: async ({}, use) => { await use(1); } }).only('x', ({ n }) => { void n; });`,
      errors: [{ line: 2 }],
      output: `import { test } from 'vitest';\ntest.extend<{ n: number }>({ n: async ({}, use) => { await use(1); } })('x', ({ n }) => { void n; });`,
    },
  ],
});
