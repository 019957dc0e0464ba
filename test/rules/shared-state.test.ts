import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('shared-state', {
  valid: [
    {
      // typeorm: each test sets the state at the top of every iteration of its loop, then reads it in that iteration.
      name: 'a loop that sets the state at the start of each iteration and reads it after, in every test (mocha)',
      code: `import { expect } from 'chai';\ndeclare function load(): Promise<number[]>;\ndeclare function stub(): { restore(): void };\ndescribe('s', () => {\n  const cases = [1, 2, 3];\n  let current: number[];\n  let spy: { restore(): void };\n  it('first', async () => {\n    for (const item of cases) {\n      current = await load();\n      spy = stub();\n      expect(current[0]! + item).to.be.greaterThan(0);\n      spy.restore();\n    }\n  });\n  it('second', async () => {\n    for (const item of cases) {\n      current = [item];\n      spy = stub();\n      expect(current[0]).to.equal(item);\n      spy.restore();\n    }\n  });\n});`,
    },
    {
      name: 'fixed form: a let re-initialised in beforeEach (vitest)',
      code: `import { beforeEach, expect, it } from 'vitest';\nlet count: number;\nbeforeEach(() => {\n  count = 0;\n});\nit('adds', () => {\n  count += 1;\n  expect(count).toBe(1);\n});\nit('starts at zero', () => {\n  expect(count).toBe(0);\n});`,
    },
    {
      name: 'a beforeAll that initialises state the tests only read',
      code: `import { beforeAll, describe, expect, it } from 'vitest';\ndescribe('s', () => {\n  let users: string[] = [];\n  beforeAll(() => {\n    users = ['a', 'b'];\n  });\n  it('has two', () => {\n    expect(users).toHaveLength(2);\n  });\n  it('starts with a', () => {\n    expect(users[0]).toBe('a');\n  });\n});`,
    },
    {
      name: 'state written and read only within the same test',
      code: `import { expect, it } from 'vitest';\nlet result = 0;\nit('a', () => {\n  result = 1 + 1;\n  expect(result).toBe(2);\n});\nit('b', () => {\n  expect(1).toBe(1);\n});`,
    },
    {
      name: 'every reader re-initialises the state before reading it',
      code: `import { expect, it } from 'vitest';\nlet items: number[] = [];\nconst seen = new Map<string, number>();\nit('a', () => {\n  items = [];\n  items.push(1);\n  seen.clear();\n  seen.set('a', 1);\n  expect(items).toEqual([1]);\n  expect(seen.size).toBe(1);\n});\nit('b', () => {\n  items = [2];\n  seen.clear();\n  expect(items).toEqual([2]);\n  expect(seen.get('a')).toBeUndefined();\n});`,
    },
    {
      name: 'fixed form: afterEach empties the array (jest)',
      code: `import { afterEach, expect, it } from '@jest/globals';\nconst log: string[] = [];\nafterEach(() => {\n  log.length = 0;\n});\nit('a', () => {\n  log.push('a');\n  expect(log).toEqual(['a']);\n});\nit('b', () => {\n  log.push('b');\n  expect(log).toEqual(['b']);\n});`,
    },
    {
      name: 'fixed form: vi.clearAllMocks and a default implementation in beforeEach',
      code: `import { beforeEach, expect, it, vi } from 'vitest';\nconst send = vi.fn();\nbeforeEach(() => {\n  vi.clearAllMocks();\n  send.mockReturnValue(true);\n});\nit('a', () => {\n  send.mockReturnValue(false);\n  expect(send()).toBe(false);\n});\nit('b', () => {\n  send();\n  expect(send).toHaveBeenCalledTimes(1);\n});`,
    },
    {
      name: 'the runner config restores mocks before each test',
      filename: 'configured/shared-mock.test.ts',
      code: `import { expect, it, vi } from 'vitest';\nconst send = vi.fn();\nit('a', () => {\n  send.mockReturnValue(false);\n  expect(send()).toBe(false);\n});\nit('b', () => {\n  send();\n  expect(send).toHaveBeenCalledTimes(1);\n});`,
    },
    {
      name: 'a reader that gives the mock its own implementation first',
      code: `import { expect, it, vi } from 'vitest';\nconst load = vi.fn();\nit('a', async () => {\n  load.mockResolvedValue(1);\n  expect(await load()).toBe(1);\n});\nit('b', async () => {\n  load.mockResolvedValue(2);\n  expect(await load()).toBe(2);\n});`,
    },
    {
      name: 'Playwright serial mode: the order is intended',
      code: `import { expect, test } from '@playwright/test';\ntest.describe.configure({ mode: 'serial' });\nlet orderId = '';\ntest('creates an order', async () => {\n  orderId = 'o-1';\n});\ntest('shows the order', async () => {\n  expect(orderId).toBe('o-1');\n});`,
    },
    {
      name: 'fixed form: mocha context set in beforeEach',
      code: `import { beforeEach, it } from 'mocha';\nimport { expect } from 'chai';\nbeforeEach(function () {\n  this.user = { name: 'a' };\n});\nit('renames', function () {\n  this.user.name = 'b';\n  expect(this.user.name).to.equal('b');\n});\nit('has a name', function () {\n  expect(this.user.name).to.equal('a');\n});`,
    },
    {
      name: 'different properties of one object: no dependency',
      code: `import { expect, it } from 'vitest';\nconst state = { a: 0, b: 0 };\nit('a', () => {\n  state.a = 1;\n});\nit('b', () => {\n  expect(state.b).toBe(0);\n});`,
    },
    {
      name: 'state written by a helper function (callers not followed) is unknown',
      code: `import { expect, it } from 'vitest';\nconst calls: string[] = [];\nfunction record(name: string) {\n  calls.push(name);\n}\nit('a', () => {\n  record('a');\n  calls.push('x');\n});\nit('b', () => {\n  expect(calls).toEqual([]);\n});`,
    },
    {
      name: 'a write undone in finally',
      code: `import { expect, it } from 'vitest';\nconst config = { mode: 'prod' };\nit('a', () => {\n  const old = config.mode;\n  config.mode = 'test';\n  try {\n    expect(config.mode).toBe('test');\n  } finally {\n    config.mode = old;\n  }\n});\nit('b', () => {\n  expect(config.mode).toBe('prod');\n});`,
    },
    {
      name: 'a skipped writer never runs',
      code: `import { expect, it } from 'vitest';\nlet count = 0;\nit.skip('a', () => {\n  count++;\n});\nit('b', () => {\n  expect(count).toBe(0);\n});`,
    },
    {
      name: 'tests that only write: nobody reads what another left',
      code: `import { it } from 'vitest';\nconst events: string[] = [];\nit('a', () => {\n  events.push('a');\n});\nit('b', () => {\n  events.push('b');\n});`,
    },
    {
      name: 'non-mutating methods and user-class methods are no writes',
      code: `import { expect, it } from 'vitest';\nclass Counter { n = 0; bump() { this.n++; } }\nconst counter = new Counter();\nconst ids = [3, 1, 2];\nconst byId = new Map([[1, 'a']]);\nit('a', () => {\n  counter.bump();\n  expect(ids.map((x) => x * 2)).toHaveLength(3);\n  expect(byId.get(1)).toBe('a');\n});\nit('b', () => {\n  expect(ids.slice().sort()).toEqual([1, 2, 3]);\n  expect(byId.has(1)).toBe(true);\n  expect(counter).toBeDefined();\n});`,
    },
    {
      name: 'fixed form: each case re-initialises the state',
      code: `import { expect, it } from 'vitest';\nlet total = 0;\nit.each([1, 2])('adds %i', (n) => {\n  total = 0;\n  total += n;\n  expect(total).toBe(n);\n});`,
    },
    {
      name: 'node:test: a fresh map per test (beforeEach)',
      code: `import { beforeEach, test } from 'node:test';\nimport assert from 'node:assert';\nlet cache: Map<string, number>;\nbeforeEach(() => {\n  cache = new Map();\n});\ntest('a', () => {\n  cache.set('a', 1);\n  assert.equal(cache.size, 1);\n});\ntest('b', () => {\n  assert.equal(cache.size, 0);\n});`,
    },
    {
      name: 'fixed form: a suite beforeAll that covers its own readers (hook writer)',
      code: `import { beforeAll, describe, expect, it } from 'vitest';\nlet db: { rows: number } | undefined;\ndescribe('A', () => {\n  beforeAll(() => {\n    db = { rows: 1 };\n  });\n  it('reads', () => {\n    expect(db?.rows).toBe(1);\n  });\n});\ndescribe('B', () => {\n  beforeAll(() => {\n    db = { rows: 2 };\n  });\n  it('reads too', () => {\n    expect(db?.rows).toBe(2);\n  });\n});`,
    },
    {
      name: 'fixed form: the mocked module is reset in beforeEach',
      code: `import { beforeEach, expect, it, jest } from '@jest/globals';\nimport { readFile } from 'node:fs/promises';\njest.mock('node:fs/promises');\nbeforeEach(() => {\n  jest.resetAllMocks();\n});\nit('a', async () => {\n  jest.mocked(readFile).mockResolvedValue('x');\n  expect(readFile).toHaveBeenCalled();\n});\nit('b', () => {\n  expect(readFile).toHaveBeenCalledTimes(1);\n});`,
    },
    {
      name: 'a beforeEach that changes the state around every test carries it across tests on purpose',
      code: `import { beforeEach, expect, it } from 'vitest';\nconst queue: number[] = [];\nbeforeEach(() => {\n  queue.push(0);\n});\nit('a', () => {\n  queue.push(1);\n});\nit('b', () => {\n  expect(queue).toHaveLength(1);\n});`,
    },
    {
      name: 'a property one test adds is not what a method call of another test reads',
      code: `import { expect, it, vi } from 'vitest';\nconst server = new EventTarget() as EventTarget & { send?: () => void };\nit('sends', () => {\n  server.send = vi.fn();\n  expect(server.send).toBeDefined();\n});\nit('dispatches', () => {\n  expect(server.dispatchEvent(new Event('message'))).toBe(true);\n});`,
    },
    {
      name: 'mocha: a temporary change put back at the end of the test from a saved local',
      code: `import { it } from 'mocha';\nimport { expect } from 'chai';\nconst clients = { sqlite3: { valueForUndefined: undefined as unknown } };\nit('normalizes', function () {\n  const previous = clients.sqlite3.valueForUndefined;\n  clients.sqlite3.valueForUndefined = null;\n  expect(clients.sqlite3.valueForUndefined).to.equal(null);\n  clients.sqlite3.valueForUndefined = previous;\n});\nit('binds', function () {\n  expect(clients.sqlite3.valueForUndefined).to.equal(undefined);\n});`,
    },
    {
      name: 'mocha: a before hook sets a client option and the same suite\'s after hook resets it',
      code: `import { after, before, describe, it } from 'mocha';\nimport { expect } from 'chai';\nconst client = { config: { wrap: undefined as undefined | ((s: string) => string) } };\ndescribe('query context', () => {\n  before(() => {\n    client.config.wrap = (s) => s;\n  });\n  after(() => {\n    client.config.wrap = undefined;\n  });\n  it('wraps', () => {\n    expect(client.config.wrap).to.be.a('function');\n  });\n});\nit('does not wrap', () => {\n  expect(client.config.wrap).to.equal(undefined);\n});`,
    },
    {
      name: 'a copy of the state that overrides the key another suite\'s hook sets',
      code: `import { beforeEach, describe, it } from 'mocha';\nimport { expect } from 'chai';\nconst config: { client: string; version?: string } = { client: 'pg' };\ndescribe('old versions', () => {\n  beforeEach(() => {\n    config.version = '7.2';\n  });\n  it('reads the version', () => {\n    expect(config.version).to.equal('7.2');\n  });\n});\nit('custom client', () => {\n  const own = { ...config, version: 'custom' };\n  expect(own.version).to.equal('custom');\n});`,
    },
    {
      name: 'node:test: an after hook registered inside the test puts the module back',
      code: `import { after, test } from 'node:test';\nimport assert from 'node:assert';\nconst timers = { setTimeout: globalThis.setTimeout };\ntest('a', () => {\n  const saved = { ...timers };\n  Object.assign(timers, { setTimeout: () => 0 });\n  after(() => {\n    Object.assign(timers, saved);\n  });\n});\ntest('b', () => {\n  const saved = { ...timers };\n  assert.ok(saved.setTimeout);\n});`,
    },
    {
      name: 'a counter bumped by every test for a unique id, used only as an input',
      code: `import { expect, test } from 'vitest';\ndeclare function save(row: { id: number }): Promise<{ id: number }>;\nlet id = 0;\ntest('a', async () => {\n  const row = await save({ id: ++id });\n  expect(row).toBeDefined();\n});\ntest('b', async () => {\n  id += 1;\n  const row = await save({ id });\n  expect(row).toBeDefined();\n});`,
    },
    {
      name: 'a reader that sets the state itself inside a callback it hands to a call, before reading it',
      code: `import { expect, it } from 'vitest';\ndeclare function transactional(work: () => Promise<void>): Promise<void>;\nlet username = '';\nit('a', async () => {\n  await transactional(async () => {\n    username = 'a';\n  });\n});\nit('b', async () => {\n  await transactional(async () => {\n    username = 'b';\n    expect(username).toBe('b');\n  });\n});`,
    },
    {
      name: 'a test that sets the value the beforeAll already set (a constant)',
      code: `import { beforeAll, expect, test } from 'vitest';\nconst SCHEMA = 'tenant_1';\nconst orm = { em: { schema: '' } };\nbeforeAll(() => {\n  orm.em.schema = SCHEMA;\n});\ntest('a', () => {\n  orm.em.schema = SCHEMA;\n});\ntest('b', () => {\n  expect(orm.em.schema).toBe(SCHEMA);\n});`,
    },
    {
      name: 'mocha: calling a module function is no read of a property another suite\'s hook set on it',
      code: `import { beforeEach, describe, it } from 'mocha';\nimport { expect } from 'chai';\nconst nock = Object.assign((host: string) => host, { back: { fixtures: '' } });\nit('intercepts', () => {\n  expect(nock('http://example.test')).to.equal('http://example.test');\n});\ndescribe('back', () => {\n  beforeEach(() => {\n    nock.back.fixtures = '/fixtures';\n  });\n  it('records', () => {\n    expect(nock.back.fixtures).to.equal('/fixtures');\n  });\n});`,
    },
  ],
  invalid: [
    {
      name: 'in a loop, a read before the write of the iteration, or after a write under a condition, sees the other test\'s value',
      code: `import { expect } from 'chai';\ndeclare const flag: boolean;\ndescribe('s', () => {\n  let current = 0;\n  it('first', () => {\n    for (const item of [1, 2]) {\n      expect(current).to.be.at.least(0);\n      current = item;\n    }\n  });\n  it('second', () => {\n    for (const item of [1, 2]) {\n      if (flag) current = item;\n      expect(current).to.equal(item);\n    }\n  });\n});`,
      errors: [{ line: 7 }],
    },
    {
      name: 'vitest: a counter incremented by a test and asserted exactly by a later test',
      code: `import { expect, it } from 'vitest';\nlet count = 0;\nit('adds', () => {\n  count += 1;\n});\nit('has one', () => {\n  expect(count).toBe(1);\n});`,
      errors: [{ line: 7, message: "Test 'has one' reads `count`, which test 'adds' changes (line 4: `+=`) with no reset in beforeEach" }],
    },
    {
      name: 'a counter bumped by each test and asserted exactly after the bump',
      code: `import { expect, it } from 'vitest';\nlet calls = 0;\nit('a', () => {\n  calls++;\n  expect(calls).toBe(1);\n});\nit('b', () => {\n  calls++;\n  expect(calls).toBe(2);\n});`,
      errors: [{ line: 5, message: "Test 'a' (and 1 other test) reads `calls`, which test 'b' changes (line 8: `++`)" }],
    },
    {
      name: 'jest: an array filled by one test, read by another',
      code: `import { expect, it } from '@jest/globals';\nconst log: string[] = [];\nit('a', () => {\n  log.push('a');\n  expect(log).toEqual(['a']);\n});\nit('b', () => {\n  log.push('b');\n  expect(log).toEqual(['b']);\n});`,
      errors: [{ line: 5, message: "Test 'a' (and 1 other test) reads `log`, which test 'b' changes (line 8: `push`)" }],
    },
    {
      name: 'mocha: the shared this context set by a test and read by another',
      code: `import { it } from 'mocha';\nimport { expect } from 'chai';\nit('creates', function () {\n  this.user = { name: 'a' };\n});\nit('renames', function () {\n  expect(this.user.name).to.equal('a');\n});`,
      errors: [{ line: 7, message: "Test 'renames' reads `this.user`, which test 'creates' assigns (line 4" }],
    },
    {
      name: 'node:test: a map written by one test and read by another',
      code: `import { test } from 'node:test';\nimport assert from 'node:assert';\nconst cache = new Map<string, number>();\ntest('a', () => {\n  cache.set('a', 1);\n});\ntest('b', () => {\n  assert.equal(cache.size, 0);\n});`,
      errors: [{ line: 8, message: "reads `cache`, which test 'a' changes (line 5: `set`)" }],
    },
    {
      name: 'Playwright: module state across tests without serial mode',
      code: `import { expect, test } from '@playwright/test';\nlet orderId = '';\ntest('creates an order', async () => {\n  orderId = 'o-1';\n});\ntest('shows the order', async () => {\n  expect(orderId).toBe('o-1');\n});`,
      errors: [{ line: 7, message: /Test 'shows the order' reads `orderId`, which test 'creates an order' assigns .*Playwright starts a new worker after a failure/ }],
    },
    {
      name: 'node:test: two writers: the message counts the other one',
      code: `import { describe, test } from 'node:test';\nimport assert from 'node:assert';\nconst ws = { onopen: null as null | (() => void) };\ndescribe('onopen', () => {\n  test('is null initially', () => {\n    assert.strictEqual(ws.onopen, null);\n  });\n  test('takes a function', () => {\n    ws.onopen = () => {};\n  });\n  test('takes another function', () => {\n    ws.onopen = () => {};\n  });\n});`,
      errors: [{ line: 6, message: "Test 'is null initially' reads `ws.onopen`, which test 'takes a function' changes (line 9: `=`; 1 other test or hook changes it too)" }],
    },
    {
      name: 'vitest: a module-scope mock given an implementation by one test, called by another',
      code: `import { expect, it, vi } from 'vitest';\nconst send = vi.fn();\nit('a', () => {\n  send.mockReturnValue(false);\n});\nit('b', () => {\n  expect(send()).toBeUndefined();\n});`,
      errors: [{ line: 7, message: "Test 'b' calls the mock `send` without giving it an implementation first, and test 'a' sets one (line 4: `mockReturnValue`)" }],
    },
    {
      name: 'jest: a mocked module export: implementation and call history leak',
      code: `import { expect, it, jest } from '@jest/globals';\nimport { readFile } from 'node:fs/promises';\njest.mock('node:fs/promises');\nit('a', async () => {\n  jest.mocked(readFile).mockResolvedValue('x');\n  expect(readFile).toHaveBeenCalled();\n});\nit('b', () => {\n  expect(readFile).toHaveBeenCalledTimes(1);\n});`,
      errors: [
        { line: 9, message: "Test 'b' expects the mock `readFile` to be called (`toHaveBeenCalledTimes`) without giving it an implementation first, and test 'a' sets one (line 5: `mockResolvedValue`)" },
        { line: 9, message: "Test 'b' asserts how often `readFile` was called (`toHaveBeenCalledTimes`), and test 'a' calls it too (line 6)" },
      ],
    },
    {
      name: 'jest: members of a mocked module\'s default export (axios.get) and vi.hoisted mocks',
      code: `import { expect, it, jest } from '@jest/globals';\nimport fs from 'node:fs';\njest.mock('node:fs');\nit('reads', () => {\n  jest.mocked(fs.readFileSync).mockReturnValue('x');\n});\nit('reads nothing', () => {\n  expect(fs.readFileSync).toHaveBeenCalledWith('a.txt');\n});`,
      errors: [{ line: 8, message: "Test 'reads nothing' expects the mock `fs.readFileSync` to be called (`toHaveBeenCalledWith`) without giving it an implementation first, and test 'reads' sets one (line 5: `mockReturnValue`)" }],
    },
    {
      name: 'vitest: mocks made with vi.hoisted',
      code: `import { expect, it, vi } from 'vitest';\nconst { send } = vi.hoisted(() => ({ send: vi.fn() }));\nit('a', () => {\n  send('x');\n});\nit('b', () => {\n  expect(send).not.toHaveBeenCalled();\n});`,
      errors: [{ line: 7, message: "Test 'b' asserts how often `send` was called (`not.toHaveBeenCalled`), and test 'a' calls it too (line 4)" }],
    },
    {
      name: 'vitest: a call count that includes an earlier test\'s calls',
      code: `import { expect, it, vi } from 'vitest';\nconst track = vi.fn();\nit('a', () => {\n  track('x');\n});\nit('b', () => {\n  track('y');\n  expect(track).toHaveBeenCalledTimes(1);\n});`,
      errors: [{ line: 8, message: "Test 'b' asserts how often `track` was called (`toHaveBeenCalledTimes`), and test 'a' calls it too (line 4)" }],
    },
    {
      name: 'a beforeAll of one suite sets state a test outside it reads',
      code: `import { beforeAll, describe, expect, it } from 'vitest';\nlet db: { rows: number } | undefined;\ndescribe('A', () => {\n  beforeAll(() => {\n    db = { rows: 1 };\n  });\n  it('reads', () => {\n    expect(db?.rows).toBe(1);\n  });\n});\ndescribe('B', () => {\n  it('reads too', () => {\n    expect(db?.rows).toBe(1);\n  });\n});`,
      errors: [{ line: 13, message: "Test 'reads too' reads `db`, which the beforeAll hook of suite 'A' sets (line 5), but 'reads too' is outside that suite" }],
    },
    {
      name: 'each case reads what the case before it left',
      code: `import { expect, it } from 'vitest';\nlet total = 0;\nit.each([1, 2])('adds %i', (n) => {\n  total += n;\n  expect(total).toBe(n);\n});`,
      errors: [{ line: 5, message: "Each case of 'adds %i' reads `total`, which the case before it changed (line 4: `+=`)" }],
    },
    {
      name: 'a suite-scope object property set by one test, read by another (Object.assign too)',
      code: `import { describe, expect, it } from 'vitest';\ndescribe('settings', () => {\n  const settings = { mode: 'prod', theme: 'light' };\n  it('switches mode', () => {\n    settings.mode = 'test';\n    Object.assign(settings, { theme: 'dark' });\n  });\n  it('is prod', () => {\n    expect(settings.mode).toBe('prod');\n  });\n});`,
      errors: [{ line: 9, message: "Test 'is prod' reads `settings.mode`, which test 'switches mode' changes (line 5: `=`)" }],
    },
  ],
});
