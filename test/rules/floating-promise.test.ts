import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRule } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { ruleTable, runRule, TYPED_FIXTURE } from '../helpers/ruleTester.js';

const SAVE = `declare function save(x?: unknown): Promise<void>;\ndeclare const items: number[];\ndeclare const cond: boolean;\n`;

ruleTable('floating-promise', {
  valid: [
    {
      // @sinonjs/fake-timers: `utilPromisify(globalThis.setImmediate)().then(() => { resolved = true; })`, settled by the clock.
      name: 'a recorder on a promisified Node timer, which only ever resolves',
      code: `import { it } from 'mocha';\nimport { promisify } from 'node:util';\nit('a', async () => {\n  let resolved = false;\n  promisify(setImmediate)().then(() => { resolved = true; });\n  promisify(globalThis.setTimeout)(10).then(() => { resolved = true; });\n  void resolved;\n});`,
    },
    {
      // @sinonjs/fake-timers: microtasks queued on a resolved promise to test ordering against timers, then awaited through the clock.
      name: 'a microtask queued on Promise.resolve() whose callbacks assert nothing, inside a timer callback or before the test yields',
      code: `import { it } from 'mocha';\nimport * as sinon from 'sinon';\ndeclare const clock: { setTimeout(fn: () => void, ms: number): void; tickAsync(ms: number): Promise<void> };\nit('a', async () => {\n  const log: string[] = [];\n  const spies = [sinon.spy(), sinon.spy()];\n  clock.setTimeout(() => {\n    log.push('T1');\n    Promise.resolve().then(() => log.push('P1'));\n    globalThis.Promise.resolve().then(spies[0]).then(spies[1]);\n  }, 10);\n  Promise.resolve().then(() => { log.push('P0'); });\n  await clock.tickAsync(10);\n});`,
    },
    {
      // sequelize: a stored promise checked by chai-as-promised assertions the test awaits (they wait for its outcome).
      name: 'a stored promise checked only with awaited chai-as-promised assertions',
      code: `import { expect, use } from 'chai';\nimport chaiAsPromised from 'chai-as-promised';\nuse(chaiAsPromised);\ndeclare function save(): Promise<number>;\nit('a', async () => {\n  const result = (async () => save())();\n  await Promise.all([\n    expect(result).to.eventually.be.rejectedWith(Error),\n    expect(result).to.be.rejectedWith('stale'),\n  ]);\n});`,
    },
    {
      // typeorm: its xfail.it wrapper is typed as mocha's TestFunction; the call resolves to the Func overload (void).
      name: 'a promise returned to a callee whose other overload takes a callback returning a promise',
      code: `${SAVE}interface Ctx { timeout(ms: number): void }\ntype Func = (this: Ctx, done: (error?: unknown) => void) => void;\ntype AsyncFunc = (this: Ctx) => PromiseLike<unknown>;\ninterface TestFn {\n  (title: string, fn?: Func): void;\n  (title: string, fn?: AsyncFunc): void;\n}\ndeclare const xfail: { it: TestFn };\ndescribe('s', () => {\n  xfail.it('a', () => Promise.all(items.map((x) => save(x))));\n});`,
    },
    { name: 'awaited', code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await save();\n});` },
    { name: 'returned from a test callback', code: `import { it } from 'vitest';\n${SAVE}it('a', () => {\n  return save();\n});` },
    { name: 'concise arrow test callback returns it', code: `import { it } from '@jest/globals';\n${SAVE}it('a', () => save());` },
    { name: 'mocha concise callback (Func overload types it as void)', code: `${SAVE}it('a', () => save());\nbeforeEach(() => save());` },
    { name: 'explicitly voided', code: `import { it } from 'vitest';\n${SAVE}it('a', () => {\n  void save();\n  void (save(), save());\n});` },
    {
      name: 'rejection handled with catch or then(ok, fail)',
      code: `import { it } from 'vitest';\n${SAVE}it('a', () => {\n  save().catch(() => {});\n  save().then(() => {}, () => {});\n  save().catch(console.error).finally(() => {});\n});`,
    },
    {
      name: 'stored and awaited later',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  const popup = page.waitForEvent('popup');\n  await page.click('#open');\n  await popup;\n});`,
    },
    { name: 'awaited inside Promise.all', code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await Promise.all([save(1), save(2)]);\n  await Promise.all(items.map((x) => save(x)));\n});` },
    {
      name: 'node:test top-level test(), it() and describe() promises are managed by the runner',
      code: `import test, { describe, it, suite } from 'node:test';\ntest('a', async () => {});\ndescribe('s', () => {\n  it('b', async () => {});\n});\nsuite('t', () => {});`,
    },
    { name: 'node:test awaited subtest', code: `import test from 'node:test';\ntest('p', async (t) => {\n  await t.test('c', () => {});\n});` },
    { name: 'vitest and jest describe', code: `import { describe as vd, it } from 'vitest';\nimport { describe as jd } from '@jest/globals';\nvd('a', () => { it('b', () => {}); });\njd('c', () => {});` },
    { name: 'sync assertions', code: `import { expect, it } from 'vitest';\nit('a', () => {\n  expect(1).toBe(1);\n});` },
    {
      name: 'async assertion chains are left to async-assertion',
      code: `import { expect, it } from 'vitest';\n${SAVE}it('a', async () => {\n  expect(save()).resolves.toBeUndefined();\n  expect.poll(() => 1).toBe(1);\n});`,
    },
    {
      name: 'Playwright matchers are left to async-assertion',
      code: `import { test, expect } from '@playwright/test';\ntest('a', async ({ page }) => {\n  expect(page).toHaveURL('/');\n  expect.soft(page.locator('h1')).toBeVisible();\n});`,
    },
    { name: 'a user function named expect without promises', code: `export {};\nfunction expect(x: number) { return { toBe: (y: number) => x === y }; }\nexpect(1).toBe(1);` },
    { name: 'any-typed values are never findings', code: `import { it } from 'vitest';\ndeclare const anything: any;\ndeclare const something: unknown;\nit('a', () => {\n  anything.click();\n  anything;\n  something;\n});` },
    {
      name: 'untyped JS: page is any',
      filename: 'untyped/untyped-floating.test.js',
      code: `describe('a', function () {\n  it('b', async function () {\n    const page = this.page;\n    page.click('#submit');\n  });\n});\nmodule.exports = function (api) { api.reset(); };`,
    },
    {
      name: 'await using',
      code: `import { it } from 'vitest';\ndeclare function openServer(): Promise<AsyncDisposable>;\nit('a', async () => {\n  await using server = await openServer();\n  void server;\n});`,
    },
    {
      name: 'callbacks whose result is used',
      code: `import { it, vi } from 'vitest';\n${SAVE}it('a', async () => {\n  const spy = vi.fn(() => save());\n  await new Promise<void>((resolve) => setTimeout(resolve, 10));\n  const all = items.map((x) => save(x));\n  await Promise.all(all);\n  await spy();\n});`,
    },
    { name: 'block-bodied forEach callback is not a discarded result', code: `${SAVE}items.forEach((x) => {\n  void save(x);\n});` },
    { name: 'awaited conditional branches', code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  cond ? await save(1) : await save(2);\n  cond && (await save());\n});` },
    {
      // react-hook-form: onClick={() => trigger()} / onClick={() => { trigger('x'); }} in a component rendered by the test.
      name: 'JSX event handlers in a component under test are UI code',
      filename: 'case-jsx-handlers.test.tsx',
      code: `import { it } from 'vitest';\n${SAVE}declare global { namespace JSX { interface IntrinsicElements { button: { onClick?: () => void; children?: unknown } } } }\nit('a', () => {\n  const App = () => (\n    <div>\n      <button onClick={() => save()}>one</button>\n      <button onClick={() => { save(2); }}>two</button>\n    </div>\n  );\n  void App;\n});`,
    },
    {
      // react-hook-form: React.useEffect(() => { loadData(); }, []) and trigger() called while rendering.
      name: 'hook callbacks and component bodies are UI code',
      filename: 'case-hooks.test.tsx',
      code: `import { it } from 'vitest';\n${SAVE}declare const React: { useEffect(fn: () => void, deps?: unknown[]): void };\ndeclare function useEffect(fn: () => void, deps?: unknown[]): void;\nfunction App() {\n  save('render');\n  React.useEffect(() => {\n    save('effect');\n  }, []);\n  useEffect(() => { const load = async () => {}; load(); });\n  return <form />;\n}\nit('a', () => {\n  void App;\n});`,
    },
    {
      // react-hook-form: act(() => methods.reset()) with \`let methods: any\` picks act's Promise<T> overload.
      name: 'a promise type inferred only from a callback returning any',
      code: `import { it } from 'vitest';\ndeclare function act(callback: () => void): void;\ndeclare function act<T>(callback: () => T | Promise<T>): Promise<T>;\nlet methods: any;\nit('a', () => {\n  act(() => methods.reset());\n});`,
    },
    {
      // react-router: \`dfd.resolve(data); await waitFor(...)\` with a deferred whose resolve() also flushes a tick.
      name: 'settling a deferred whose resolve/reject return a promise',
      code: `import { it } from 'vitest';\ndeclare function createDeferred<T>(): { promise: Promise<T>; resolve(v: T): Promise<void>; reject(e?: Error): Promise<void> };\ndeclare function tick(): Promise<void>;\nit('a', async () => {\n  const dfd = createDeferred<number>();\n  dfd.resolve(1);\n  dfd.reject(new Error('x'));\n  await tick();\n});`,
    },
    {
      name: 'awaited Playwright step',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await test.step('s', async () => {\n    await page.click('#a');\n  });\n});`,
    },
    {
      // supertest: callback-style completion on a thenable builder; awaiting `.end(cb)` would send the request twice.
      name: 'supertest ended with a callback or handing done on',
      code: `import { describe, it } from 'mocha';\nimport request from 'supertest';\ndeclare const app: unknown;\ndescribe('api', () => {\n  it('a', (done) => {\n    request(app).get('/').expect(200).end(done);\n  });\n  it('b', (done) => {\n    request(app).get('/').expect(200, done);\n  });\n  it('c', function (done) {\n    request(app).get('/').end((err) => {\n      if (err) return done(err);\n      done();\n    });\n  });\n  it('d', () => request(app).get('/').expect(200));\n});`,
    },
    {
      name: 'promise chains that pass errors on to done',
      code: `import { it } from '@jest/globals';\n${SAVE}it('a', (done) => {\n  save().then(() => done(), done);\n  save().then(() => done()).catch(done);\n});`,
    },
    {
      name: 'an un-awaited sleep in a test is left to fixed-sleep (it cannot reject)',
      code: `import { it, vi } from 'vitest';\nimport { sleep } from './helpers/timing.js';\nit('a', async () => {\n  sleep(500);\n  new Promise((resolve) => setTimeout(resolve, 100));\n  sleep(0);\n});\nit('b', async () => {\n  vi.useFakeTimers();\n  sleep(500);\n});`,
    },
    {
      // Testing Library: act's promise overload is picked by the async callback; awaited it is fine.
      name: 'Testing Library awaited queries, waitFor and act',
      code: `import { it } from 'vitest';\nimport { screen, waitFor, act, fireEvent } from '@testing-library/react';\ndeclare function load(): Promise<number>;\nit('a', async () => {\n  fireEvent.click(screen.getByText('go'));\n  await waitFor(() => screen.getByText('done'));\n  await screen.findByText('ok');\n  await act(async () => { await load(); });\n  act(() => { fireEvent.click(screen.getByText('a')); });\n});`,
    },
    {
      name: 'msw handlers and server lifecycle',
      code: `import { beforeAll, afterAll, afterEach, it } from 'vitest';\nimport { http, HttpResponse, delay } from 'msw';\nimport { setupServer } from 'msw/node';\nconst server = setupServer(http.get('/user', async () => { await delay(150); return HttpResponse.json({}); }));\nbeforeAll(() => server.listen());\nafterEach(() => server.resetHandlers());\nafterAll(() => server.close());\nit('a', () => {\n  server.use(http.post('/user', async ({ request }) => HttpResponse.json(await request.json())));\n});`,
    },

    {
      name: 'a file with no test, suite or hook (a child-process script or fixture under test/) is no test file',
      code: `${SAVE}save();\nasync function main() {\n  save('x');\n}\nvoid main();`,
    },
    {
      name: 'a rejection handler anywhere along the chain',
      code: `import { it } from 'vitest';\n${SAVE}it('a', () => {\n  save().catch(() => {}).then(() => save());\n  save().then(() => 1, () => 2).finally(() => {});\n});`,
    },
    {
      name: 'plain JavaScript passing a Node-style callback beyond the promise signature',
      filename: 'callback-beyond.test.js',
      code: `/** @returns {Promise<string>} */\nfunction request(/** @type {string} */ url) { return Promise.resolve(url); }\nit('a', (done) => {\n  // @ts-ignore\n  request('u', (err) => done(err));\n});`,
    },
    {
      name: 'callback-style calls of APIs with a promise form return nothing at run time',
      code: `import { it } from 'vitest';\ndeclare function close(cb: (err?: Error) => void): void & Promise<void>;\ndeclare function read(path: string): Promise<string>;\ndeclare function read(path: string, cb: (err: Error | null, data?: string) => void): void;\nit('a', (done) => {\n  close(() => {});\n  read('f', (err) => done(err));\n});`,
    },
    {
      name: 'fastify register is not awaited by design; a chaining reply is no promise',
      code: `import { it } from 'vitest';\nimport Fastify, { type FastifyReply } from 'fastify';\nit('a', async () => {\n  const app = Fastify();\n  app.register(async () => {});\n  app.get('/', (request, reply: FastifyReply) => {\n    reply.send({});\n    reply.code(404).send();\n    reply.header('x', 1);\n  });\n  await app.ready();\n});`,
    },
    {
      name: 'settling the executor promise from a chain inside the executor',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  const value = await new Promise<number>((resolve, reject) => {\n    save().then(() => resolve(1));\n    save(2).then(() => { reject(new Error('x')); });\n  });\n  void value;\n});`,
    },
    {
      name: 'fire-and-forget on a handle the test then waits on',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.evaluate(() => fetch('/api'));\n  await page.waitForResponse('/api');\n});`,
    },
    {
      name: 'a release awaited at the end of a test and in a teardown hook',
      code: `import { afterEach, it } from 'vitest';\ndeclare const server: { close(): Promise<void> };\nafterEach(async () => {\n  await server.close();\n});\nit('a', async () => {\n  await server.close();\n});`,
    },
    {
      name: 'awaited expressions that await every promise they hold',
      code: `import { it } from 'vitest';\n${SAVE}declare function ready(): boolean;\nit('a', async () => {\n  await ((await save(1)) && save(2));\n  await save(3);\n  await (await save(4), null);\n  await (ready() && save(5));\n  await (cond || save(6));\n});`,
    },
    {
      name: 'stored promises that are awaited, returned, handed on or checked by value',
      code: `import { expect, it } from 'vitest';\nimport { screen } from '@testing-library/react';\n${SAVE}it('a', async () => {\n  const el = await screen.findByText('x');\n  expect(el).toBeDefined();\n  const p = save(1);\n  await p;\n  const q = save(2);\n  await expect(q).resolves.toBeUndefined();\n  const r = save(3);\n  await Promise.all([r]);\n  const s = save(4);\n  s.catch(() => {});\n});\nit('b', () => {\n  const p = save();\n  return p;\n});`,
    },
    {
      name: 'a stored value that is a promise only in some cases (T | Promise<T>)',
      code: `import { expect, it } from 'vitest';\ndeclare function render(): string | Promise<string>;\nit('a', () => {\n  const html = render();\n  expect(html).toBe('<p/>');\n});`,
    },
    {
      name: 'floats inside a mock implementation belong to the fake',
      code: `import { it, vi } from 'vitest';\nit('a', async () => {\n  const start = vi.fn((cb: () => void) => {\n    Promise.resolve().then(() => cb());\n  });\n  start(() => {});\n});`,
    },
    {
      name: 'writing to a stream that a reader made from the same handle later drains',
      code: `import { expect, it } from 'vitest';\ndeclare class Api { responseReadable: ReadableStream<Uint8Array>; write(s: string): Promise<void> }\ndeclare const api: Api;\nit('a', async () => {\n  const reader = api.responseReadable.getReader();\n  api.write('foo');\n  expect((await reader.read()).value).toBeDefined();\n});`,
    },
    {
      // graphile-worker: a flag set when the work finishes, asserted before and after the test awaits that same promise.
      name: 'a then-callback that records completion of a promise the test awaits later',
      code: `import { expect, it } from '@jest/globals';\ndeclare function start(): { promise: Promise<void>; stop(): Promise<void> };\ndeclare function once(): Promise<void>;\nit('a', async () => {\n  const runner = start();\n  let finished = false;\n  runner.promise.then(() => {\n    finished = true;\n  });\n  const pool = once();\n  let executed = false;\n  pool.then(() => (executed = true));\n  const runs = [once(), once()];\n  let all = false;\n  Promise.all(runs).then(() => {\n    all = true;\n  });\n  expect(finished).toBe(false);\n  await runner.stop();\n  await runner.promise;\n  await pool;\n  await Promise.all(runs);\n  expect(finished && executed && all).toBe(true);\n});`,
    },
    {
      // hono: a timer-resolved deferred whose value a then-callback records into a local the render reads.
      name: 'a then-callback that only records the value of a promise that cannot reject',
      code: `import { expect, it } from 'vitest';\ndeclare function render(p: Promise<string>): Promise<string>;\nit('a', async () => {\n  const deferred = new Promise<string>((resolve) => setTimeout(() => resolve('done'), 10));\n  let resolved: string | undefined;\n  deferred.then((value) => {\n    resolved = value;\n  });\n  let fired = false;\n  new Promise<void>((r) => { setTimeout(r, 5); }).then(() => (fired = true));\n  expect(await render(deferred)).toBe('done');\n  expect(resolved).toBe('done');\n  expect(fired).toBe(true);\n});`,
    },
    {
      name: 'a then-callback recording the value of a test-resolved deferred (withResolvers without reject)',
      code: `import { expect, it } from 'vitest';\ndeclare global { interface PromiseConstructor { withResolvers<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e?: unknown): void } } }\nit('a', async () => {\n  const { promise, resolve } = Promise.withResolvers<number>();\n  let seen = 0;\n  promise.then((v) => { seen = v; });\n  resolve(1);\n  await promise;\n  expect(seen).toBe(1);\n});`,
    },
    {
      // hono: an async IIFE writing into one end of a TransformStream while the test reads the other end.
      name: 'an async producer feeding a stream the test reads afterwards',
      code: `import { expect, it } from 'vitest';\nit('a', async () => {\n  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();\n  ;(async () => {\n    const writer = writable.getWriter();\n    await writer.write(new Uint8Array([1]));\n    await writer.close();\n  })();\n  const reader = readable.getReader();\n  expect((await reader.read()).value).toEqual(new Uint8Array([1]));\n});`,
    },
    {
      name: 'an async producer piping into a stream drained by a helper the test awaits',
      code: `import { expect, it } from 'vitest';\ndeclare class Api { constructor(w: WritableStream, r: ReadableStream); responseReadable: ReadableStream<Uint8Array>; pipe(r: ReadableStream): Promise<void> }\ndeclare function drain(r: ReadableStream<Uint8Array>): Promise<string>;\nit('a', async () => {\n  const source = new TransformStream();\n  const sink = new TransformStream();\n  const api = new Api(sink.writable, sink.readable);\n  ;(async () => {\n    await api.pipe(source.readable);\n  })();\n  expect(await drain(api.responseReadable)).toBe('');\n});`,
    },
    {
      // tanstack-query: work started on purpose, then driven to the end with the fake clock.
      name: 'vitest fake timers: a promise settled by a later async timer advance in the same test',
      code: `import { beforeEach, expect, it, vi } from 'vitest';\n${SAVE}beforeEach(() => { vi.useFakeTimers(); });\nit('a', async () => {\n  save(1);\n  await vi.advanceTimersByTimeAsync(10);\n  save(2);\n  await act(async () => { await vi.runAllTimersAsync(); });\n  expect(1).toBe(1);\n});\ndeclare function act(fn: () => Promise<void>): Promise<void>;`,
    },
    {
      name: 'vitest fake timers: work handed in as a function that first waits on a (fake) timer',
      code: `import { beforeEach, expect, it, vi } from 'vitest';\nconst sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));\ndeclare function execute<T>(options: { fn: () => Promise<T> }): Promise<T>;\nbeforeEach(() => { vi.useFakeTimers(); });\nit('a', () => {\n  execute({ fn: () => sleep(10).then(() => 5) });\n  expect(1).toBe(1);\n});`,
    },
    {
      // tanstack-query: a dehydrated promise replaced by a synchronous thenable.
      name: 'a fake thenable calling the callbacks it was given',
      code: `import { it } from 'vitest';\ndeclare const dehydrated: { promise: Promise<string> };\nit('a', () => {\n  dehydrated.promise.then = ((cb?: (v: string) => Promise<void>) => { cb?.('server data'); }) as never;\n  const thenable = { then(resolve: (v: number) => Promise<void>) { resolve(1); } };\n  void thenable;\n});`,
    },
    {
      name: 'a stored promise handed on through a shorthand property',
      code: `import { expect, it } from 'vitest';\ndeclare function ensure(o: { initialPromise: Promise<string> }): () => Promise<string>;\nit('a', async () => {\n  const initialPromise = Promise.resolve('x');\n  const resolved = ensure({ initialPromise });\n  await expect(resolved()).resolves.toBe('x');\n});`,
    },
    {
      // react-router: a page object built from the page clicks without await, the test waits on the page.
      name: 'fire-and-forget on a page object or an element handle, followed by a wait on the page',
      code: `import { test, expect } from '@playwright/test';\nimport type { Page } from '@playwright/test';\nclass Fixture {\n  constructor(readonly page: Page) {}\n  async clickSubmit(): Promise<void> { await this.page.click('button'); }\n}\ntest('a', async ({ page }) => {\n  let app = new Fixture(page);\n  app.clickSubmit();\n  await page.waitForSelector('#done');\n  (await page.$('a'))?.click();\n  await page.waitForSelector('#b');\n});`,
    },
    {
      name: 'a route handler answering its request without await',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await page.route('**/api', (route) => {\n    route.continue();\n  });\n  await page.route('**/x', async (route) => {\n    route.fulfill({ status: 500, body: 'x' });\n  });\n  await page.goto('/');\n});`,
    },
    {
      // tanstack-query: a fresh client per test, fake timers, work started to check the state in between.
      name: 'vitest fake timers: work on an object made for this test (in the test, or afresh in a beforeEach)',
      code: `import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';\ndeclare class Client { invalidate(): Promise<void>; find(): { cancel(): Promise<void> } }\ndescribe('s', () => {\n  let client: Client;\n  beforeEach(() => {\n    vi.useFakeTimers();\n    client = new Client();\n  });\n  afterEach(() => { vi.useRealTimers(); });\n  it('a', () => {\n    client.invalidate();\n    const query = client.find();\n    query.cancel();\n    const own = new Client();\n    own.invalidate();\n    expect(1).toBe(1);\n  });\n});`,
    },
    {
      // undici: \`dispatcher.close({})\` throws InvalidArgumentError synchronously; the catch asserts on it.
      name: 'a call expected to throw synchronously: last in a try whose catch asserts on the error',
      code: `import test from 'node:test';\nimport assert from 'node:assert';\ndeclare class Agent { close(): Promise<void>; close(cb: () => void): void }\ndeclare function tspl(t: unknown): { ok(v: unknown): void };\ntest('a', (t) => {\n  const p = tspl(t);\n  const d = new Agent();\n  try {\n    // @ts-expect-error invalid argument on purpose\n    d.close({});\n  } catch (err) {\n    p.ok(err instanceof TypeError);\n  }\n  try {\n    // @ts-expect-error\n    d.close(1);\n    assert.fail('should have thrown');\n  } catch (e) {\n    assert.strictEqual((e as Error).name, 'TypeError');\n  }\n});`,
    },
    {
      name: 'a call inside a function handed to a throws-assertion',
      code: `import { expect, it } from 'vitest';\nimport assert from 'node:assert';\n${SAVE}it('a', () => {\n  assert.throws(() => { save(1); }, TypeError);\n  assert.throws(() => save(2));\n  expect(() => { save(3); }).toThrow(TypeError);\n  expect(() => save(4)).toThrowError();\n});`,
    },
    {
      name: 'an async function awaited inside a try that expects it to fail',
      code: `import { expect, it } from 'vitest';\nasync function connect(url: string): Promise<void> { if (!url) throw new Error('no url'); }\nit('a', async () => {\n  try {\n    await connect('');\n  } catch (err) {\n    expect(err).toBeInstanceOf(Error);\n  }\n});`,
    },
    {
      // apollo-client: render streams; the next awaited take is the synchronisation, and shows the floated call's error.
      name: 'fire-and-forget through a stream the test then takes from (destructured siblings, timers, made from the stream)',
      code: `import { expect, it } from '@jest/globals';\ndeclare function renderToStream(): Promise<{ takeSnapshot(): Promise<number>; getCurrentSnapshot(): { refetch(): Promise<void> } }>;\ndeclare const renderStream: { takeRender(): Promise<number>; getCurrentRender(): { snapshot: { fetchMore(): Promise<void> } }; getCurrentSnapshot(): [() => Promise<void>] };\nit('a', async () => {\n  const { takeSnapshot, getCurrentSnapshot } = await renderToStream();\n  getCurrentSnapshot().refetch();\n  await expect(takeSnapshot()).resolves.toBe(1);\n  setTimeout(() => getCurrentSnapshot().refetch());\n  await expect(takeSnapshot()).resolves.toBe(2);\n  renderStream.getCurrentRender().snapshot.fetchMore();\n  await renderStream.takeRender();\n  {\n    const [execute] = renderStream.getCurrentSnapshot();\n    execute();\n  }\n  await renderStream.takeRender();\n});`,
    },
    {
      // apollo-client: InMemoryCache.reset() does its work and returns Promise.resolve() for the async cache interface.
      name: 'a function of the project that works synchronously and returns an already-resolved promise',
      code: `import { expect, it } from '@jest/globals';\nclass MemoryStore {\n  items: number[] = [1];\n  reset(): Promise<void> {\n    this.items = [];\n    return Promise.resolve();\n  }\n  count = (): Promise<number> => Promise.resolve(this.items.length);\n}\nit('a', () => {\n  const store = new MemoryStore();\n  store.reset();\n  store.count();\n  expect(store.items).toEqual([]);\n});`,
    },
    {
      name: 'a comment that says the call is left unawaited on purpose',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  // Intentionally don't await this to ensure we don't get unhandled rejections\n  save(1);\n  save(2); // fire and forget\n  /* not awaited on purpose */ save(3);\n});`,
    },
    {
      // fastify's own tests: \`fastify.register()\` is declared in the repository's types/, not under node_modules.
      name: 'an API not awaited by design, declared by the package under test in its own repository',
      code: `import test from 'node:test';\nimport { build } from './selfpkg/types.js';\ntest('a', async () => {\n  const app = build();\n  app.register(() => {});\n  await app.ready();\n});`,
    },
    {
      // fastify: \`app.ready(() => result.push(id))\` fits neither overload (the listener returns a number).
      name: 'a call of an overloaded function that fits no overload: the fallback return type says nothing',
      code: `import test from 'node:test';\nimport { build } from './selfpkg/types.js';\ntest('a', async () => {\n  const app = build();\n  const result: number[] = [];\n  // @ts-expect-error the listener returns a number\n  app.ready(() => result.push(1));\n  await app.ready();\n});`,
    },
    {
      name: 'node:test done test with a promise chain ending in done (a rejection fails the test there)',
      code: `import test from 'node:test';\n${SAVE}test('a', (t, done) => {\n  save().then(() => done());\n});`,
    },
    {
      name: 'a call returning the object passed to it, and work scheduled after a sleep',
      code: `import test from 'node:test';\nimport { build } from './selfpkg/types.js';\nimport { setTimeout as sleep } from 'node:timers/promises';\ntest('a', async () => {\n  const app = build();\n  Object.defineProperty(app, 'version', { value: '99.0.0' });\n  sleep(500).then(() => app.ready());\n  await app.ready();\n});`,
    },
    {
      name: 'a promise floated at module level of a node:test file (tests registered later still run)',
      code: `import test from 'node:test';\n${SAVE}async function setup() {\n  await save();\n  test('a', () => {});\n}\nsetup();`,
    },
    {
      // fastify: \`Fastify({ bodyLimit: 1.3 })\` in a try, \`fastify()\` to see which modules it loads.
      name: 'a plain factory call whose result is a thenable instance, not a Promise (nothing was started)',
      code: `import test from 'node:test';\nimport { build } from './selfpkg/types.js';\ntest('a', () => {\n  build();\n});`,
    },
    {
      name: 'an array mapped to calls that fit no overload',
      code: `import test from 'node:test';\nimport { build } from './selfpkg/types.js';\ntest('a', async () => {\n  const app = build();\n  const list: number[] = [];\n  // @ts-expect-error the listener returns a number\n  [1, 2].map((id) => app.ready(() => list.push(id)));\n  await app.ready();\n});`,
    },
    {
      // fastify: \`res.send()\` returns \`FastifyReply\` with other type arguments than the receiver's.
      name: 'a chaining method returning another instantiation of its receiver interface',
      code: `import test from 'node:test';\ninterface Reply<T = unknown> { send(x: unknown): Reply<string>; code(n: number): Reply<number>; then(ok: () => void, fail?: (e: Error) => void): void; kind?: T }\ndeclare function onError(handler: (err: Error, reply: Reply) => void): void;\ntest('a', () => {\n  onError((err, reply) => {\n    reply.send(err.message);\n    reply.code(500).send(err);\n  });\n});`,
    },
    {
      name: 'a dual API given its error-first callback (ioredis: returns the promise and hands the error to the callback)',
      code: `import { it } from 'mocha';\ntype Callback<T> = (err?: Error | null, result?: T) => void;\ninterface Redis {\n  set(key: string, value: string, callback?: Callback<'OK'>): Promise<'OK'>;\n  get(key: string, callback?: Callback<string | null>): Promise<string | null>;\n}\ndeclare const redis: Redis;\nconst ignore: Callback<'OK'> = () => {};\nit('a', (done) => {\n  redis.set('a', '1', () => {});\n  redis.set('b', '2', ignore);\n  redis.get('a', (err, value) => {\n    done(err ?? undefined);\n  });\n});`,
    },
  ],
  invalid: [
    {
      name: "a callback parameter typed by the callee's type argument, or by a conditional's branch, is read through the call",
      code: `import { it } from 'vitest';\ndeclare function using<T>(fn: (resource: T) => void): void;\ninterface Sync { go(): void }\ninterface Async { go(): Promise<void> }\ndeclare function pick<K extends 'sync' | 'async'>(kind: K, fn: (r: K extends 'sync' ? Sync : Async) => void): void;\nit('a', () => {\n  using<{ go(): Promise<void> }>((resource) => {\n    resource.go();\n  });\n  pick('async', (r) => {\n    r.go();\n  });\n});`,
      errors: [{ line: 8, message: 'is not awaited' }, { line: 11, message: 'is not awaited' }],
    },
    {
      name: 'a recorder on another promisified function, which can reject',
      code: `import { it } from 'mocha';\nimport { promisify } from 'node:util';\nimport { readFile } from 'node:fs';\nit('a', async () => {\n  let read = false;\n  promisify(readFile)('x').then(() => { read = true; });\n  void read;\n});`,
      errors: [{ line: 6, message: 'is not awaited' }],
    },
    {
      name: 'a microtask on Promise.resolve() whose callback asserts, or that a test which never yields leaves behind',
      code: `import { expect, it } from 'vitest';\ndeclare const clock: { setTimeout(fn: () => void, ms: number): void; tickAsync(ms: number): Promise<void> };\nit('a', async () => {\n  clock.setTimeout(() => {\n    Promise.resolve().then(() => expect(1).toBe(1));\n  }, 10);\n  await clock.tickAsync(10);\n});\nit('b', () => {\n  const log: string[] = [];\n  Promise.resolve().then(() => log.push('P0'));\n});`,
      errors: [{ line: 5, message: 'Promise from `Promise.resolve().then()`' }, { line: 11, message: 'Promise from `Promise.resolve().then()`' }],
    },
    {
      name: 'a promise returned to a callback that every fitting overload of the callee types as void',
      code: `import { it } from 'vitest';\n${SAVE}interface On {\n  (event: 'a', listener: () => void): void;\n  (event: 'b', listener: (n: number) => void): void;\n  (event: 'c', listener: () => Promise<void>, options: { wait: true }): void;\n}\ndeclare const on: On;\nit('a', () => {\n  on('a', () => save());\n});`,
      errors: [{ line: 12, message: 'returned to a callback whose result is ignored' }],
    },
    {
      // Calls answered from declared signatures (lightCalls.ts) must still defer to the checker where the result
      // depends on the arguments: a generic identity, an overload set mixing promise and void, a thenable chain end.
      name: 'generic, overloaded and chained calls whose declared returns include a promise',
      code: `import { it } from 'vitest';\ndeclare function identity<T>(value: T): T;\ndeclare function query(sql: string): Promise<number>;\ndeclare function query(sql: string, cb: (n: number) => void): void;\ndeclare const builder: { where(cb: (x: number) => boolean): { run(): Promise<void> } };\nit('a', () => {\n  identity(Promise.resolve(1));\n  query('select 1');\n  builder.where((x) => x > 1).run();\n  query('select 2', () => {});\n});`,
      errors: [{ line: 7 }, { line: 8 }, { line: 9 }],
    },
    {
      // The sample workspace's login spec: a fixed sleep waits on no work of the page, so it covers no floating click.
      name: 'a floating click followed only by page.waitForTimeout',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.getByRole('button').click();\n  await page.waitForTimeout(500);\n  const el = await page.$('a');\n  el?.click();\n  await page.waitForTimeout(500);\n});`,
      errors: [{ line: 3 }, { line: 6 }],
    },
    {
      name: 'vitest fake timers on a shared object, or a per-test object under real timers: still floating',
      code: `import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';\ndeclare class Client { invalidate(): Promise<void>; find(): { cancel(): Promise<void> } }\nconst shared = new Client();\ndescribe('s', () => {\n  let once: Client;\n  beforeAll(() => { once = new Client(); });\n  beforeEach(() => { vi.useFakeTimers(); });\n  it('a', () => {\n    shared.invalidate();\n    once.invalidate();\n    expect(1).toBe(1);\n  });\n});\nit('b', () => {\n  const own = new Client();\n  own.invalidate();\n});`,
      errors: [{ line: 9 }, { line: 10 }, { line: 16 }],
    },
    {
      name: 'fire-and-forget on a page object with no later wait on the page, or on a reassigned page object',
      code: `import { test, expect } from '@playwright/test';\nimport type { Page } from '@playwright/test';\nclass Fixture {\n  constructor(readonly page: Page) {}\n  async clickSubmit(): Promise<void> { await this.page.click('button'); }\n}\ntest('a', async ({ page }) => {\n  (await page.$('a'))?.click();\n  expect(1).toBe(1);\n});\ntest('b', async ({ page }) => {\n  let app = new Fixture(page);\n  app = new Fixture(page);\n  app.clickSubmit();\n  await page.waitForSelector('#done');\n});`,
      errors: [{ line: 8 }, { line: 14 }],
    },
    {
      name: 'a route object used outside its handler',
      code: `import { test } from '@playwright/test';\nimport type { Route } from '@playwright/test';\ndeclare function intercept(fn: (route: Route) => void): Promise<void>;\ntest('a', async ({ page }) => {\n  await intercept((route) => {\n    route.continue();\n  });\n  await page.goto('/');\n});`,
      errors: [{ line: 6 }],
    },
    {
      name: 'fake timers without a later async advance, real timers, or another runner: still floating',
      code: `import { expect, it, vi } from 'vitest';\n${SAVE}it('a', async () => {\n  vi.useFakeTimers();\n  await vi.advanceTimersByTimeAsync(10);\n  save(1);\n  vi.advanceTimersByTime(10);\n  expect(1).toBe(1);\n});\nit('b', async () => {\n  save(2);\n  await vi.advanceTimersByTimeAsync(10);\n});`,
      errors: [{ line: 8 }, { line: 13 }],
    },
    {
      name: 'work handed in that waits on a real timer, or does no timer wait, is still floating',
      code: `import { expect, it, vi } from 'vitest';\nconst sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));\ndeclare function execute<T>(options: { fn: () => Promise<T> }): Promise<T>;\ndeclare function load(): Promise<number>;\nit('a', () => {\n  execute({ fn: () => sleep(10).then(() => 5) });\n  vi.useFakeTimers();\n  execute({ fn: () => load() });\n  expect(1).toBe(1);\n});`,
      errors: [{ line: 6 }, { line: 8 }],
    },
    {
      name: 'a then-callback on a promise that can reject: the chain rejects with it and nothing handles it',
      code: `import { expect, it } from 'vitest';\ndeclare function fetchValue(): Promise<string>;\nit('a', async () => {\n  let resolved: string | undefined;\n  fetchValue().then((value) => {\n    resolved = value;\n  });\n  const failing = new Promise<string>((resolve, reject) => setTimeout(() => reject(new Error('boom')), 10));\n  failing.then((value) => { resolved = value; });\n  expect(resolved).toBeUndefined();\n});`,
      errors: [{ line: 5, message: '`fetchValue().then()`' }, { line: 9, message: '`failing.then()`' }],
    },
    {
      name: 'a recording then-callback whose promise is never awaited, awaited only before, or awaited elsewhere; a callback that asserts',
      code: `import { expect, it } from 'vitest';\ndeclare function start(): { promise: Promise<number> };\nit('a', async () => {\n  const runner = start();\n  const other = start();\n  let finished = false;\n  await other.promise;\n  other.promise.then(() => {\n    finished = true;\n  });\n  runner.promise.then(() => {\n    finished = true;\n  });\n  runner.promise.then((n) => {\n    expect(n).toBe(1);\n  });\n  const later = () => runner.promise;\n  await later();\n  expect(finished).toBe(true);\n});`,
      errors: [{ line: 8, message: '`other.promise.then()`' }, { line: 11, message: '`runner.promise.then()`' }, { line: 14, message: '`runner.promise.then()`' }],
    },
    {
      name: 'a then-callback that does more than record: it can throw',
      code: `import { it } from 'vitest';\ndeclare function show(v: string): void;\nit('a', async () => {\n  const deferred = new Promise<string>((resolve) => setTimeout(() => resolve('done'), 10));\n  deferred.then((value) => {\n    show(value);\n  });\n});`,
      errors: [{ line: 5, message: '`deferred.then()`' }],
    },
    {
      name: 'an async IIFE that nothing reads from, or that asserts inside',
      code: `import { expect, it } from 'vitest';\n${SAVE}it('a', async () => {\n  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();\n  ;(async () => {\n    await save();\n  })();\n  ;(async () => {\n    const writer = writable.getWriter();\n    await writer.write(new Uint8Array([1]));\n    expect(writer.desiredSize).toBe(0);\n  })();\n  const reader = readable.getReader();\n  expect((await reader.read()).value).toEqual(new Uint8Array([1]));\n});`,
      errors: [{ line: 7 }, { line: 10 }],
    },
    {
      name: 'a chain on a factory thenable that returns a thenable of another type',
      code: `import test from 'node:test';\nimport { build } from './selfpkg/types.js';\ntest('a', () => {\n  build().ready();\n});`,
      errors: [{ line: 4, message: 'Promise from `build().ready()` is not awaited' }],
    },
    {
      name: 'a method of the same name in another package, a fitting overload, a call made in the argument, module level under vitest',
      code: `import { it } from 'vitest';\nimport { build } from './selfpkg/types.js';\n${SAVE}declare const other: { register(p: unknown): Promise<void> };\nit('a', async () => {\n  const app = build();\n  other.register(() => {});\n  app.ready();\n  Object.freeze(save());\n});\nsave();`,
      errors: [{ line: 9, message: '`other.register()`' }, { line: 10, message: '`app.ready()`' }, { line: 11, message: '`Object.freeze()`' }, { line: 13, message: '`save()`' }],
    },
    {
      name: 'a later take from another handle, a take before the call, a stream made by a factory named like the callee',
      code: `import { expect, it } from '@jest/globals';\ndeclare function renderToStream(): Promise<{ takeSnapshot(): Promise<number>; getCurrentSnapshot(): { refetch(): Promise<void> } }>;\ndeclare const renderStream: { takeRender(): Promise<number>; getCurrentRender(): { snapshot: { fetchMore(): Promise<void> } }; getCurrentSnapshot(): [() => Promise<void>] };\ndeclare const other: { takeRender(): Promise<number> };\nit('a', async () => {\n  await renderStream.takeRender();\n  renderStream.getCurrentRender().snapshot.fetchMore();\n  await other.takeRender();\n});`,
      errors: [{ line: 7, message: 'Promise from `renderStream.getCurrentRender().snapshot.fetchMore()` is not awaited' }],
    },
    {
      name: 'project functions whose promise does real work or can reject, and a comment that says nothing about awaiting',
      code: `import { it } from '@jest/globals';\nclass Store {\n  load(): Promise<void> {\n    return fetch('/x').then(() => undefined);\n  }\n  async reset(): Promise<void> {}\n  maybe(flag: boolean): Promise<void> {\n    if (flag) return Promise.reject(new Error('x'));\n    return Promise.resolve();\n  }\n}\nit('a', () => {\n  const store = new Store();\n  // load the data\n  store.load();\n  store.reset();\n  store.maybe(true);\n});`,
      errors: [{ line: 15, message: '`store.load()`' }, { line: 16, message: '`store.reset()`' }, { line: 17, message: '`store.maybe()`' }],
    },
    {
      name: 'an async function in a try whose catch expects a synchronous throw',
      code: `import { expect, it } from 'vitest';\nasync function connect(url: string): Promise<void> { if (!url) throw new Error('no url'); }\nit('a', async () => {\n  try {\n    connect('');\n  } catch (err) {\n    expect(err).toBeInstanceOf(Error);\n  }\n});`,
      errors: [{ line: 5, message: '`connect()` calls an async function, which never throws synchronously: its error becomes a rejection that this `catch` never sees' }],
      output: `import { expect, it } from 'vitest';\nasync function connect(url: string): Promise<void> { if (!url) throw new Error('no url'); }\nit('a', async () => {\n  try {\n    await connect('');\n  } catch (err) {\n    expect(err).toBeInstanceOf(Error);\n  }\n});`,
    },
    {
      name: 'a try that does not check the error, and a call checked not to throw, still float',
      code: `import { expect, it } from 'vitest';\n${SAVE}it('a', async () => {\n  try {\n    save(1);\n  } catch (err) {\n    console.log(err);\n  }\n  expect(() => { save(2); }).not.toThrow();\n  try {\n    save(3);\n    await save(4);\n  } catch (err) {\n    expect(err).toBeUndefined();\n  }\n});`,
      errors: [{ line: 7, message: 'Promise from `save()` is not awaited' }, { line: 11, message: 'Promise from `save()` is not awaited' }, { line: 13, message: 'Promise from `save()` is not awaited' }],
    },
    {
      name: 'promise chain in a done test that drops its rejection',
      code: `import { it } from '@jest/globals';\n${SAVE}it('a', (done) => {\n  save().then(() => done());\n});`,
      errors: [{ line: 6, message: 'Promise from `save().then()` drops its rejection: `done` is then never called, and the test times out instead of failing. Pass the error on: `.then(() => done(), done)`.' }],
      output: null,
    },
    {
      name: 'supertest request neither awaited nor ended',
      code: `import { it } from 'mocha';\nimport request from 'supertest';\ndeclare const app: unknown;\nit('a', async () => {\n  request(app).get('/').expect(200);\n});`,
      errors: [{ line: 5, message: 'Promise from `request().get().expect()` is not awaited' }],
      output: `import { it } from 'mocha';\nimport request from 'supertest';\ndeclare const app: unknown;\nit('a', async () => {\n  await request(app).get('/').expect(200);\n});`,
    },
    {
      name: 'Testing Library promises not awaited',
      code: `import { it } from 'vitest';\nimport { screen, waitFor, act } from '@testing-library/react';\nimport userEvent from '@testing-library/user-event';\ndeclare function load(): Promise<number>;\nit('a', async () => {\n  waitFor(() => screen.getByText('x'));\n  screen.findByText('x');\n  act(async () => { await load(); });\n  userEvent.click(screen.getByText('a'));\n});`,
      errors: [{ line: 6, message: '`waitFor()`' }, { line: 7, message: '`screen.findByText()`' }, { line: 8, message: '`act()`' }, { line: 9, message: '`userEvent.click()`' }],
    },
    {
      name: 'Playwright page action',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.click('#submit');\n});`,
      errors: [{ line: 3, message: 'Promise from `page.click()` is not awaited: the test can move on, or end, before it settles, and a rejection is lost, or fails whichever test is running then. Await it (or return it).' }],
      output: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await page.click('#submit');\n});`,
    },
    {
      name: 'Playwright locator and request actions',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page, request }) => {\n  page.getByRole('textbox').fill('x');\n  request.get('/api');\n});`,
      errors: [{ line: 3, message: '`page.getByRole().fill()`' }, { line: 4, message: '`request.get()`' }],
      output: `import { test } from '@playwright/test';\ntest('a', async ({ page, request }) => {\n  await page.getByRole('textbox').fill('x');\n  await request.get('/api');\n});`,
    },
    {
      name: 'Playwright step not awaited',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  test.step('s', async () => {\n    await page.click('#a');\n  });\n});`,
      errors: [{ line: 3, message: '`test.step()`' }],
      output: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  await test.step('s', async () => {\n    await page.click('#a');\n  });\n});`,
    },
    {
      name: 'Playwright fixture from base.extend, inside a step',
      code: `import { test as base } from '@playwright/test';\nconst test = base.extend<{ api: { reset(): Promise<void> } }>({\n  api: async ({}, use) => { await use({ reset: async () => {} }); },\n});\ntest('a', async ({ api }) => {\n  await test.step('reset', async () => {\n    api.reset();\n  });\n});`,
      errors: [{ line: 7, message: '`api.reset()`' }],
    },
    {
      name: 'node:test subtest not awaited',
      code: `import test from 'node:test';\ntest('parent', async (t) => {\n  t.test('child', async () => {});\n});`,
      errors: [{ line: 3, message: 'Subtest `t.test()` is not awaited: node:test cancels and fails it when the parent test ends first' }],
      output: `import test from 'node:test';\ntest('parent', async (t) => {\n  await t.test('child', async () => {});\n});`,
    },
    {
      name: 'node:test subtest in a non-async parent: no fix',
      code: `import { it } from 'node:test';\nit('parent', (t) => {\n  t.test('child', () => {});\n});`,
      errors: [{ line: 3, message: 'Subtest' }],
      output: null,
    },
    {
      name: 'array of promises from map',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  items.map(async (x) => save(x));\n});`,
      // vitest reports the rejections as unhandled errors of the run (failing it unless dangerouslyIgnoreUnhandledErrors), not of the test.
      errors: [{ line: 6, message: 'Promises from `items.map()` are not awaited: the test can move on, or end, before they settle, and rejections are reported as unhandled errors of the run, not as failures of this test. Await them with `await Promise.all(...)`.' }],
      output: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await Promise.all(items.map(async (x) => save(x)));\n});`,
    },
    {
      // What a floating rejection does depends on the runner: node:test fails the run ("asynchronous activity after the
      // test ended") once the test has ended, vitest reports an unhandled error of the run; other runners lose it or fail whichever test is running then.
      name: 'the risk named by the runner the promise floats in',
      code: `import test from 'node:test';\nimport { it } from 'mocha';\n${SAVE}test('a', () => {\n  save();\n});\nit('b', () => {\n  save();\n});`,
      errors: [
        { line: 7, message: 'Promise from `save()` is not awaited: the test can move on, or end, before it settles, and a rejection after the test ended fails the run, not this test. Await it (or return it).' },
        { line: 10, message: 'Promise from `save()` is not awaited: the test can move on, or end, before it settles, and a rejection is lost, or fails whichever test is running then. Await it (or return it).' },
      ],
    },
    {
      name: 'array literal of promises',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  [save(1), save(2)];\n});`,
      errors: [{ line: 6, message: 'Promises from `[…]`' }],
      output: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await Promise.all([save(1), save(2)]);\n});`,
    },
    {
      name: 'finally alone and then without a rejection handler',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  save().finally(() => {});\n  save().then(() => {});\n  save().catch();\n});`,
      errors: [{ line: 6, message: '`save().finally()`' }, { line: 7, message: '`save().then()`' }, { line: 8, message: '`save().catch()`' }],
    },
    {
      name: 'comma operands, conditional branches and logical right sides',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  save(1), save(2);\n  cond ? save(3) : undefined;\n  cond && save(4);\n  (save(5));\n});`,
      errors: [{ line: 6 }, { line: 6 }, { line: 7 }, { line: 8 }, { line: 9 }],
      output: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await save(1), await save(2);\n  cond ? await save(3) : undefined;\n  cond && await save(4);\n  (await save(5));\n});`,
    },
    {
      name: 'non-async test callback: no fix',
      code: `import { it } from '@jest/globals';\n${SAVE}it('a', () => {\n  save();\n});`,
      errors: [{ line: 6 }],
      output: null,
    },
    {
      name: 'jest hook and async helper',
      code: `import { beforeEach } from '@jest/globals';\n${SAVE}beforeEach(async () => {\n  save();\n});\nexport async function seed() {\n  save('seed');\n}`,
      errors: [{ line: 6 }, { line: 9 }],
      output: `import { beforeEach } from '@jest/globals';\n${SAVE}beforeEach(async () => {\n  await save();\n});\nexport async function seed() {\n  await save('seed');\n}`,
    },
    {
      name: 'module top level: no fix',
      code: `${SAVE}save();\nit('a', () => {});`,
      errors: [{ line: 4 }],
      output: null,
    },
    {
      name: 'mocha global test with a function expression',
      code: `${SAVE}describe('a', function () {\n  it('b', async function () {\n    save();\n  });\n});`,
      errors: [{ line: 6 }],
      output: `${SAVE}describe('a', function () {\n  it('b', async function () {\n    await save();\n  });\n});`,
    },
    {
      name: 'concise callbacks whose result is ignored',
      code: `${SAVE}items.forEach((x) => save(x));\nsetTimeout(() => save(), 10);\nit('a', () => {});`,
      errors: [
        { line: 4, message: 'Promise from `save()` is returned to a callback whose result is ignored' },
        { line: 5, message: 'returned to a callback whose result is ignored' },
      ],
      output: null,
    },
    {
      name: 'suite body: runs while tests are collected',
      code: `import { describe, it } from 'vitest';\n${SAVE}describe('a', () => {\n  save();\n  it('b', () => {});\n});`,
      errors: [{ line: 6 }],
      output: null,
    },
    {
      name: 'new Promise as a statement',
      code: `import { it } from 'vitest';\nimport { EventEmitter } from 'node:events';\nconst emitter = new EventEmitter();\nit('a', async () => {\n  new Promise((resolve) => emitter.once('ready', resolve));\n});`,
      errors: [{ line: 5, message: '`new Promise()`' }],
      output: `import { it } from 'vitest';\nimport { EventEmitter } from 'node:events';\nconst emitter = new EventEmitter();\nit('a', async () => {\n  await new Promise((resolve) => emitter.once('ready', resolve));\n});`,
    },
    {
      name: 'a user function named expect that returns a promise is no assertion',
      code: `import { it } from 'vitest';\nasync function expect(x: number) { return x; }\nit('a', async () => {\n  expect(1);\n});`,
      errors: [{ line: 4, message: 'Promise from `expect()`' }],
    },
    {
      name: 'typed JS: inferred async helper',
      filename: 'typed-floating.test.js',
      code: `async function save() {}\ndescribe('a', () => {\n  it('b', async () => {\n    save();\n  });\n});`,
      errors: [{ line: 4 }],
      output: `async function save() {}\ndescribe('a', () => {\n  it('b', async () => {\n    await save();\n  });\n});`,
    },
    {
      name: 'UI exemptions stop at the test callback: a floating promise in the test body is still reported',
      filename: 'case-ui-guard.test.tsx',
      code: `import { it } from 'vitest';\n${SAVE}declare function act<T>(callback: () => T | Promise<T>): Promise<T>;\nit('a', async () => {\n  save();\n  await act(async () => {\n    save('in act');\n  });\n  return <div />;\n});`,
      errors: [{ line: 7, message: '`save()`' }, { line: 9, message: '`save()`' }],
    },
    {
      name: 'act with an async callback returning any is still a promise',
      code: `import { it } from 'vitest';\ndeclare function act<T>(callback: () => T | Promise<T>): Promise<T>;\nlet methods: any;\nit('a', async () => {\n  act(async () => methods.reset());\n});`,
      errors: [{ line: 5, message: '`act()`' }],
    },
    {
      // react-hook-form: waitFor(() => expect(x).not.toBeInTheDocument()) with the matcher untyped.
      name: 'a callee that always returns a promise stays a finding when its callback returns any',
      code: `import { it } from 'vitest';\ndeclare function waitFor<T>(callback: () => T | Promise<T>): Promise<T>;\nlet screen: any;\nit('a', async () => {\n  waitFor(() => screen.getByText('x'));\n});`,
      errors: [{ line: 5, message: '`waitFor()`' }],
    },
    {
      name: 'Promise.reject as a statement is an unhandled rejection',
      code: `import { it } from 'vitest';\nit('a', async () => {\n  Promise.reject(new Error('x'));\n});`,
      errors: [{ line: 3, message: '`Promise.reject()`' }],
    },
    {
      name: 'vitest test.extend fixture',
      code: `import { test as base } from 'vitest';\nconst test = base.extend<{ db: { reset(): Promise<void> } }>({\n  db: async ({}, use) => { await use({ reset: async () => {} }); },\n});\ntest('a', async ({ db }) => {\n  db.reset();\n});`,
      errors: [{ line: 6, message: '`db.reset()`' }],
    },
    {
      name: 'a handler only for the fulfilled value, before or after: the rejection is still lost',
      code: `import { it } from 'vitest';\n${SAVE}it('a', () => {\n  save().then(() => {}).finally(() => {});\n});`,
      errors: [{ line: 6 }],
    },
    {
      name: 'a callback that is no Node-style callback keeps the promise overload (act, waitFor)',
      code: `import { it } from 'vitest';\nimport { act } from '@testing-library/react';\nit('a', () => {\n  act(async () => {});\n});`,
      errors: [{ line: 4 }],
    },
    {
      name: 'register of another package, and a fastify instance method that is awaited by design',
      code: `import { it } from 'vitest';\nimport Fastify, { type FastifyReply } from 'fastify';\ndeclare const registry: { register(x: unknown): Promise<void> };\nit('a', async () => {\n  registry.register({});\n  Fastify().inject({ method: 'GET', url: '/' });\n});`,
      errors: [{ line: 5 }, { line: 6 }],
    },
    {
      name: 'a lazy thenable built in the statement and never awaited (supertest)',
      code: `import { it } from 'vitest';\nimport request from 'supertest';\nit('a', () => {\n  request({}).post('/').send({ a: 1 }).set('x', 'y');\n});`,
      errors: [{ line: 4 }],
    },
    {
      name: 'a chain outside the executor is the test own work',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  let settle: (v: number) => void = () => {};\n  const p = new Promise<number>((resolve) => { settle = resolve; });\n  save().then(() => settle(1));\n  await p;\n});`,
      errors: [{ line: 8 }],
    },
    {
      name: 'a later await on the same handle that is no wait on its work',
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.click('#a');\n  await page.goto('/');\n});`,
      errors: [{ line: 3 }],
    },
    {
      name: 'a release floating at the end of a test or in a teardown hook: minor, own message',
      code: `import { afterEach, it } from 'vitest';\ndeclare const server: { close(): Promise<void> };\nafterEach(async () => {\n  server.close();\n});\nit('a', async () => {\n  server.close();\n});`,
      errors: [
        { line: 4, severity: 'info', message: 'not awaited in an after-hook' },
        { line: 7, severity: 'info', message: 'not awaited at the end of the test' },
      ],
      output: `import { afterEach, it } from 'vitest';\ndeclare const server: { close(): Promise<void> };\nafterEach(async () => {\n  await server.close();\n});\nit('a', async () => {\n  await server.close();\n});`,
    },
    {
      name: 'a release in the middle of a test: minor too, its own message',
      code: `import { it } from 'vitest';\ndeclare const server: { close(): Promise<void> };\n${SAVE}it('a', async () => {\n  server.close();\n  await save();\n});`,
      errors: [{ line: 7, severity: 'info', message: '`server.close()` is not awaited: the test can end while the resource is still open (an open handle, or a port still in use by the next test), and a failure to release it is reported as an unhandled error of the run, not as a failure of this test. Await it, or pass it a callback.' }],
    },
    {
      // @fastify/websocket: `function buildFastify (t) { t.after(() => { fastify.close() }) }`, in a file of node:test tests.
      name: 'a promise floating in a helper outside any test: the risk named by the file\'s runner',
      code: `import test from 'node:test';\n${SAVE}function build(t: { after(fn: () => void): void }) {\n  t.after(() => { save(); });\n}\ntest('a', (t) => {\n  build(t);\n});`,
      errors: [{ line: 6, message: 'Promise from `save()` is not awaited: the test can move on, or end, before it settles, and a rejection after the test ended fails the run, not this test.' }],
    },
    {
      name: 'a release floating in a node:test after-hook: what becomes of a failure there',
      code: `import { after, test } from 'node:test';\ndeclare const server: { close(): Promise<void> };\nafter(() => {\n  server.close();\n});\ntest('a', () => {});`,
      errors: [{ line: 4, severity: 'info', message: '`server.close()` is not awaited in an after-hook: the test can end while the resource is still open (an open handle, or a port still in use by the next test), and a failure to release it after the test ended fails the run, not this test. Await it.' }],
    },
    {
      name: 'promises dropped inside an awaited expression',
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await (save(1) && save(2));\n  await void save(3);\n  await (save(4), null);\n});`,
      errors: [
        { line: 6, message: 'is used as a condition: a promise is always truthy' },
        { line: 7, message: '`await void save()` awaits `undefined`' },
        { line: 8, message: 'dropped inside an awaited expression' },
      ],
      output: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  await (save(1) && save(2));\n  await save(3);\n  await (await save(4), null);\n});`,
    },
    {
      name: 'a promise stored in a local and only checked as an object, or never used',
      code: `import { expect, it } from 'vitest';\nimport { screen } from '@testing-library/react';\n${SAVE}it('a', async () => {\n  const el = screen.findByText('x');\n  expect(el).toBeDefined();\n  const p = save();\n});`,
      errors: [
        { line: 7, message: 'is stored in `el` and only checked with `expect(el)`: the assertion sees the promise object' },
        { line: 9, message: 'is stored in `p` but never awaited, returned or handed on' },
      ],
      output: `import { expect, it } from 'vitest';\nimport { screen } from '@testing-library/react';\n${SAVE}it('a', async () => {\n  const el = await screen.findByText('x');\n  expect(el).toBeDefined();\n  const p = await save();\n});`,
    },
  ],
});

