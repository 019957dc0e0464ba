import { ruleTable } from '../helpers/ruleTester.js';

const save = 'async function save(n: number): Promise<void> { void n; }\n';

ruleTable('async-callback-misuse', {
  valid: [
    { name: 'for...of with await', code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  for (const n of [1, 2]) await save(n);\n});` },
    { name: 'await Promise.all(arr.map(async ...))', code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  await Promise.all([1, 2].map(async (n) => { await save(n); }));\n});` },
    { name: 'a bare arr.map(async ...) is floating-promise\'s finding', code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  [1, 2].map(async (n) => { await save(n); });\n});` },
    { name: 'sync forEach and sync listeners', code: `import { it } from '@jest/globals';\nimport { EventEmitter } from 'node:events';\nit('a', () => {\n  const seen: number[] = [];\n  [1, 2].forEach((n) => { seen.push(n); });\n  const emitter = new EventEmitter();\n  emitter.on('x', () => { seen.push(0); });\n});` },
    { name: 'a concise arrow returning a promise to forEach is floating-promise\'s finding', code: `import { it } from 'vitest';\n${save}it('a', () => {\n  [1, 2].forEach((n) => save(n));\n});` },
    { name: 'test, hook and describe registrations take async callbacks', code: `import { describe, it, beforeEach, afterAll } from '@jest/globals';\ndescribe('s', () => {\n  beforeEach(async () => {});\n  afterAll(async function () {});\n  it('a', async () => {});\n  it.each([1])('n %i', async (n) => { void n; });\n});` },
    { name: 'mocha globals: it and before with async functions', code: `describe('s', () => {\n  before(async function () {});\n  it('a', async function () {});\n});` },
    { name: 'node:test: test, t.test, t.after', code: `import test from 'node:test';\ntest('a', async (t) => {\n  t.after(async () => {});\n  await t.test('b', async () => {});\n});` },
    { name: 'Playwright test.step and page.route take async callbacks', code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await test.step('s', async () => {});\n  await page.route('**/api', async (route) => { await route.fulfill({ body: '' }); });\n});` },
    { name: 'parameters typed to accept promises', code: `import { it, vi } from 'vitest';\nfunction run(cb: () => void | Promise<void>) { void cb(); }\nfunction any(cb: () => any) { void cb(); }\nfunction unknownCb(cb: () => unknown) { void cb(); }\nit('a', async () => {\n  run(async () => {});\n  any(async () => {});\n  unknownCb(async () => {});\n  vi.fn(async () => 1);\n  await vi.waitFor(async () => {});\n});` },
    { name: 'then and finally callbacks are awaited', code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  await save(1).then(async () => { await save(2); }).finally(async () => { await save(3); });\n});` },
    { name: 'sync timer callbacks: setTimeout(() => done(), 10)', code: `it('a', function (done) {\n  setTimeout(() => done(), 10);\n});` },
    { name: 'a sync Promise executor', code: `import { it } from 'vitest';\nit('a', async () => {\n  await new Promise<void>((resolve) => { setTimeout(resolve, 1); });\n});` },
    { name: 'untyped JS: unknown receivers are never reported', filename: 'untyped/acm-valid.test.js', code: `it('a', async () => {\n  const items = globalThis.items;\n  items.forEach(async (x) => { await x; });\n});` },
    { name: 'a user-defined `on` returning any is not a library listener', code: `import { it } from 'vitest';\nconst bus = { on(event: string, cb: () => any) { void event; void cb; } };\nit('a', () => {\n  bus.on('x', async () => {});\n});` },
    { name: 'async generators return no promise', code: `import { it } from 'vitest';\nit('a', () => {\n  [1].forEach(async function* () { yield 1; });\n});` },
    {
      // Playwright's documented pattern: the page stays blocked until the dialog is handled.
      name: 'Playwright dialog listeners',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.on('dialog', async (dialog) => { await dialog.dismiss(); });\n  page.once('dialog', async (dialog) => { await dialog.accept(); });\n});`,
    },
    {
      name: 'an overload made for async callbacks',
      code: `import { it } from 'vitest';\n${save}declare function onChange(cb: () => void): void;\ndeclare function onChange(cb: () => Promise<void>): void;\nit('a', () => {\n  onChange(async () => { await save(1); });\n});`,
    },
    {
      // react-router: assertNavigation(container, resolve) is typed () => void but awaits act(() => resolve()).
      name: 'a workspace callee that uses the callback\'s result despite its void type',
      code: `import { it } from 'vitest';\n${save}async function wrap(cb: () => unknown) { await cb(); }\nasync function assertNavigation(resolve: () => void, resolveLazy: () => void, report: () => void) {\n  await wrap(() => resolve());\n  await wrap(resolveLazy);\n  return { report };\n}\nit('a', async () => {\n  const resolve = () => save(1);\n  await assertNavigation(resolve, resolve, async () => { await save(2); });\n});`,
    },
    {
      name: 'Testing Library act with an async callback picks the promise overload',
      code: `import { it } from 'vitest';\nimport { act } from '@testing-library/react';\n${save}it('a', async () => {\n  await act(async () => { await save(1); });\n});`,
    },

    // An async function that never awaits and returns no promise runs to completion before its caller moves on.
    { name: 'async callbacks that never await and hold no assertion', code: `import { it } from 'vitest';\nimport { EventEmitter } from 'node:events';\nit('a', () => {\n  const seen: number[] = [];\n  [1, 2].forEach(async (n) => { seen.push(n); });\n  new EventEmitter().on('x', async () => { seen.push(0); });\n  setTimeout(async () => {}, 1);\n});` },
    { name: 'a non-async Promise executor returning a promise is not an async executor', code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  await new Promise<void>((resolve) => {\n    return save(1).then(resolve);\n  });\n});` },
    { name: 'async executor without await or assertion', code: `import { it } from 'vitest';\nit('a', async () => {\n  await new Promise<void>(async (resolve) => { resolve(); });\n});` },
    { name: 'fixed form of an async predicate: resolve first, then filter synchronously', code: `import { it } from 'vitest';\nasync function ok(n: number) { return n > 1; }\nit('a', async () => {\n  const items = [1, 2];\n  const flags = await Promise.all(items.map((n) => ok(n)));\n  const kept = items.filter((_, i) => flags[i]);\n  void kept;\n});` },
    { name: 'a user filter method is no array predicate', code: `import { it } from 'vitest';\nconst list = { filter(cb: (n: number) => unknown) { return cb(1); } };\nit('a', () => {\n  void list.filter(async (n) => n > 0);\n});` },
    { name: 'handler positions accepting promises, and user-declared handler properties', code: `import { it } from 'vitest';\n${save}interface Options { onDone: () => void }\nfunction run(o: Options) { void o; }\nconst cb: () => Promise<void> = async () => { await save(1); };\nit('a', () => {\n  run({ onDone: async () => { await save(2); } });\n  void cb;\n});` },
    { name: 'handler positions without an assertion: the caller may wait for a signal it sends, unsure', code: `import { it } from 'vitest';\n${save}interface Ctx { waitUntil(p: Promise<unknown>): void }\nclass FakeCtx implements Ctx { async waitUntil(p: Promise<unknown>) { await p; } }\nit('a', () => {\n  const ready: () => void = async () => { await save(3); };\n  void ready; void FakeCtx;\n});` },
    { name: 'an override of a method returning a promise', code: `import { it } from 'vitest';\n${save}class Base { async setup(): Promise<void> {} }\nclass Child extends Base { async setup() { await save(1); } }\nit('a', () => { void new Child(); });` },
    { name: 'fixed form of an async void variable', code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  const cb: () => Promise<void> = async () => { await save(1); };\n  await cb();\n});` },
    { name: 'listeners and request handlers without assertions: often awaited through the signal they send, unsure', code: `import { it } from 'vitest';\nimport { createServer } from 'node:http';\n${save}it('a', async () => {\n  const server = createServer(async (req, res) => { await save(1); res.end('ok'); });\n  server.listen(0, async () => { await save(2); });\n  server.on('request', async () => { await save(3); });\n  server.close();\n});` },
    { name: 'node:test fails the test an unhandled rejection comes from: listeners and void callbacks with assertions are silent', code: `import test from 'node:test';\nimport { createServer } from 'node:http';\nimport assert from 'node:assert';\n${save}test('a', (t, done) => {\n  const server = createServer((req, res) => { res.end('ok'); });\n  server.listen(0, async () => { await save(1); assert.ok(true); server.close(); done(); });\n});` },
    { name: 'a listener that never awaits but asserts: removing async would not make it a test failure either', code: `import { it, expect } from 'vitest';\nimport { EventEmitter } from 'node:events';\nit('a', () => {\n  const e = new EventEmitter();\n  e.on('x', async (n: number) => { expect(n).toBe(1); });\n  e.emit('x', 1);\n});` },
    { name: 'fixed form of a sync-async callback with an assertion: no async', code: `import { it, expect } from 'vitest';\nit('a', () => {\n  [1, 2].forEach((n) => { expect(n).toBeGreaterThan(0); });\n});` },
  ],
  invalid: [
    {
      name: 'vitest: arr.forEach(async) in an async test: Promise.all fix',
      code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  const items = [1, 2];\n  items.forEach(async (n) => {\n    await save(n);\n  });\n});`,
      errors: [{ line: 5, message: '`forEach` does not wait for async callbacks: the test moves on, or ends, before they finish, and their rejections are reported as unhandled errors of the run, not as failures of this test. Use `for...of` with `await`, or `await Promise.all(items.map(...))`.' }],
      output: `import { it } from 'vitest';\n${save}it('a', async () => {\n  const items = [1, 2];\n  await Promise.all(items.map(async (n) => {\n    await save(n);\n  }));\n});`,
    },
    {
      name: 'jest: forEach in a sync test: no fix',
      code: `import { it } from '@jest/globals';\n${save}it('a', () => {\n  [1, 2].forEach(async (n) => { await save(n); });\n});`,
      errors: [{ line: 4, message: '`forEach` does not wait for async callbacks: the test moves on, or ends, before they finish, and their rejections are lost, or fail whichever test is running then.' }],
      output: null,
    },
    {
      // node:test reports a rejection nobody handled: against the test while it runs, against the run once it ended.
      name: 'node:test: forEach, with what becomes of the rejections there',
      code: `import test from 'node:test';\n${save}test('a', () => {\n  [1, 2].forEach(async (n) => { await save(n); });\n});`,
      errors: [{ line: 4, message: '`forEach` does not wait for async callbacks: the test moves on, or ends, before they finish, and their rejections after the test ended fail the run, not this test.' }],
      output: null,
    },
    {
      name: 'forEach used as a value (not a statement): no fix',
      code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  const r = [1].forEach(async (n) => { await save(n); });\n  void r;\n});`,
      errors: [{ line: 4 }],
      output: null,
    },
    {
      name: 'Map and Set forEach: no map() fix',
      code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  new Map([[1, 2]]).forEach(async (v) => { await save(v); });\n  new Set([1]).forEach(async (v) => { await save(v); });\n});`,
      errors: [{ line: 4, message: 'over the entries' }, { line: 5, message: 'over the entries' }],
      output: null,
    },
    {
      name: 'a named async function passed to forEach',
      code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  [1, 2].forEach(save);\n});`,
      errors: [{ line: 4, message: '`forEach` does not wait' }],
      output: null,
    },
    {
      name: 'mocha: async listeners on EventEmitter (on, once) and process.on',
      code: `import { EventEmitter } from 'node:events';\nimport assert from 'node:assert';\n${save}describe('s', () => {\n  it('a', () => {\n    const emitter = new EventEmitter();\n    emitter.on('data', async () => { await save(1); assert.ok(true); });\n    emitter.once('end', async function () { await save(2); assert.ok(true); });\n    process.on('exit', async () => { await save(3); assert.ok(true); });\n  });\n});`,
      errors: [
        { line: 7, message: 'Async callback passed to `emitter.on`: the emitter does not wait for the promise it returns' },
        { line: 8, message: '`emitter.once`' },
        { line: 9, message: '`process.on`' },
      ],
      output: null,
    },
    {
      name: 'addEventListener with an async listener',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const target = new EventTarget();\n  target.addEventListener('x', async () => { await Promise.resolve(); expect(1).toBe(1); });\n});`,
      errors: [{ line: 4, message: '`target.addEventListener`' }],
    },
    {
      name: 'Playwright page.on with an async listener',
      code: `import { test, expect } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.on('request', async (request) => { await expect(request.response()).resolves.toBeTruthy(); });\n  await page.goto('/');\n});`,
      errors: [{ line: 3, message: 'Async callback passed to `page.on`' }],
    },
    {
      // @sinonjs/fake-timers: the timer callback resolves the promise the test awaits, so the test cannot end first.
      name: "an async timer callback that calls the enclosing promise's resolve: the test waits for it, and hangs when it fails",
      code: `import { it } from 'vitest';\n${save}it('a', async () => {\n  await new Promise<void>((resolve) => {\n    setTimeout(async () => {\n      await save(1);\n      setTimeout(() => { resolve(); });\n    });\n  });\n});`,
      errors: [{ line: 5, message: "Async callback passed to `setTimeout`: the test waits for it through the enclosing promise's `resolve`, but an error it throws (after an `await`) is an unhandled rejection and `resolve` is never called, so the test times out instead of failing." }],
    },
    {
      name: 'timers: setTimeout, setInterval, setImmediate, process.nextTick, queueMicrotask, globalThis.setTimeout',
      code: `import { it } from 'vitest';\n${save}it('a', () => {\n  setTimeout(async () => { await save(1); }, 10);\n  const id = setInterval(async () => { await save(1); }, 10);\n  clearInterval(id);\n  setImmediate(async () => { await save(1); });\n  process.nextTick(async () => { await save(1); });\n  queueMicrotask(async () => { await save(1); });\n  globalThis.setTimeout(async () => { await save(1); }, 1);\n});`,
      errors: [
        { line: 4, message: 'Async callback passed to `setTimeout`: nothing waits for it' },
        { line: 5, message: '`setInterval`' },
        { line: 7, message: '`setImmediate`' },
        { line: 8, message: '`process.nextTick`' },
        { line: 9, message: '`queueMicrotask`' },
        { line: 10, message: '`globalThis.setTimeout`' },
      ],
    },
    {
      name: 'async Promise executor',
      code: `import { it } from '@jest/globals';\n${save}it('a', async () => {\n  await new Promise<void>(async (resolve) => {\n    await save(1);\n    resolve();\n  });\n});`,
      errors: [{ line: 4, message: 'Async Promise executor' }],
      output: null,
    },
    {
      name: 'Node callback API: fs.readFile(path, async (err, data) => ...)',
      code: `import * as fs from 'node:fs';\nimport assert from 'node:assert';\n${save}describe('s', () => {\n  it('reads', (done) => {\n    fs.readFile('x', async (err, data) => {\n      await save(data.length);\n      assert.equal(err, null);\n      done(err);\n    });\n  });\n});`,
      errors: [{ line: 6, message: /^Async callback passed to `fs\.readFile`, which expects a callback returning `void`/ }],
    },
    {
      name: 'vitest: a user API typed () => void',
      code: `import { test } from 'vitest';\nimport assert from 'node:assert';\nfunction onReady(cb: () => void) { cb(); }\ntest('a', () => {\n  onReady(async () => { await Promise.resolve(); assert.ok(true); });\n});`,
      errors: [{ line: 5, message: '`onReady`' }],
    },
    {
      name: 'a workspace callee that only calls the callback as a statement',
      code: `import { it } from 'vitest';\n${save}function onReady(cb: () => void) {\n  cb();\n  void (cb)();\n}\nit('a', () => {\n  const ready = () => save(1);\n  onReady(ready);\n});`,
      errors: [{ line: 9, message: 'Callback returning a promise passed to `onReady`' }],
    },
    {
      name: 'a non-async function whose body returns a promise',
      code: `import { it } from 'vitest';\n${save}it('a', () => {\n  [1].forEach(function (n) { return save(n); });\n});`,
      errors: [{ line: 4, message: '`forEach` does not wait' }],
      output: null,
    },
    {
      name: 'untyped JS: array literal forEach and setTimeout',
      filename: 'untyped/acm-invalid.test.js',
      code: `describe('s', () => {\n  it('a', async () => {\n    [1, 2].forEach(async (n) => { await n; });\n    setTimeout(async () => { await 1; }, 5);\n  });\n});`,
      errors: [{ line: 3, message: '`forEach`' }, { line: 4, message: '`setTimeout`' }],
      output: `describe('s', () => {\n  it('a', async () => {\n    await Promise.all([1, 2].map(async (n) => { await n; }));\n    setTimeout(async () => { await 1; }, 5);\n  });\n});`,
    },
    {
      name: 'an async callback that never awaits but asserts: info, remove async',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  [1, 2].forEach(async (n) => { expect(n).toBeGreaterThan(0); });\n});`,
      errors: [{ line: 3, message: /^This async callback passed to `\[…\]\.forEach` never awaits, so it cannot outlive its caller; but an assertion failing inside it rejects a promise nobody handles/ }],
      output: `import { it, expect } from 'vitest';\nit('a', () => {\n  [1, 2].forEach((n) => { expect(n).toBeGreaterThan(0); });\n});`,
    },
    {
      name: 'an async Promise executor that never awaits but asserts',
      code: `import { it, expect } from 'vitest';\nit('a', async () => {\n  await new Promise<void>(async (resolve) => {\n    expect(1).toBe(1);\n    resolve();\n  });\n});`,
      errors: [{ line: 3, message: 'the test times out instead of failing with the assertion' }],
    },
    {
      name: 'async predicates are always truthy',
      code: `import { it } from 'vitest';\nasync function ok(n: number) { return n > 1; }\nit('a', () => {\n  const items = [1, 2];\n  void items.filter(async (n) => ok(n));\n  void items.every(async (n) => await ok(n));\n  void items.some(async () => true);\n  void items.find(async (n) => { return ok(n); });\n});`,
      errors: [
        { line: 5, message: /^Async predicate passed to `filter`: it returns a promise, which is always truthy, so `filter` keeps every element/ },
        { line: 6, message: '`every` is always true' },
        { line: 7, message: '`some`' },
        { line: 8, message: '`find` returns the first element' },
      ],
    },
    {
      name: 'a library handler property, a void-typed variable, and a void override',
      code: `import { it, expect } from 'vitest';\nimport { Writable } from 'node:stream';\n${save}class Base { start(): void {} }\nclass Child extends Base { async start() { await save(1); expect(1).toBe(1); } }\nit('a', () => {\n  const sink = new Writable({ final: async (cb) => { await save(2); expect(2).toBe(2); cb(); } });\n  const ready: () => void = async () => { await save(3); expect(3).toBe(3); };\n  void sink; void ready; void Child;\n});`,
      errors: [
        { line: 5, message: 'Async function overriding `Base.start`, which returns `void`' },
        { line: 7, message: 'Async function as `final`, a handler typed to return `void`' },
        { line: 8, message: 'Async function in `ready`, whose type returns `void`' },
      ],
    },
    {
      name: 'JSX event attribute',
      filename: 'acm-jsx.test.tsx',
      code: `import { it, expect } from 'vitest';\n${save}declare global { namespace JSX { interface IntrinsicElements { button: { onClick?: (e: MouseEvent) => void } } } }\nit('a', () => {\n  const el = <button onClick={async () => { await save(1); expect(1).toBe(1); }} />;\n  void el;\n});`,
      errors: [{ line: 5, message: 'to the `onClick` attribute, an event handler typed to return `void`' }],
    },
  ],
});
