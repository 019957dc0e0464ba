import { afterAll, describe, expect, it } from 'vitest';
import { findRule } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { ruleTable, runRule, TYPED_FIXTURE } from '../helpers/ruleTester.js';

const SLEEP = `const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));\n`;
const READY = `declare function ready(): Promise<boolean>;\ndeclare function click(): Promise<void>;\n`;
const MESSAGE = 'Fixed sleep of 500 ms used to wait: too short on a loaded CI machine, too long everywhere else. Wait for the condition instead:';
const FLOATING = 'Fixed sleep of 500 ms is not awaited, so it waits for nothing: the next line runs at once. Wait for the condition instead:';

ruleTable('fixed-sleep', {
  valid: [
    {
      name: 'a delay computed from the clock waits until a moment (a rate-limit window), not a fixed time',
      code: `import { it } from 'vitest';\nconst ensureWindowHeadroom = async (windowSeconds: number, requiredMs: number) => {\n  const windowMs = windowSeconds * 1000;\n  const msLeft = windowMs - (Date.now() % windowMs);\n  if (msLeft < requiredMs) await new Promise((resolve) => setTimeout(resolve, msLeft + 100));\n};\nit('a', async () => {\n  await ensureWindowHeadroom(60, 10_000);\n  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));\n});`,
    },
    {
      name: '0 ms waits yield to the event loop',
      code: `import { it } from 'vitest';\nimport { setTimeout as wait } from 'node:timers/promises';\n${SLEEP}it('a', async () => {\n  await new Promise((r) => setTimeout(r, 0));\n  await new Promise((r) => setTimeout(r));\n  await sleep(0);\n  await wait(0);\n});`,
    },
    {
      name: 'setTimeout that schedules work without being awaited',
      code: `import { it } from 'vitest';\n${READY}it('a', () => {\n  setTimeout(() => click(), 500);\n  const t = setTimeout(() => {}, 500);\n  clearTimeout(t);\n});`,
    },
    {
      name: 'a promise resolved by something other than the timer',
      code: `import { it } from 'vitest';\n${READY}it('a', async () => {\n  await new Promise<void>((resolve) => { click().then(() => resolve()); setTimeout(() => console.log('slow'), 500); });\n});`,
    },
    {
      name: "a fake-timer library's own tests: install() from its sources (no declaration file) installs fake timers",
      code: `import { afterEach, beforeEach, describe, it } from 'mocha';\nimport * as FakeTimers from './selfclock/index.js';\n${SLEEP}describe('tick modes', () => {\n  let clock: FakeTimers.InstalledClock;\n  beforeEach(() => { clock = FakeTimers.install(); });\n  afterEach(() => { clock.uninstall(); });\n  it('a', async () => {\n    await sleep(100);\n  });\n});`,
    },
    {
      name: 'fake timers installed in the same test',
      code: `import { it, vi } from 'vitest';\n${SLEEP}it('a', async () => {\n  vi.useFakeTimers();\n  const done = sleep(500);\n  vi.advanceTimersByTime(500);\n  await done;\n  await sleep(500);\n});`,
    },
    {
      name: 'fake timers installed in a beforeEach of an enclosing describe',
      code: `import { beforeEach, describe, it, jest } from '@jest/globals';\n${SLEEP}describe('s', () => {\n  beforeEach(() => { jest.useFakeTimers(); });\n  describe('inner', () => {\n    it('a', async () => {\n      await sleep(500);\n    });\n  });\n});`,
    },
    {
      name: 'node:test mock.timers.enable',
      code: `import { test, mock } from 'node:test';\n${SLEEP}test('a', async () => {\n  mock.timers.enable({ apis: ['setTimeout'] });\n  await sleep(500);\n});`,
    },
    {
      name: 'Playwright page.clock.install',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await page.clock.install();\n  await page.waitForTimeout(500);\n});`,
    },
    {
      name: 'polling: while condition awaits a check',
      code: `import { it } from 'vitest';\n${SLEEP}${READY}it('a', async () => {\n  while (!(await ready())) await sleep(50);\n});`,
    },
    {
      name: 'polling: loop body breaks or returns when the condition holds',
      code: `import { it } from 'vitest';\n${SLEEP}${READY}it('a', async () => {\n  for (let attempt = 0; attempt < 10; attempt++) {\n    if (await ready()) break;\n    await sleep(100);\n  }\n  for (;;) {\n    if (await ready()) return;\n    await sleep(100);\n  }\n});`,
    },
    {
      name: 'polling: while (!done) waits for a flag set elsewhere',
      code: `import { it } from 'vitest';\n${SLEEP}it('a', async () => {\n  let done = false;\n  queueMicrotask(() => { done = true; });\n  while (!done) await sleep(20);\n});`,
    },
    {
      name: 'polling through an imported helper that loops',
      code: `import { it } from 'vitest';\nimport { waitUntil } from './helpers/timing.js';\n${READY}it('a', async () => {\n  await waitUntil(ready, 500);\n});`,
    },
    {
      name: 'sleeps inside helpers and callbacks are judged where they are awaited, not where they are written',
      code: `import { it } from 'vitest';\n${SLEEP}async function retry(fn: () => Promise<boolean>) { await sleep(500); return fn(); }\nvoid retry;\nawait sleep(500);\nit('a', () => { [1].forEach(async () => { await sleep(500); }); });`,
    },
    {
      name: 'a user function named sleep that does not use a timer',
      code: `import { it } from 'vitest';\n${READY}async function sleep(ms: number) { void ms; await click(); }\nit('a', async () => {\n  await sleep(500);\n});`,
    },
    {
      name: 'a user-defined setTimeout is not the timer',
      code: `import { it } from 'vitest';\nfunction setTimeout(fn: () => void, ms: number) { void ms; fn(); }\nit('a', async () => {\n  await new Promise<void>((r) => setTimeout(() => r(), 500));\n});`,
    },
    {
      name: 'untyped sleep (any) in plain JS is not a finding',
      filename: 'untyped/untyped-sleep.test.js',
      code: `const { sleep } = require('./nowhere');\nit('a', async () => {\n  await sleep(500);\n});`,
    },
    {
      name: 'scheduler.yield and setImmediate only yield',
      code: `import { it } from 'vitest';\nimport { scheduler, setImmediate } from 'node:timers/promises';\nit('a', async () => {\n  await scheduler.yield();\n  await setImmediate();\n});`,
    },
    {
      name: 'a sleep raced against the real condition is a timeout, not a wait',
      code: `import { it } from 'vitest';\n${SLEEP}${READY}it('a', async () => {\n  await Promise.race([sleep(5000).then(() => { throw new Error('timed out'); }), ready()]);\n});`,
    },
    {
      name: 'locator waits are conditions, not sleeps',
      code: `import { test, expect } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await page.waitForSelector('#x', { timeout: 500 });\n  await expect(page.locator('#x')).toBeVisible({ timeout: 500 });\n});`,
    },
    {
      name: 'un-awaited sleeps of 0 ms, under fake timers, or in helpers',
      code: `import { it, vi } from 'vitest';\n${SLEEP}function later() {\n  sleep(100);\n}\nit('a', async () => {\n  sleep(0);\n  void sleep(100);\n  later();\n});\nit('b', async () => {\n  vi.useFakeTimers();\n  sleep(100);\n});`,
    },
    {
      name: 'sleeps that prove an absence: nothing to poll, a slow machine only makes them pass wrongly',
      code: `import { expect, it, vi } from 'vitest';\n${SLEEP}it('a', async () => {\n  const spy = vi.fn();\n  let count = 0;\n  expect(count).toBe(0);\n  count++;\n  expect(count).toBe(1);\n  await sleep(600);\n  expect(count).toBe(1);\n  expect(spy).not.toHaveBeenCalled();\n  await sleep(500);\n  expect(spy).toHaveBeenCalledTimes(0);\n  expect(spy.mock.calls.length).toBe(0);\n});`,
    },
    {
      name: 'chai and sinon absence checks after a sleep',
      code: `import { expect } from 'chai';\nimport sinon from 'sinon';\n${SLEEP}it('a', async () => {\n  const spy = sinon.spy();\n  await sleep(500);\n  expect(spy.called).to.be.false;\n  sinon.assert.notCalled(spy);\n});`,
    },
    {
      name: 'sleeps inside a callback handed to a poller, or to a call nobody awaits',
      code: `import { it, vi } from 'vitest';\n${SLEEP}${READY}declare function onEvent(fn: () => Promise<void>): void;\nit('a', async () => {\n  await vi.waitFor(async () => { await sleep(500); });\n  onEvent(async () => { await sleep(500); });\n});`,
    },
    {
      name: 'a helper that polls, and a helper awaited with a 0 ms yield',
      code: `import { it } from 'vitest';\n${SLEEP}${READY}async function settle() { while (!(await ready())) await sleep(50); }\nasync function tick() { await click(); await sleep(0); }\nit('a', async () => {\n  await settle();\n  await tick();\n});`,
    },
    {
      name: 'a sleep followed only by checks that no error surfaced, or an assertion that cannot fail',
      code: `import test from 'node:test';\nimport assert from 'node:assert';\n${SLEEP}test('a', async (t) => {\n  let uncaughtErr: Error | null = null;\n  process.once('uncaughtException', (e) => { uncaughtErr = e; });\n  await sleep(500);\n  assert.equal(uncaughtErr, null, 'No uncaughtException should have been emitted');\n  await sleep(150);\n  t.assert.ok(true, 'No uncaught errors after delayed response');\n});`,
    },
    {
      name: 'a fake that simulates latency in a method, or a helper returning data after a sleep',
      code: `import { it } from 'vitest';\n${SLEEP}const store = {\n  async save(x: number) { await sleep(5); void x; },\n};\nasync function load() { await sleep(5); return [1]; }\nit('a', async () => {\n  await store.save(1);\n  await load();\n});`,
    },
    {
      name: 'a sleep that only lets a timer the test scheduled itself fire (no longer delay, synchronous callback)',
      code: `import { expect, it } from 'vitest';\nimport { EventEmitter } from 'node:events';\n${SLEEP}it('a', async () => {\n  const emitter = new EventEmitter();\n  let received = false;\n  emitter.on('done', () => { received = true; });\n  setTimeout(() => emitter.emit('done'), 50);\n  await sleep(100);\n  expect(received).toBe(true);\n});`,
    },
    {
      name: 'a sleep on a setTimeout the test replaced does not wait on real time',
      code: `import { expect, it, vi } from 'vitest';\n${SLEEP}it('a', async () => {\n  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void) => { fn(); return 0; }) as never);\n  await sleep(500);\n  expect(1).toBe(1);\n});`,
    },
    {
      // Route handlers and exposed functions simulating latency of the code under test: no test synchronisation.
      name: 'sleeps inside handlers registered with page.route, exposeFunction or an event listener',
      code: `import { test, expect } from '@playwright/test';\nimport { EventEmitter } from 'node:events';\n${SLEEP}test('a', async ({ page }) => {\n  await page.route('**/api', async (route) => {\n    await sleep(500);\n    await route.fulfill({ body: 'x' });\n  });\n  await page.exposeFunction('slow', async () => { await sleep(500); });\n  const server = new EventEmitter();\n  server.on('request', async () => { await sleep(500); });\n  await expect(page.locator('h1')).toHaveText('x');\n});`,
    },
    {
      // tanstack-query's test of its sleep helper: the sleep is what is measured.
      name: 'a sleep measured by clock reads right around it (a test of the sleep itself)',
      code: `import { expect, it } from 'vitest';\n${SLEEP}it('a', async () => {\n  const start = Date.now();\n  await sleep(500);\n  const end = Date.now();\n  expect(end - start).toBeGreaterThanOrEqual(500);\n});`,
    },
    {
      // unstorage: "should have different dates when an entry was updated" (the storage records the moments itself).
      name: 'a sleep that lets the clock move on between two writes whose recorded moments the test compares',
      code: `import { expect, it } from 'vitest';\nimport assert from 'node:assert';\n${SLEEP}declare const storage: { setItem(k: string, v: string): Promise<void>; getMeta(k: string): Promise<{ mtime: Date; birthtime: Date }> };\nit('a', async () => {\n  await storage.setItem('a', '1');\n  await sleep(100);\n  await storage.setItem('a', '2');\n  const meta = await storage.getMeta('a');\n  expect(meta.mtime).not.toBe(meta.birthtime);\n});\nit('b', async () => {\n  const before = await storage.getMeta('a');\n  await sleep(10);\n  await storage.setItem('a', '3');\n  const after = await storage.getMeta('a');\n  assert.ok(after.mtime > before.mtime);\n});`,
    },
    {
      // react-router: "ensure we hydrate and remain on the boundary", re-reading the page after the sleep.
      name: 'state re-read after a sleep and checked to be unchanged or to lack something',
      code: `import { expect, it } from 'vitest';\n${SLEEP}declare function getHtml(): Promise<string>;\nit('a', async () => {\n  let html = await getHtml();\n  expect(html).toMatch('Broken!');\n  await sleep(500);\n  html = await getHtml();\n  expect(html).toMatch('Broken!');\n  expect(html).not.toMatch('Should not see me');\n  await sleep(500);\n  expect(await getHtml()).not.toContain('Not Found');\n});`,
    },
    {
      // apollo-client: sleeps that give a callback, a poll or hydration the chance to throw, as their comments say.
      name: 'a sleep whose comment says it shows that nothing happens, or that ends a test that fails only by an error surfacing',
      code: `import { expect, it } from 'vitest';\n${SLEEP}declare const stream: { unsubscribe(): void };\ndeclare function render(): { unmount(): void; value: number };\nit('a', async () => {\n  stream.unsubscribe();\n  // Ensure polling has stopped by ensuring the error is not thrown from the mocks\n  await sleep(30);\n});\nit('b', async () => {\n  stream.unsubscribe();\n  await sleep(15);\n\n  // No assertions needed. This test fails if the promise throws an unhandled rejection\n});\nit('c', async () => {\n  const root = render();\n  // wait a bit - hydration errors would be thrown here\n  await sleep(500);\n  root.unmount();\n});\nit('d', async () => {\n  const root = render();\n  // Wait for a while to ensure no updates happen asynchronously\n  await sleep(100);\n  expect(root.value).toBe(1);\n});`,
    },
    {
      name: 'a negated emission or render matcher after the sleep checks an absence',
      code: `import { expect, it } from 'vitest';\n${SLEEP}declare const stream: { unsubscribe(): void };\nit('a', async () => {\n  await sleep(10);\n  stream.unsubscribe();\n  // @ts-expect-error custom matcher\n  await expect(stream).not.toEmitAnything({ timeout: 150 });\n  // @ts-expect-error custom matcher\n  await expect(stream).not.toRerender();\n});`,
    },
  ],
  invalid: [
    {
      // Only a comparison of two recorded moments shows the sleep is there for the clock; one read moment is a wait.
      name: 'a sleep before reading one timestamp of an asynchronous write',
      code: `import { expect, it } from 'vitest';\n${SLEEP}declare const storage: { setItemLater(k: string, v: string): void; getMeta(k: string): Promise<{ mtime?: Date }> };\nit('a', async () => {\n  storage.setItemLater('a', '1');\n  await sleep(500);\n  const meta = await storage.getMeta('a');\n  expect(meta.mtime).toBeDefined();\n});`,
      errors: [{ line: 6, message: MESSAGE }],
    },
    {
      // Work started before the sleep and not awaited may still be running: the sleep waits for it, whatever is compared.
      name: 'a sleep after un-awaited work, even when recorded moments are compared after it',
      code: `import { expect, it } from 'vitest';\n${SLEEP}declare const storage: { setItemLater(k: string, v: string): void; setItem(k: string, v: string): Promise<void>; getMeta(k: string): Promise<{ mtime: Date; birthtime: Date }> };\nit('a', async () => {\n  storage.setItemLater('a', '1');\n  await sleep(500);\n  await storage.setItem('a', '2');\n  const meta = await storage.getMeta('a');\n  expect(meta.mtime).not.toBe(meta.birthtime);\n});`,
      errors: [{ line: 6, message: MESSAGE }],
    },
    {
      name: 'install() of a user object that is no fake-timer library installs nothing',
      code: `import { beforeEach, describe, it } from 'mocha';\n${SLEEP}const FakeTimers = { install: () => ({ uninstall() {} }) };\ndescribe('s', () => {\n  beforeEach(() => { FakeTimers.install(); });\n  it('a', async () => {\n    await sleep(500);\n  });\n});`,
      errors: [{ line: 7, message: MESSAGE }],
    },
    {
      name: 'a sleep right before a wait for a condition only slows the test down: info, with its own message',
      code: `import { test, expect } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await page.click('#go');\n  await page.waitForTimeout(500);\n  await expect(page).toHaveURL('/done');\n  await page.waitForTimeout(500);\n  await page.waitForSelector('#b');\n  await page.waitForTimeout(500);\n  await expect(await page.textContent('#c')).toBe('x');\n});`,
      errors: [
        { line: 4, severity: 'info', message: 'Fixed sleep of 500 ms right before a wait for a condition' },
        { line: 6, severity: 'info', message: 'Fixed sleep of 500 ms right before a wait for a condition' },
        { line: 8, severity: 'warning', message: 'Fixed sleep of 500 ms used to wait' },
      ],
    },
    {
      name: 'a changed value checked after a sleep: something had to happen',
      code: `import { expect, it } from 'vitest';\n${SLEEP}declare function getHtml(): Promise<string>;\nit('a', async () => {\n  const before = await getHtml();\n  await sleep(500);\n  const after = await getHtml();\n  expect(after).not.toBe(before);\n});`,
      errors: [{ line: 6, message: MESSAGE }],
    },
    {
      name: 'a clock read before the sleep but none right after: the sleep waits for something else',
      code: `import { expect, it } from 'vitest';\n${SLEEP}${READY}it('a', async () => {\n  const start = Date.now();\n  await sleep(500);\n  expect(await ready()).toBe(true);\n  expect(Date.now() - start).toBeLessThan(5000);\n});`,
      errors: [{ line: 7, message: MESSAGE }],
    },
    {
      name: 'a sleep after the test\'s own timer with a longer delay, or with an async callback, still guesses',
      code: `import { expect, it } from 'vitest';\n${SLEEP}${READY}it('a', async () => {\n  let received = false;\n  setTimeout(() => { received = true; }, 800);\n  await sleep(500);\n  setTimeout(async () => { await click(); received = true; }, 100);\n  await sleep(500);\n  expect(received).toBe(true);\n});`,
      errors: [{ line: 8, message: MESSAGE }, { line: 10, message: MESSAGE }],
    },
    {
      name: 'a setTimeout replaced in another test does not cover this one',
      code: `import { expect, it, vi } from 'vitest';\n${SLEEP}it('a', () => {\n  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void) => { fn(); return 0; }) as never);\n});\nit('b', async () => {\n  await sleep(500);\n  expect(1).toBe(1);\n});`,
      errors: [{ line: 7, message: MESSAGE }],
    },
    {
      name: 'an error-surfacing comment does not cover checks after the sleep, a hook, or a sleep at the end of a test without one',
      code: `import { afterEach, expect, it } from 'vitest';\n${SLEEP}declare function render(): { unmount(): void; value: number };\nit('a', async () => {\n  const root = render();\n  // errors would be thrown here\n  await sleep(500);\n  expect(root.value).toBe(2);\n});\nafterEach(async () => {\n  // hydration errors would be thrown here\n  await sleep(500);\n});\nit('b', async () => {\n  render();\n  await sleep(500);\n});`,
      errors: [{ line: 7, message: MESSAGE }, { line: 12, message: MESSAGE }, { line: 16, message: MESSAGE }],
    },
    {
      name: 'a sleep that is not awaited waits for nothing',
      code: `import { it } from 'vitest';\nimport { setTimeout as wait } from 'node:timers/promises';\n${SLEEP}it('a', async () => {\n  sleep(500);\n  wait(500);\n  new Promise((resolve) => setTimeout(resolve, 500));\n});`,
      errors: [{ line: 5, message: FLOATING }, { line: 6, message: FLOATING }, { line: 7, message: FLOATING }],
      output: null,
    },
    {
      name: 'the advice follows the runner',
      code: `import { test } from '@playwright/test';\nimport { it } from 'mocha';\n${SLEEP}test('a', async ({ page }) => {\n  await page.waitForTimeout(500);\n});\nit('b', async () => {\n  await sleep(500);\n});`,
      errors: [{ line: 5, message: 'a web-first assertion' }, { line: 8, message: 'a poll with a deadline or an event' }],
    },
    {
      name: 'inline promisified setTimeout',
      code: `import { it } from 'vitest';\nit('a', async () => {\n  await new Promise((r) => setTimeout(r, 500));\n});`,
      errors: [{ line: 3, message: MESSAGE }],
      output: null,
    },
    {
      name: 'variants: resolve => setTimeout(resolve, n), setTimeout(() => r(), n), function bodies, globalThis',
      code: `import { it } from 'vitest';\nit('a', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 100));\n  await new Promise<void>((r) => setTimeout(() => r(), 200));\n  await new Promise<void>(function (resolve) { setTimeout(function () { resolve(); }, 300); });\n  await new Promise((r) => globalThis.setTimeout(r, 1_000));\n});`,
      errors: [
        { line: 3, message: 'Fixed sleep of 100 ms' },
        { line: 4, message: 'Fixed sleep of 200 ms' },
        { line: 5, message: 'Fixed sleep of 300 ms' },
        { line: 6, message: 'Fixed sleep of 1000 ms' },
      ],
    },
    {
      name: 'local sleep helper, with a constant and arithmetic durations',
      code: `import { it } from 'vitest';\n${SLEEP}const SETTLE_MS = 750;\nit('a', async () => {\n  await sleep(500);\n  await sleep(SETTLE_MS);\n  await sleep(2 * 1000);\n});`,
      errors: [{ line: 5, message: MESSAGE }, { line: 6, message: 'of 750 ms' }, { line: 7, message: 'of 2000 ms' }],
    },
    {
      name: 'a duration that is not a constant is quoted',
      code: `import { it } from 'vitest';\n${SLEEP}declare const settleMs: number;\nit('a', async () => {\n  await sleep(settleMs);\n});`,
      errors: [{ line: 5, message: 'Fixed sleep of `settleMs` ms used to wait' }],
    },
    {
      name: 'imported helpers, one and two levels deep (default parameter values)',
      code: `import { it } from 'vitest';\nimport { sleep, pause } from './helpers/timing.js';\nasync function settle(ms = 400) { await sleep(ms); }\nit('a', async () => {\n  await sleep(500);\n  await pause();\n  await settle();\n});`,
      errors: [{ line: 5, message: MESSAGE }, { line: 6, message: 'of 250 ms' }, { line: 7, message: 'of 400 ms' }],
    },
    {
      name: 'node:timers/promises, timers/promises and a namespace import',
      code: `import { it } from 'vitest';\nimport { setTimeout as wait } from 'node:timers/promises';\nimport { setTimeout as delayed } from 'timers/promises';\nimport * as timers from 'node:timers/promises';\nit('a', async () => {\n  await wait(500);\n  await delayed(500);\n  await timers.setTimeout(500);\n  await timers.scheduler.wait(500);\n});`,
      errors: [{ line: 6 }, { line: 7 }, { line: 8 }, { line: 9 }],
    },
    {
      name: 'util.promisify(setTimeout)',
      code: `import { it } from 'vitest';\nimport { promisify } from 'node:util';\nimport util from 'node:util';\nconst sleep = promisify(setTimeout);\nconst nap = util.promisify(setTimeout);\nit('a', async () => {\n  await sleep(500);\n  await nap(500);\n});`,
      errors: [{ line: 7, message: MESSAGE }, { line: 8, message: MESSAGE }],
    },
    {
      name: 'the npm delay package',
      code: `/// <reference path="./ambient/delay.d.ts" />\nimport { it } from 'vitest';\nimport delay, { rangeDelay } from 'delay';\nit('a', async () => {\n  await delay(500);\n  await rangeDelay(100, 200);\n});`,
      errors: [{ line: 5, message: MESSAGE }, { line: 6, message: 'Fixed sleep of `100–200` ms' }],
    },
    {
      name: 'Playwright page.waitForTimeout and frame.waitForTimeout, in a test, a hook and a step',
      code: `import { test } from '@playwright/test';\ntest.beforeEach(async ({ page }) => {\n  await page.waitForTimeout(500);\n});\ntest('a', async ({ page }) => {\n  await page.mainFrame().waitForTimeout(500);\n  await test.step('s', async () => {\n    await page.waitForTimeout(500);\n  });\n});`,
      errors: [{ line: 3, message: MESSAGE }, { line: 6 }, { line: 8 }],
      output: null,
    },
    {
      name: 'Playwright fixtures from base.extend',
      code: `import { test as base } from '@playwright/test';\nconst test = base.extend<{ user: string }>({ user: async ({}, use) => { await use('u'); } });\ntest('a', async ({ page, user }) => {\n  void user;\n  await page.waitForTimeout(500);\n});`,
      errors: [{ line: 5 }],
    },
    {
      name: 'a hook or test that returns the sleep',
      code: `import { beforeEach, it } from 'vitest';\n${SLEEP}beforeEach(() => sleep(500));\nit('a', () => {\n  return sleep(500);\n});`,
      errors: [{ line: 3 }, { line: 5 }],
    },
    {
      name: 'fixed repetitions are not polling',
      code: `import { it } from 'vitest';\n${SLEEP}${READY}it('a', async () => {\n  for (let i = 0; i < 3; i++) {\n    await click();\n    await sleep(500);\n  }\n  for (const n of [1, 2]) {\n    void n;\n    await sleep(500);\n    for (const m of [1]) { if (m) break; }\n  }\n});`,
      errors: [{ line: 8 }, { line: 12 }],
    },
    {
      name: 'fake timers in another describe do not cover this test',
      code: `import { beforeEach, describe, it, vi } from 'vitest';\n${SLEEP}describe('fake', () => {\n  beforeEach(() => { vi.useFakeTimers(); });\n});\ndescribe('real', () => {\n  it('a', async () => {\n    await sleep(500);\n  });\n});`,
      errors: [{ line: 8 }],
    },
    {
      name: 'mocha globals, node:test and jest',
      code: `import test from 'node:test';\nimport { it as jit } from '@jest/globals';\n${SLEEP}describe('m', () => {\n  before(async () => { await sleep(500); });\n});\ntest('n', async (t) => {\n  await t.test('sub', async () => { await sleep(500); });\n});\njit('j', async () => { await sleep(500); });`,
      errors: [{ line: 5 }, { line: 8 }, { line: 10 }],
    },
    {
      name: 'a presence check after a sleep (the sleep waits for something to happen)',
      code: `import { expect, it, vi } from 'vitest';\n${SLEEP}it('a', async () => {\n  const spy = vi.fn();\n  await sleep(500);\n  expect(spy).not.toHaveBeenCalled();\n  expect(spy).toHaveBeenCalledTimes(1);\n});`,
      errors: [{ line: 5, message: MESSAGE }],
    },
    {
      name: 'a sleep inside a helper awaited from a test: reported at the call site, naming the helper',
      code: `import { test } from '@playwright/test';\nimport type { Page } from '@playwright/test';\nasync function settle(page: Page) {\n  await page.mouse.move(0, 0);\n  await page.waitForTimeout(500);\n}\ntest('a', async ({ page }) => {\n  await settle(page);\n});`,
      errors: [{ line: 5, message: 'Fixed sleep of 500 ms inside `settle()` (`page.waitForTimeout(500)`), awaited by the tests at line 8: too short' }],
    },
    {
      // documenso: \`apiSignin()\` (in a fixtures file) awaits page.waitForTimeout(500) and is awaited hundreds of times.
      name: 'an imported helper that sleeps, awaited from several tests: one finding at the first call site',
      code: `import { it } from 'vitest';\nimport { signIn } from './helpers/timing.js';\nit('a', async () => {\n  await signIn('a');\n  await signIn('b');\n});\nit('b', async () => {\n  await signIn('c');\n});`,
      errors: [{ line: 4, message: 'Fixed sleep of 500 ms inside `signIn()` (`sleep(500)`) used to wait (also awaited at lines 5 and 8): too short' }],
    },
    {
      name: 'a helper in the same file awaited from several tests: one finding at its sleep; differing durations are not named',
      code: `import { it } from 'vitest';\n${SLEEP}async function settle(ms: number) {\n  await Promise.resolve();\n  await sleep(ms);\n}\nit('a', async () => {\n  await settle(500);\n});\nit('b', async () => {\n  await settle(800);\n});`,
      errors: [{ line: 5, message: 'Fixed sleep inside `settle()` (`sleep(ms)`), awaited by the tests at lines 8 and 11: too short' }],
    },
    {
      name: 'a sleeping method reached through a call typed by a conditional type (both branches are candidates)',
      code: `import { it } from 'vitest';\n${SLEEP}class Waiter { pause(ms: number) { return sleep(ms); } }\nclass Idle { done = Promise.resolve(); pause(_ms: number) { return this.done; } }\ndeclare function pick<T extends 'wait' | 'idle'>(kind: T): T extends 'wait' ? Waiter : Idle;\nit('a', async () => {\n  await pick('idle').pause(500);\n  const waiter = pick('wait');\n  await waiter.pause(500);\n});`,
      errors: [{ line: 9, message: MESSAGE }],
    },
    {
      name: 'a two-level helper passed 0 ms first and 500 ms later: the first call site does not make it sleepless',
      code: `import { it } from 'vitest';\nasync function sleepFor(ms: number) {\n  await Promise.resolve();\n  await new Promise<void>((resolve) => setTimeout(resolve, ms));\n}\nasync function pauseFor(ms: number) {\n  await Promise.resolve();\n  await sleepFor(ms);\n}\nit('a', async () => {\n  await pauseFor(0);\n  await pauseFor(500);\n});`,
      errors: [{ line: 8, message: 'Fixed sleep of 500 ms inside `pauseFor()`' }],
    },
    {
      name: 'a sleep inside an async callback handed to an awaited helper',
      code: `import { it } from 'vitest';\n${SLEEP}declare function inTempDir(fn: () => Promise<void>): Promise<void>;\nit('a', async () => {\n  await inTempDir(async () => {\n    await sleep(500);\n  });\n});`,
      errors: [{ line: 6, message: MESSAGE }],
    },
    {
      name: 'a sleep followed by a check that an error did surface',
      code: `import test from 'node:test';\n${SLEEP}test('a', async (t) => {\n  let pingError: Error | null = null;\n  process.once('uncaughtException', (e) => { pingError = e; });\n  await sleep(500);\n  t.assert.ok(pingError);\n});`,
      errors: [{ line: 6, message: MESSAGE }],
    },
  ],
});

describe('fixed-sleep: one claim per helper and file', () => {
  const workspace = new Workspace({ root: TYPED_FIXTURE, rules: [findRule('fixed-sleep')!] });
  afterAll(() => workspace.dispose());

  it('lists the other call sites as related locations', () => {
    const code = `import { it } from 'vitest';\nimport { signIn } from './helpers/timing.js';\nit('a', async () => {\n  await signIn('a');\n  await signIn('b');\n});\nit('b', async () => {\n  await signIn('c');\n});`;
    const { findings } = runRule(workspace, 'fixed-sleep', { code });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.related?.map((r) => [r.range.start.line + 1, r.message])).toEqual([
      [5, 'also awaits `signIn()`, which sleeps'],
      [8, 'also awaits `signIn()`, which sleeps'],
    ]);
  });
});