describe('floating-promise fixes', () => {
  const workspace = new Workspace({ root: TYPED_FIXTURE, rules: [findRule('floating-promise')!] });
  afterAll(() => workspace.dispose());

  it('marks awaiting a waitFor* promise as unsafe: awaited before its trigger it waits until the timeout', () => {
    const { findings } = runRule(workspace, 'floating-promise', {
      code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => {\n  page.waitForEvent('popup');\n  await page.click('#open');\n  page.goto('/');\n});`,
    });
    expect(findings.map((f) => [f.range.start.line + 1, f.fixes.map((x) => [x.title, x.safe])])).toEqual([
      [3, [['Add await', false]]],
      [5, [['Add await', true]]],
    ]);
  });

  it('offers await Promise.all for arrays as a safe fix', () => {
    const { findings } = runRule(workspace, 'floating-promise', {
      code: `import { it } from 'vitest';\n${SAVE}it('a', async () => {\n  items.map((x) => save(x));\n});`,
    });
    expect(findings.map((f) => f.fixes.map((x) => [x.title, x.safe]))).toEqual([[['Add await Promise.all(...)', true]]]);
    expect(path.basename(findings[0]!.file)).toMatch(/\.test\.ts$/);
  });
});

describe('floating-promise knownSafeCalls setting', () => {
  const workspace = new Workspace({
    root: TYPED_FIXTURE,
    rules: [findRule('floating-promise')!],
    layers: [{ source: 'test', value: { knownSafeCalls: ['startPolling', 'fastify#inject', 'playwright-core#evaluate'] } }],
  });
  afterAll(() => workspace.dispose());
  const code = `import { test } from '@playwright/test';\nimport Fastify from 'fastify';\ndeclare function startPolling(): Promise<void>;\ndeclare const other: { inject(): Promise<void>; evaluate(): Promise<void> };\nconst app = Fastify();\ntest('a', async ({ page }) => {\n  startPolling();\n  app.inject({ method: 'GET', url: '/' });\n  page.evaluate(() => 1);\n  other.inject();\n  other.evaluate();\n  await page.goto('/');\n});`;

  it('silences a name anywhere and a package#name only for that package', () => {
    const { findings } = runRule(workspace, 'floating-promise', { code });
    expect(findings.map((f) => f.range.start.line + 1)).toEqual([10, 11]);
  });

  it('reports them all without the setting', () => {
    const plain = new Workspace({ root: TYPED_FIXTURE, rules: [findRule('floating-promise')!] });
    try {
      expect(runRule(plain, 'floating-promise', { code }).findings.map((f) => f.range.start.line + 1)).toEqual([7, 8, 9, 10, 11]);
    } finally {
      plain.dispose();
    }
  });
});
