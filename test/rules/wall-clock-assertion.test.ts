import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('wall-clock-assertion', {
  valid: [
    {
      name: 'fake timers installed in the test: Date.now() is the fake clock',
      code: `import { it, expect, vi } from 'vitest';\nit('a', async () => {\n  vi.useFakeTimers();\n  const start = Date.now();\n  await vi.advanceTimersByTimeAsync(1000);\n  expect(Date.now() - start).toBe(1000);\n});`,
    },
    {
      name: 'fake timers in a beforeEach of the suite',
      code: `import { describe, beforeEach, it, expect } from '@jest/globals';\nimport { jest } from '@jest/globals';\ndescribe('s', () => {\n  beforeEach(() => { jest.useFakeTimers(); });\n  it('a', () => {\n    const start = Date.now();\n    jest.advanceTimersByTime(50);\n    expect(Date.now() - start).toBeGreaterThanOrEqual(50);\n  });\n});`,
    },
    {
      name: 'Date.now mocked by a spy in the file',
      code: `import { it, expect, vi } from 'vitest';\nvi.spyOn(Date, 'now').mockReturnValue(1000);\nit('a', () => {\n  const start = Date.now();\n  expect(Date.now() - start).toBeLessThan(10);\n});`,
    },
    {
      name: 'a duration that is not read from the clock',
      code: `import { it, expect } from 'vitest';\ndeclare function configuredTimeout(): number;\nit('a', () => {\n  const start = 10;\n  const end = configuredTimeout();\n  expect(end - start).toBeLessThan(1000);\n});`,
    },
    {
      name: 'a local Date class is not the clock',
      code: `import { it, expect } from 'vitest';\nclass Date { static now() { return 5; } }\nit('a', () => {\n  const start = Date.now();\n  expect(Date.now() - start).toBeLessThan(1000);\n});`,
    },
    {
      name: 'elapsed time logged, not asserted',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const start = Date.now();\n  console.log(Date.now() - start);\n  expect(1).toBe(1);\n});`,
    },
    {
      name: 'the current year compared with the current year',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  expect(new Date().getFullYear()).toBe(new Date().getFullYear());\n});`,
    },
    {
      name: 'a fixed date formatted with a locale and a time zone',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const d = new Date(Date.UTC(2024, 0, 1));\n  expect(d.toLocaleDateString('en-US', { timeZone: 'UTC' })).toBe('1/1/2024');\n});`,
    },
    {
      name: 'TZ set by the file itself',
      code: `import { it, expect } from 'vitest';\nprocess.env.TZ = 'UTC';\nit('a', () => {\n  expect(new Date(0).toLocaleString('en-US')).toBe('1/1/1970, 12:00:00 AM');\n});`,
    },
    {
      name: 'fixed system time through fake timers and setSystemTime',
      code: `import { it, expect, vi } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n  vi.setSystemTime(new Date(2024, 0, 1));\n  expect(new Date().getFullYear()).toBe(2024);\n});`,
    },
    {
      name: 'node:test mock timers enabled in the test',
      code: `import { test, mock } from 'node:test';\nimport assert from 'node:assert';\ntest('a', () => {\n  mock.timers.enable({ apis: ['Date'] });\n  const start = Date.now();\n  mock.timers.tick(100);\n  assert.ok(Date.now() - start >= 100);\n});`,
    },
  ],
  invalid: [
    {
      name: 'vitest: upper bound on elapsed time',
      code: `import { it, expect } from 'vitest';\ndeclare function importData(): Promise<void>;\nit('a', async () => {\n  const start = Date.now();\n  await importData();\n  expect(Date.now() - start).toBeLessThan(1000);\n});`,
      errors: [{ line: 6, message: 'stays below a bound' }],
    },
    {
      name: 'jest: lower bound after a timer (an elapsed local)',
      code: `import { it, expect } from '@jest/globals';\nit('a', async () => {\n  const start = performance.now();\n  await new Promise((r) => setTimeout(r, 20));\n  const elapsed = performance.now() - start;\n  expect(elapsed).toBeGreaterThanOrEqual(20);\n});`,
      errors: [{ line: 6, message: 'minimum of real time' }],
    },
    {
      name: 'node:test: assert.ok(elapsed < bound)',
      code: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('a', () => {\n  const t0 = Date.now();\n  for (let i = 0; i < 1e5; i++);\n  assert.ok(Date.now() - t0 < 50);\n});`,
      errors: [{ line: 6, message: 'stays below a bound' }],
    },
    {
      name: 'mocha + chai: start assigned in a hook, expect(...).to.be.below',
      code: `import { expect } from 'chai';\nlet start: number;\nbeforeEach(() => { start = Date.now(); });\nit('a', () => {\n  expect(Date.now() - start).to.be.below(200);\n});`,
      errors: [{ line: 5, message: 'stays below a bound' }],
    },
    {
      name: 'node:test: a plan object typed as node:assert (tspl-style) with a lower bound',
      code: `import { test } from 'node:test';\nimport assert from 'node:assert';\ntype Plan = Omit<typeof assert, 'CallTracker' | 'AssertionError' | 'strict'> & { end(): void };\ndeclare function plan(t: unknown): Plan;\ntest('a', async (context) => {\n  const t = plan(context);\n  let checkpoint = 0;\n  setTimeout(() => { checkpoint = Date.now(); }, 0);\n  await new Promise((r) => setTimeout(r, 600));\n  t.ok(Date.now() - checkpoint >= 500);\n});`,
      errors: [{ line: 10, message: 'minimum of real time' }],
    },
    {
      name: 'process.hrtime.bigint difference converted to ms',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const start = process.hrtime.bigint();\n  const ms = Number(process.hrtime.bigint() - start) / 1e6;\n  expect(ms).toBeLessThan(5);\n});`,
      errors: [{ line: 5 }],
    },
    {
      name: 'Playwright: expect(elapsed < x).toBe(true)',
      code: `import { test, expect } from '@playwright/test';\ntest('a', async ({ page }) => {\n  const start = Date.now();\n  await page.goto('/');\n  expect(Date.now() - start < 3000).toBe(true);\n});`,
      errors: [{ line: 5, message: 'stays below a bound' }],
    },
    {
      name: 'the bound on the left: expect(bound).toBeGreaterThan(elapsed)',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const start = Date.now();\n  expect(100).toBeGreaterThan(Date.now() - start);\n});`,
      errors: [{ line: 4, message: 'stays below a bound' }],
    },
    {
      name: 'the current year compared with a literal',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  expect(new Date().getFullYear()).toBe(2024);\n});`,
      errors: [{ line: 3, message: 'current date' }],
    },
    {
      name: 'the current hour through a local, node:assert',
      code: `import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('a', () => {\n  const now = new Date();\n  assert.strictEqual(now.getHours(), 9);\n});`,
      errors: [{ line: 5, message: 'current date' }],
    },
    {
      name: 'a fixed date formatted in the machine time zone (info)',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const d = new Date(0);\n  expect(d.toLocaleString()).toBe('1/1/1970, 12:00:00 AM');\n});`,
      errors: [{ line: 4, message: "machine's time zone and locale" }],
    },
  ],
});
