import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('retry-marker', {
  valid: [
    `import { it } from 'vitest';\nit('syncs', async () => {});`,
    { name: 'retry: 0 turns retries off', code: `import { it } from 'vitest';\nit('syncs', { retry: 0 }, async () => {});` },
    { name: 'a skip with an unrelated reason', code: `import { it } from 'vitest';\n// needs the staging API key\nit.skip('uploads', async () => {});` },
    { name: 'a local object with retryTimes', code: `const jest = { retryTimes: (n: number) => n };\nexport {};\njest.retryTimes(3);` },
    { name: 'reading testInfo.retry without branching', code: `import { test } from '@playwright/test';\ntest('a', async ({}, testInfo) => {\n  console.log(testInfo.retry);\n});` },
    { name: 'a retry property of an unrelated object', code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const policy = { retry: 3 };\n  if (policy.retry > 2) expect(policy.retry).toBe(3);\n});` },
    { name: 'Playwright describe.configure without retries', code: `import { test } from '@playwright/test';\ntest.describe.configure({ mode: 'serial' });\ntest('a', async () => {});` },
  ],
  invalid: [
    {
      name: 'vitest: { retry: 3 } on a test, with its justification',
      code: `import { it } from 'vitest';\n// flaky on CI, see #123\nit('syncs the inbox', { retry: 3 }, async () => {});`,
      errors: [{ line: 3, message: /retried up to 3 times.*Justification: "flaky on CI, see #123"/ }],
    },
    {
      name: 'vitest: retry on a suite (options last)',
      code: `import { describe, it } from 'vitest';\ndescribe('inbox', () => {\n  it('a', () => {});\n}, { retry: 2 });`,
      errors: [{ line: 4, message: 'This suite is retried up to 2 times' }],
    },
    {
      name: 'jest: jest.retryTimes',
      code: `import { jest, it } from '@jest/globals';\njest.retryTimes(3);\nit('a', () => {});`,
      errors: [{ line: 2, message: '`jest.retryTimes(3)`' }],
    },
    {
      name: 'mocha: this.retries in a suite and in a test',
      code: `describe('inbox', function () {\n  this.retries(2);\n  it('a', function () {\n    this.retries(4);\n  });\n});`,
      errors: [{ line: 2, message: 'the tests of this suite' }, { line: 4, message: 'retries this test' }],
    },
    {
      name: 'Playwright: describe.configure({ retries }) and a testInfo.retry branch',
      code: `import { test } from '@playwright/test';\ntest.describe.configure({ retries: 2 });\ntest('a', async ({ page }, testInfo) => {\n  if (testInfo.retry > 0) await page.reload();\n});`,
      errors: [{ line: 2, message: 'describe.configure' }, { line: 4, message: 'Branches on the retry count' }],
    },
    {
      name: 'Playwright: test.fixme and a @flaky tag',
      code: `import { test } from '@playwright/test';\ntest.fixme('uploads', async () => {});\ntest('checkout @flaky', async () => {});\ntest('login', { tag: ['@flaky', '@smoke'] }, async () => {});`,
      errors: [{ line: 2, message: 'known to be broken' }, { line: 3, message: 'Tagged `@flaky` in its title' }, { line: 4, message: 'Tagged `@flaky`' }],
    },
    {
      name: 'jest: a test skipped with a flaky comment',
      code: `import { it } from '@jest/globals';\n// TODO: flaky, fails intermittently on CI\nit.skip('uploads', async () => {});`,
      errors: [{ line: 3, message: /Skipped as flaky.*Justification: "TODO: flaky, fails intermittently on CI"/ }],
    },
    {
      name: 'mocha: xit with a flaky title; trailing comment on a skipped suite',
      code: `xit('flaky: syncs the inbox', () => {});\ndescribe.skip('uploads', () => { // unstable on windows\n  it('a', () => {});\n});`,
      errors: [{ line: 1, message: 'Skipped as flaky' }, { line: 2, message: 'unstable on windows' }],
    },
    {
      name: 'node:test: skip option whose reason says flaky',
      code: `import { test } from 'node:test';\ntest('uploads', { skip: 'flaky on windows' }, () => {});`,
      errors: [{ line: 2, message: 'Skipped as flaky ("flaky on windows")' }],
    },
    {
      name: 'Playwright: a run-time skip because it is flaky',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ browserName }) => {\n  test.skip(browserName === 'webkit', 'flaky on webkit');\n});`,
      errors: [{ line: 3, message: 'skips the test at run time ("flaky on webkit") as flaky' }],
    },
  ],
});
