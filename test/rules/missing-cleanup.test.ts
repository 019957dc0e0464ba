import { ruleTable } from '../helpers/ruleTester.js';

const API = `const api = { load: (id: number) => Promise.resolve(id), name: () => 'real' };\n`;

ruleTable('missing-cleanup', {
  valid: [
    {
      name: 'fixed form: useRealTimers in afterEach',
      code: `import { afterEach, it, vi } from 'vitest';\nafterEach(() => {\n  vi.useRealTimers();\n});\nit('a', () => {\n  vi.useFakeTimers();\n});\nit('b', () => {});`,
    },
    {
      name: 'fixed form: onTestFinished and try/finally',
      code: `import { it, vi, onTestFinished, expect } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n  onTestFinished(() => vi.useRealTimers());\n  expect(1).toBe(1);\n});\nit('b', () => {\n  vi.useFakeTimers();\n  try {\n    expect(1).toBe(1);\n  } finally {\n    vi.useRealTimers();\n  }\n});\nit('c', () => {});`,
    },
    {
      name: 'fixed form: jest restoreAllMocks in afterEach',
      code: `import { afterEach, it, jest } from '@jest/globals';\n${API}afterEach(() => {\n  jest.restoreAllMocks();\n});\nit('a', () => {\n  jest.spyOn(api, 'name').mockReturnValue('fake');\n});\nit('b', () => {});`,
    },
    {
      name: 'fixed form: the spy restored through its binding in afterEach',
      code: `import { afterEach, it, vi, type MockInstance } from 'vitest';\n${API}let spy: MockInstance | undefined;\nafterEach(() => {\n  spy?.mockRestore();\n});\nit('a', () => {\n  spy = vi.spyOn(api, 'name').mockReturnValue('fake');\n});\nit('b', () => {});`,
    },
    {
      name: 'a spy with no implementation calls through: later tests see the real method',
      code: `import { it, vi, expect } from 'vitest';\n${API}it('a', () => {\n  const spy = vi.spyOn(api, 'name');\n  api.name();\n  expect(spy).toHaveBeenCalled();\n});\nit('b', () => {});`,
    },
    {
      name: 'a spy on an object the test creates itself dies with the test',
      code: `import { it, vi } from 'vitest';\nit('a', () => {\n  const stream = new ReadableStream();\n  vi.spyOn(stream, 'getReader').mockReturnValue({} as ReadableStreamDefaultReader);\n  vi.spyOn(new Map(), 'get').mockReturnValue(1);\n});\nit('b', () => {});`,
    },
    {
      name: 'a beforeEach that resets the environment before every later test (computed names)',
      code: `import { test, beforeEach } from 'node:test';\nbeforeEach(() => {\n  ['HTTP_PROXY', 'NO_PROXY'].forEach((name) => { delete process.env[name]; });\n});\ntest('a', () => {\n  process.env.HTTP_PROXY = 'http://proxy';\n});\ntest('b', () => {});`,
    },
    {
      name: 'a stubbed global put back by stubbing the saved value again in finally',
      code: `import { it, vi } from 'vitest';\nit('a', () => {\n  const original = globalThis.crypto;\n  vi.stubGlobal('crypto', undefined);\n  try {\n    void 0;\n  } finally {\n    vi.stubGlobal('crypto', original);\n  }\n});\nit('b', () => {});`,
    },
    {
      name: 'later tests that set up the same thing themselves do not depend on the leak',
      code: `import { it, vi } from 'vitest';\nit('a', () => {\n  vi.stubGlobal('caches', undefined);\n  vi.useFakeTimers();\n});\nit('b', () => {\n  vi.stubGlobal('caches', undefined);\n  vi.useFakeTimers();\n  vi.unstubAllGlobals();\n  vi.useRealTimers();\n});`,
    },
    {
      name: 'no later test in the file: nothing in this file runs on the leaked state',
      code: `import { it, vi } from 'vitest';\nit('b', () => {});\nit('a', () => {\n  vi.useFakeTimers();\n});`,
    },
    {
      name: 'a top-level beforeEach serves every test of the file',
      code: `import { beforeEach, it, vi } from 'vitest';\nbeforeEach(() => {\n  vi.useFakeTimers();\n  vi.stubEnv('MODE', 'test');\n});\nit('a', () => {});\nit('b', () => {});`,
    },
    {
      name: 'later tests install fake timers themselves',
      code: `import { beforeEach, describe, it, vi } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n});\ndescribe('timers', () => {\n  beforeEach(() => { vi.useFakeTimers(); });\n  it('b', () => {});\n});`,
    },
    {
      name: 'fixed form: process.env restored in afterEach (saved copy, delete, whole object)',
      code: `import { afterEach, it } from 'vitest';\nconst saved = { ...process.env };\nafterEach(() => {\n  process.env = saved;\n});\nit('a', () => {\n  process.env.API_URL = 'http://x';\n  delete process.env.TOKEN;\n});\nit('b', () => {});`,
    },
    {
      name: 'an afterEach calling a helper that may restore the environment is unknown',
      code: `import { afterEach, it } from '@jest/globals';\ndeclare function restoreEnv(): void;\nafterEach(() => restoreEnv());\nit('a', () => {\n  process.env.API_URL = 'http://x';\n});\nit('b', () => {});`,
    },
    {
      name: 'a teardown hook passed by reference is unknown',
      code: `import { afterEach, it, vi } from 'vitest';\ndeclare function teardownAll(): void;\nafterEach(teardownAll);\nit('a', () => {\n  vi.useFakeTimers();\n});\nit('b', () => {});`,
    },
    {
      // sequelize: the stub and the fake clock live on mocha's context and are restored through it.
      name: 'mocha + sinon: stub and clock held on this, restored in the matching after hooks',
      code: `import { after, afterEach, before, beforeEach, describe, it } from 'mocha';\nimport sinon from 'sinon';\n${API}describe('s', () => {\n  beforeEach(function () {\n    this.stub = sinon.stub(api, 'name').returns('fake');\n  });\n  afterEach(function () {\n    this.stub.restore();\n  });\n  before(function () {\n    this.clock = sinon.useFakeTimers();\n  });\n  after(function () {\n    this.clock.restore();\n  });\n  it('a', () => {});\n  it('b', () => {});\n});\ndescribe('t', () => {\n  it('c', () => {});\n});`,
    },
    {
      name: 'mocha + sinon: sandbox restored in afterEach',
      code: `import { afterEach, it } from 'mocha';\nimport sinon from 'sinon';\n${API}afterEach(() => {\n  sinon.restore();\n});\nit('a', () => {\n  sinon.stub(api, 'name').returns('fake');\n});\nit('b', () => {});`,
    },
    {
      name: 'node:test: t.after restores the variable',
      code: `import { test } from 'node:test';\ntest('a', (t) => {\n  const old = process.env.API_URL;\n  process.env.API_URL = 'http://x';\n  t.after(() => { process.env.API_URL = old; });\n});\ntest('b', () => {});`,
    },
    {
      name: 'a restore right after the acquisition, with nothing that can throw in between',
      code: `import { it, vi } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n  vi.setSystemTime(0);\n  vi.useRealTimers();\n});\nit('b', () => {});`,
    },
    {
      name: 'a user object named vi is no runner',
      code: `import { it } from 'vitest';\nconst vi = { useFakeTimers() {} };\nit('a', () => {\n  vi.useFakeTimers();\n});\nit('b', () => {});`,
    },
    {
      name: 'writes at file or suite level are the file setup',
      code: `import { describe, it, vi } from 'vitest';\nprocess.env.MODE = 'test';\nvi.useFakeTimers();\ndescribe('s', () => {\n  process.env.OTHER = '1';\n  it('a', () => {});\n});\nit('b', () => {});`,
    },
    {
      name: 'the runner config restores mocks and env stubs; a setup file restores real timers after each test',
      filename: 'configured/config-restores.test.ts',
      code: `import { it, vi } from 'vitest';\n${API}it('a', () => {\n  vi.useFakeTimers();\n  vi.spyOn(api, 'name').mockReturnValue('fake');\n  vi.stubEnv('MODE', 'x');\n});\nit('b', () => {});`,
    },
    {
      name: 'fixed form (vitest): an http server closed in afterAll, passed to once() meanwhile',
      code: `import { it, beforeAll, afterAll } from 'vitest';\nimport { createServer, type Server } from 'node:http';\nimport { once } from 'node:events';\nlet server: Server;\nbeforeAll(async () => {\n  server = createServer((req, res) => res.end('ok')).listen(0);\n  await once(server, 'listening');\n});\nafterAll(() => {\n  server.close();\n});\nit('a', () => {});\nit('b', () => {});`,
    },
    {
      name: 'fixed form (jest): express listen inside a Promise executor, closed through a Promise in afterAll',
      code: `import { it, beforeAll, afterAll } from '@jest/globals';\nimport express from 'express';\nimport type { Server } from 'node:http';\nlet server: Server;\nbeforeAll(async () => {\n  await new Promise<void>((resolve) => { server = express().listen(0, resolve); });\n});\nafterAll(() => new Promise<void>((resolve) => { server.close(() => resolve()); }));\nit('a', () => {});`,
    },
    {
      name: 'fixed form (mocha): an interval cleared in finally; a watcher closed in onTestFinished (vitest)',
      code: `import { it } from 'mocha';\nit('a', async () => {\n  const timer = setInterval(() => undefined, 10);\n  try {\n    await Promise.resolve();\n  } finally {\n    clearInterval(timer);\n  }\n});\nit('b', () => {});`,
    },
    {
      name: 'fixed form (vitest): a watcher closed in onTestFinished, a temp dir removed in afterEach',
      code: `import { it, beforeEach, afterEach, onTestFinished } from 'vitest';\nimport * as fs from 'node:fs';\nimport * as os from 'node:os';\nimport * as path from 'node:path';\nlet dir: string;\nbeforeEach(() => {\n  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));\n});\nafterEach(() => {\n  fs.rmSync(dir, { recursive: true, force: true });\n});\nit('a', () => {\n  const watcher = fs.watch(dir);\n  onTestFinished(() => watcher.close());\n});`,
    },
    {
      name: 'fixed form (node:test): a pg pool ended and a prisma client disconnected in after',
      code: `import { test, before, after } from 'node:test';\nimport { Pool } from 'pg';\nimport { PrismaClient } from '@prisma/client';\nlet pool: Pool;\nlet prisma: PrismaClient;\nbefore(() => {\n  pool = new Pool();\n  prisma = new PrismaClient();\n});\nafter(async () => {\n  await pool.end();\n  await prisma.$disconnect();\n});\ntest('a', () => {});`,
    },
    {
      name: 'fixed form (Playwright): a browser launched by hand closed in afterAll; a fixture closes its browser after use()',
      code: `import { test as base } from '@playwright/test';\nimport { chromium, type Browser } from 'playwright';\nconst test = base.extend<{ other: Browser }>({\n  other: async ({}, use) => {\n    const browser = await chromium.launch();\n    await use(browser);\n    await browser.close();\n  },\n});\nlet browser: Browser;\ntest.beforeAll(async () => {\n  browser = await chromium.launch();\n});\ntest.afterAll(async () => {\n  await browser.close();\n});\ntest('a', async ({ other }) => { void other; });`,
    },
    {
      name: 'fixed form: await using disposes the server',
      code: `import { it } from 'vitest';\nimport { createServer } from 'node:http';\nit('a', async () => {\n  await using server = createServer().listen(0);\n  void server;\n});\nit('b', () => {});`,
    },
    {
      name: 'a handle passed to a helper, stored in a list or closed in a helper function is not judged',
      code: `import { it, afterAll } from 'vitest';\nimport { createServer, type Server } from 'node:http';\ndeclare function track(s: Server): void;\nconst servers: Server[] = [];\nlet other: Server;\nasync function stopOther() { other.close(); }\nafterAll(() => stopOther());\nit('a', () => {\n  const a = createServer().listen(0);\n  track(a);\n  const b = createServer().listen(0);\n  servers.push(b);\n  other = createServer().listen(0);\n});`,
    },
    {
      name: 'setInterval under fake timers is fake; ws attached to an existing server is owned by it',
      code: `import { it, beforeEach, afterEach, vi } from 'vitest';\nimport { createServer } from 'node:http';\nimport { WebSocketServer } from 'ws';\nbeforeEach(() => { vi.useFakeTimers(); });\nafterEach(() => { vi.useRealTimers(); });\nit('a', () => {\n  setInterval(() => undefined, 1000);\n  const server = createServer();\n  new WebSocketServer({ server });\n  server.close();\n});`,
    },
    {
      name: 'a global stubbed in a describe\'s beforeEach leaks only into later tests that never name it (hono client WebSocket)',
      code: `import { beforeEach, describe, it, vi } from 'vitest';\nconst webSocketMock = vi.fn();\ndescribe('ws', () => {\n  beforeEach(() => { vi.stubGlobal('WebSocket', webSocketMock); });\n  it('a', () => { void WebSocket; });\n});\ndescribe('other', () => {\n  it('b', () => {});\n});`,
    },
    {
      name: 'mongoose Model.init() builds indexes, createConnection() without a URI opens nothing, a handle handed to a function escapes (typegoose)',
      code: `import { it } from '@jest/globals';\nimport * as mongoose from 'mongoose';\ndeclare function getModelForClass(c: object, o: object): unknown;\nconst User = mongoose.model('User');\nit('a', async () => {\n  await User.init();\n  mongoose.createConnection();\n  getModelForClass({}, { existingConnection: mongoose.createConnection('mongodb://localhost/x') });\n});\nit('b', () => {});`,
    },
    {
      name: 'fixed form: server.listen(0) on a server from beforeEach, closed in afterEach',
      code: `import { it, beforeEach, afterEach } from 'vitest';\nimport { createServer, type Server } from 'node:http';\nlet server: Server;\nbeforeEach(() => { server = createServer(); });\nafterEach(() => { server.close(); });\nit('a', () => {\n  server.listen(0);\n});`,
    },
    {
      name: 'a server closed in a handler the test defines before listening (undici agent tests)',
      code: `import { test } from 'node:test';\nimport * as http from 'node:http';\ntest('a', async () => {\n  const handler = {\n    onResponseEnd() {\n      server.close();\n    },\n  };\n  const server = http.createServer();\n  server.listen(0, () => { void handler; });\n});\ntest('b', () => {});`,
    },
  ],
  invalid: [
    {
      name: 'a beforeEach re-stubbing another global does not undo this one',
      code: `import { beforeEach, describe, it, vi } from 'vitest';\nit('a', () => {\n  vi.stubGlobal('crypto', undefined);\n});\ndescribe('s', () => {\n  beforeEach(() => { vi.stubGlobal('caches', {}); });\n  it('b', () => { void globalThis.crypto; });\n});`,
      errors: [{ line: 3, message: "`vi.stubGlobal('crypto', ...)` in test 'a' is never undone" }],
    },
    {
      name: 'under a config that restores mocks and env stubs, a stubbed global still leaks (unstubGlobals is off)',
      filename: 'configured/config-leaks.test.ts',
      code: `import { it, vi } from 'vitest';\nit('a', () => {\n  vi.stubGlobal('innerWidth', 320);\n  vi.stubEnv('MODE', 'x');\n});\nit('b', () => {\n  void (globalThis as { innerWidth?: number }).innerWidth;\n});`,
      errors: [{ line: 3, message: "`vi.stubGlobal('innerWidth', ...)` in test 'a' is never undone (no `vi.unstubAllGlobals()` in afterEach, onTestFinished or finally and unstubGlobals is off): later tests in this file, starting with 'b', see the stubbed globals." }],
    },
    {
      name: 'vitest: fake timers installed in a test and never undone; fix adds afterEach',
      code: `import { it, vi } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n});\nit('b', () => {});`,
      errors: [{ line: 3, message: "`vi.useFakeTimers()` in test 'a' is never undone (no `vi.useRealTimers()` in afterEach, onTestFinished or finally): later tests in this file, starting with 'b', run on fake timers." }],
      output: `import { it, vi, afterEach } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n});\nafterEach(() => {\n  vi.useRealTimers();\n});\nit('b', () => {});`,
    },
    {
      name: 'jest: a mocked spy in a test, restoreMocks off; fix adds afterEach restoreAllMocks',
      code: `import { it, jest } from '@jest/globals';\n${API}it('a', () => {\n  jest.spyOn(api, 'name').mockReturnValue('fake');\n});\nit('b', () => {});`,
      errors: [{ line: 4, message: "The mocked spy on `api.name` in test 'a' is never undone (no `mockRestore()` or `jest.restoreAllMocks()` in afterEach, onTestFinished or finally and restoreMocks is off): later tests in this file, starting with 'b', still get its mocked implementation." }],
      output: `import { it, jest, afterEach } from '@jest/globals';\n${API}it('a', () => {\n  jest.spyOn(api, 'name').mockReturnValue('fake');\n});\nafterEach(() => {\n  jest.restoreAllMocks();\n});\nit('b', () => {});`,
    },
    {
      name: 'vitest: a spy given an implementation through its binding; stubEnv in a scoped beforeEach leaks past the describe',
      code: `import { beforeEach, describe, it, vi } from 'vitest';\n${API}describe('s', () => {\n  beforeEach(() => {\n    vi.stubEnv('MODE', 'x');\n  });\n  it('a', () => {\n    const spy = vi.spyOn(api, 'load');\n    spy.mockResolvedValue(2);\n  });\n});\nit('b', () => {});`,
      errors: [
        { line: 5, message: "`vi.stubEnv('MODE', ...)` in beforeEach hook is never undone (no `vi.unstubAllEnvs()` in afterEach, onTestFinished or finally and unstubEnvs is off): later tests in this file, starting with 'b', see the stubbed variables." },
        { line: 8, message: 'The mocked spy on `api.load`' },
      ],
    },
    {
      name: 'mocha + sinon: a stub held on this whose after hook only resets its history',
      code: `import { afterEach, beforeEach, describe, it } from 'mocha';\nimport sinon from 'sinon';\n${API}describe('s', () => {\n  beforeEach(function () {\n    this.stub = sinon.stub(api, 'name').returns('fake');\n  });\n  afterEach(function () {\n    this.stub.resetHistory();\n  });\n  it('a', () => {});\n});\ndescribe('t', () => {\n  it('c', () => {});\n});`,
      errors: [{ line: 6 }],
    },
    {
      name: 'mocha + sinon: a stub never restored',
      code: `import { it } from 'mocha';\nimport sinon from 'sinon';\n${API}it('a', () => {\n  sinon.stub(api, 'name').returns('fake');\n});\nit('b', () => {});`,
      errors: [{ line: 5, message: "The stub on `api.name` in test 'a' is never undone (no `sinon.restore()` in afterEach, onTestFinished or finally): later tests in this file, starting with 'b', still get it (and wrapping the method again throws \"already wrapped\")." }],
      output: null,
    },
    {
      name: 'node:test: process.env written in a test and never restored',
      code: `import { test } from 'node:test';\ntest('a', () => {\n  process.env.API_URL = 'http://x';\n  delete process.env['TOKEN'];\n});\ntest('b', () => {});`,
      errors: [
        { line: 3, message: "`process.env.API_URL` in test 'a' is never undone (no a restore of `process.env.API_URL` in afterEach, onTestFinished or finally): later tests in this file, starting with 'b', see the changed value." },
        { line: 4, message: '`delete process.env.TOKEN`' },
      ],
      output: null,
    },
    {
      name: 'vitest: the restore at the end of the body is skipped when an assertion fails',
      code: `import { it, vi, expect } from 'vitest';\nit('a', () => {\n  vi.useFakeTimers();\n  expect(Date.now()).toBe(0);\n  vi.useRealTimers();\n});\nit('b', () => {});`,
      errors: [{ line: 5, message: "This restore at the end of test 'a' is skipped when an assertion or awaited call before it fails; later tests in this file (starting with 'b') then run on fake timers. Restore it in afterEach, onTestFinished or a finally block." }],
    },
    {
      name: 'jest: fake timers in a scoped beforeAll with no afterAll',
      code: `import { beforeAll, describe, it, jest } from '@jest/globals';\ndescribe('s', () => {\n  beforeAll(() => {\n    jest.useFakeTimers();\n  });\n  it('a', () => {});\n});\nit('b', () => {});`,
      errors: [{ line: 4, message: "`jest.useFakeTimers()` in beforeAll hook is never undone" }],
      output: null,
    },
    {
      name: 'Playwright: process.env changed in a test',
      code: `import { test } from '@playwright/test';\ntest('a', async () => {\n  process.env.BASE_URL = 'http://x';\n});\ntest('b', async () => {});`,
      errors: [{ line: 3, message: '`process.env.BASE_URL`' }],
    },
    {
      name: 'vitest: an http server started in beforeAll and never closed',
      code: `import { it, beforeAll } from 'vitest';\nimport { createServer, type Server } from 'node:http';\nlet server: Server;\nbeforeAll(() => {\n  server = createServer((req, res) => res.end('ok')).listen(0);\n});\nit('a', () => { void server; });`,
      errors: [{ line: 5, severity: 'warning', message: "`createServer((req, res) => res.end('ok')).listen()` in beforeAll hook is never closed (no `close()` in afterAll, onTestFinished, t.after, a finally block or `using`): it keeps listening after the test" }],
    },
    {
      name: 'jest: an express server closed at the end of the test body, after an assertion (info)',
      code: `import { it, expect } from '@jest/globals';\nimport express from 'express';\nit('a', async () => {\n  const server = express().listen(0);\n  expect(server.listening).toBe(true);\n  server.close();\n});`,
      errors: [{ line: 6, severity: 'info', message: "This close at the end of test 'a' is skipped when an assertion or awaited call before it fails: then it keeps listening" }],
    },
    {
      name: 'mocha: an interval whose handle is dropped',
      code: `import { it } from 'mocha';\nit('a', () => {\n  setInterval(() => undefined, 100);\n});`,
      errors: [{ line: 3, message: "`setInterval()` in test 'a' is never closed (its handle is not kept, so nothing can close it) (no `clearInterval()`" }],
    },
    {
      name: 'node:test: a pg pool and a Redis client opened in before, never ended',
      code: `import { test, before } from 'node:test';\nimport { Pool } from 'pg';\nimport Redis from 'ioredis';\nlet pool: Pool;\nlet redis: Redis;\nbefore(() => {\n  pool = new Pool();\n  redis = new Redis();\n});\ntest('a', () => { void pool; void redis; });`,
      errors: [{ line: 7, message: '`new Pool()` in beforeAll hook is never closed' }, { line: 8, message: '`new Redis()`' }],
    },
    {
      name: 'Playwright: a browser launched by hand in beforeAll, and a context in a test, never closed',
      code: `import { test } from '@playwright/test';\nimport { chromium, type Browser } from 'playwright';\nlet browser: Browser;\ntest.beforeAll(async () => {\n  browser = await chromium.launch();\n});\ntest('a', async () => {\n  const context = await browser.newContext();\n  void context;\n});`,
      errors: [{ line: 5, message: '`chromium.launch()` in beforeAll hook is never closed' }, { line: 8, message: "`browser.newContext()` in test 'a' is never closed" }],
    },
    {
      name: 'vitest: a temp dir never removed (info) and a watcher never closed; fastify and ws servers in hooks',
      code: `import { it, beforeAll, beforeEach } from 'vitest';\nimport * as fs from 'node:fs/promises';\nimport { watch } from 'node:fs';\nimport * as os from 'node:os';\nimport fastify from 'fastify';\nimport { WebSocketServer } from 'ws';\nconst app = fastify();\nlet wss: WebSocketServer;\nbeforeAll(async () => {\n  await app.listen({ port: 0 });\n});\nbeforeEach(() => {\n  wss = new WebSocketServer({ port: 0 });\n});\nit('a', async () => {\n  const dir = await fs.mkdtemp(os.tmpdir() + '/x-');\n  const watcher = watch(dir);\n  void watcher; void wss;\n});`,
      errors: [
        { line: 10, severity: 'warning', message: '`app.listen()` in beforeAll hook' },
        { line: 13, message: '`new WebSocketServer()` in beforeEach hook is never closed (no `close()` in afterEach' },
        { line: 16, severity: 'info', message: 'is left behind in the temp directory' },
        { line: 17, severity: 'warning', message: "`watch()` in test 'a'" },
      ],
    },
    {
      name: 'node:test: server.listen(0) on a server from beforeEach, never closed (the receiver is the handle)',
      code: `import { test, beforeEach } from 'node:test';\nimport { createServer, type Server } from 'node:http';\nlet server: Server;\nbeforeEach(() => { server = createServer(); });\ntest('a', () => {\n  server.listen(0);\n});`,
      errors: [{ line: 6, message: "`server.listen()` in test 'a' is never closed (no `close()` in afterEach" }],
    },
    {
      name: 'jest: mongoose.createConnection(uri) dropped in a test',
      code: `import { it } from '@jest/globals';\nimport * as mongoose from 'mongoose';\nit('a', () => {\n  mongoose.createConnection('mongodb://localhost/x');\n});`,
      errors: [{ line: 4, message: "`mongoose.createConnection()` in test 'a' is never closed (its handle is not kept, so nothing can close it)" }],
    },
  ],
});
