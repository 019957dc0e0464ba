import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('focused-test', {
  valid: [
    `import { it, describe } from 'vitest';\ndescribe('a', () => { it('b', () => {}); });`,
    `import { test } from '@playwright/test';\ntest.skip('b', async () => {});`,
    { name: 'a local function named `it` with .only is not a runner', code: `export {};\nconst it = { only: (n: string, f: () => void) => f() };\nit.only('x', () => {});` },
    { name: 'a local `it` in a script (no imports) clashing with the mocha global', code: `const it = { only: (n: string, f: () => void) => f() };\nit.only('x', () => {});` },
    `import { test } from 'node:test';\ntest('x', { only: false }, () => {});`,
    { name: 'mocha globals', code: `describe('a', () => { it('b', () => {}); });` },
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
  ],
});
