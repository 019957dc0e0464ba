import { ruleTable } from '../helpers/ruleTester.js';

const emitter = `import { EventEmitter } from 'node:events';\nconst emitter = new EventEmitter();\n`;

ruleTable('done-callback', {
  valid: [
    { name: 'jest: setTimeout(() => done(), 10)', code: `import { it } from '@jest/globals';\nit('a', (done) => {\n  setTimeout(() => done(), 10);\n});` },
    { name: 'mocha: done passed on as a listener', code: `${emitter}it('a', function (done) {\n  emitter.once('x', done);\n  emitter.emit('x');\n});` },
    { name: 'mocha: promise.then(() => done(), done)', code: `it('a', (done) => {\n  Promise.resolve(1).then(() => done(), done);\n});` },
    { name: 'done called in both branches', code: `import { it } from '@jest/globals';\nit('a', (done) => {\n  const ok = Math.random() > 0.5;\n  if (ok) {\n    done();\n  } else {\n    done(new Error('nope'));\n  }\n});` },
    { name: 'throw or return done(error) on the early path', code: `it('a', (done) => {\n  const value = Number('1');\n  if (Number.isNaN(value)) throw new Error('nan');\n  if (value < 0) return done(new Error('negative'));\n  done();\n});` },
    { name: 'try/catch calling done on both paths', code: `import { it, expect } from '@jest/globals';\nit('a', (done) => {\n  try {\n    expect(1).toBe(1);\n    done();\n  } catch (error) {\n    done(error);\n  }\n});` },
    { name: 'finally calls done', code: `it('a', (done) => {\n  try {\n    JSON.parse('{}');\n  } finally {\n    done();\n  }\n});` },
    { name: 'switch with a default, every case calling done (with fallthrough)', code: `it('a', (done) => {\n  const n = Number('2');\n  switch (n) {\n    case 1:\n    case 2:\n      done();\n      break;\n    default:\n      done(new Error(String(n)));\n  }\n});` },
    { name: 'vitest: the first parameter is the test context', code: `import { it } from 'vitest';\nit('a', (context) => { void context; });\nit('b', async (ctx) => { await Promise.resolve(ctx); });\nit('c', ({ expect }) => { expect(1).toBe(1); });` },
    { name: 'Playwright: the first parameter is the fixtures object', code: `import { test } from '@playwright/test';\ntest('a', async ({ page }) => { await page.goto('/'); });\ntest.beforeEach(async ({ page }, testInfo) => { void page; void testInfo; });` },
    { name: 'node:test: t is no done callback; (t, done) handed on', code: `import test, { before } from 'node:test';\ntest('a', (t) => { void t; });\ntest('b', async (t) => { await t.test('c', () => {}); });\ntest('d', (t, done) => { setImmediate(done); });\nbefore((s, done) => { process.nextTick(() => done()); });` },
    { name: 'untyped JS: an unknown runner\'s first parameter not named like done', filename: 'untyped/done-valid.test.js', code: `it('a', (ctx) => { void ctx; });\nit('b', (done) => { setTimeout(done, 5); });` },
    { name: 'jest it.each: the done position depends on the table', code: `import { it } from '@jest/globals';\nit.each([1, 2])('n %i', (n, done) => { void n; void done; });` },
    { name: 'done called in a loop or a conditional expression: beyond the analysis, silent', code: `it('a', (done) => {\n  for (const n of [1]) {\n    if (n) done();\n  }\n});\nit('b', (done) => {\n  const ok = Math.random() > 0.5;\n  ok ? done() : done(new Error('x'));\n});\nit('c', (done) => {\n  const finish = () => done();\n  if (Math.random()) finish();\n});` },
    { name: 'done handed to a helper in an object (shorthand) counts as used', code: `function run(o: { done: () => void }) { o.done(); }\nit('a', (done) => {\n  run({ done });\n});` },
    { name: 'a nested callback that calls done conditionally (may run many times) is not judged', code: `${emitter}it('a', (done) => {\n  emitter.on('data', (chunk: string) => {\n    if (chunk === 'end') done();\n  });\n});` },
    { name: 'paths that end in this.skip(), fail() or a never-returning call', code: `import { assert } from 'chai';\nfunction bail(): never { throw new Error('bail'); }\nit('a', function (done) {\n  if (!process.env.DB) return this.skip();\n  if (Number('1') > 2) { assert.fail('too big'); } else if (Number('1') < 0) { bail(); } else { done(); }\n});` },
    { name: 'a conditional inside a callback that receives done is that callback\'s business', code: `import * as fs from 'node:fs';\nit('a', (done) => {\n  fs.readFile('x', (err) => (err ? done(err) : done()));\n});` },
    { name: 'mocha hook passing done to a callback API', code: `import * as fs from 'node:fs';\nbeforeEach((done) => {\n  fs.readFile('x', () => done());\n});` },
    { name: 'mocha: a const alias called on every path', code: `it('a', (done) => {\n  const finish = done;\n  setTimeout(() => finish(), 5);\n});` },
    { name: 'mocha: done stored in an object and called through it', code: `it('a', (done) => {\n  const ctx = { done, n: 1 };\n  void ctx.n;\n  ctx.done();\n});` },
    { name: 'mocha: done escapes through a let alias or a holder handed on: not followed, silent', code: `declare function keep(o: object): void;\nit('a', (done) => {\n  let finish = done;\n  finish = () => {};\n  void finish;\n});\nit('b', (done) => {\n  const ctx = { cb: done };\n  keep(ctx);\n});` },
    { name: 'mocha: done reassigned: silent', code: `it('a', function (done) {\n  done = (() => {}) as typeof done;\n  done();\n});` },
    { name: 'vitest: fixed form, a promise instead of done', code: `import { it } from 'vitest';\nit('a', async () => {\n  await new Promise<void>((resolve) => setTimeout(resolve, 5));\n});` },
    { name: 'vitest: a context that is used, not called', code: `import { it, beforeEach } from 'vitest';\nbeforeEach((ctx) => { void ctx.task; });\nit('a', (context) => { context.skip(); });\nit('b', (next) => { void next; });` },
  ],
  invalid: [
    {
      name: 'vitest: done called in a sync test',
      code: `import { it } from 'vitest';\nit('a', (done) => {\n  setTimeout(() => done(), 5);\n});`,
      errors: [{ line: 2, message: /^vitest has no done callback: `done` is the test context, and calling it throws.*it ends when its function returns, so/ }],
    },
    {
      name: 'vitest: done in an async hook, and handed on in beforeAll',
      code: `import { beforeEach, beforeAll } from 'vitest';\nbeforeEach(async (done) => {\n  await Promise.resolve();\n  done();\n});\nbeforeAll((cb) => { setImmediate(cb); });`,
      errors: [{ line: 2, message: 'its function returns and its promise settles' }, { line: 6, message: '`cb` is the suite' }],
    },
    {
      name: 'mocha: a const alias called on one branch only',
      code: `it('a', (done) => {\n  const finish = done;\n  if (Math.random() > 0.5) {\n    finish();\n  }\n});`,
      errors: [{ line: 3, message: 'is called in only some branches of this `if`' }],
    },
    {
      name: 'mocha: done stored in an object and never called through it',
      code: `it('a', (done) => {\n  const ctx = { cb: done, n: 1 };\n  void ctx.n;\n});`,
      errors: [{ line: 1, message: 'only stored (in `ctx.cb`)' }],
    },
    {
      name: 'mocha: an alias never called',
      code: `it('a', function (done) {\n  const finish = done;\n  JSON.parse('{}');\n});`,
      errors: [{ line: 1, message: '`done` is never called: it is only stored (in `finish`)' }],
    },
    {
      name: 'jest: async test with done',
      code: `import { it } from '@jest/globals';\nit('a', async (done) => {\n  await Promise.resolve();\n  done();\n});`,
      errors: [{ line: 2, message: 'This test takes `done` and is also async: jest, mocha and node:test fail a test that signals completion twice. Drop `done` and await the work instead.' }],
      output: null,
    },
    {
      name: 'mocha: async function with an unused done: remove it (unsafe fix)',
      code: `it('a', async function (done) {\n  await Promise.resolve();\n});`,
      errors: [{ line: 1, message: 'signals completion twice' }],
      output: `it('a', async function () {\n  await Promise.resolve();\n});`,
    },
    {
      name: 'node:test: async (t, done)',
      code: `import test from 'node:test';\ntest('a', async (t, done) => {\n  await t.test('b', () => {});\n});`,
      errors: [{ line: 2, message: 'is also async' }],
      output: `import test from 'node:test';\ntest('a', async (t) => {\n  await t.test('b', () => {});\n});`,
    },
    {
      name: 'jest: a callback that returns a promise and takes done',
      code: `import { it } from '@jest/globals';\nit('a', (done) => Promise.resolve().then(() => done()));`,
      errors: [{ line: 2, message: 'also returns a promise' }],
      output: null,
    },
    {
      name: 'jest: done never called',
      code: `import { it, expect } from '@jest/globals';\nit('a', (done) => {\n  expect(1).toBe(1);\n});`,
      errors: [{ line: 2, message: '`done` is never called: the test times out instead of failing with its real error' }],
      output: `import { it, expect } from '@jest/globals';\nit('a', () => {\n  expect(1).toBe(1);\n});`,
    },
    {
      name: 'mocha hook: done never called; an unparenthesised arrow parameter',
      code: `beforeEach(function (done) {\n  JSON.parse('{}');\n});\nafterEach(done => {\n  JSON.parse('{}');\n});`,
      errors: [{ line: 1, message: 'the hook times out' }, { line: 4 }],
      output: `beforeEach(function () {\n  JSON.parse('{}');\n});\nafterEach(() => {\n  JSON.parse('{}');\n});`,
    },
    {
      name: 'mocha with a typed this parameter',
      code: `it('a', function (this: Mocha.Context, done) {\n  this.timeout(100);\n});`,
      errors: [{ line: 1, message: 'never called' }],
      output: `it('a', function (this: Mocha.Context) {\n  this.timeout(100);\n});`,
    },
    {
      name: 'untyped JS: done never called',
      filename: 'untyped/done-invalid.test.js',
      code: `describe('s', () => {\n  it('a', (done) => {\n    JSON.parse('{}');\n  });\n});`,
      errors: [{ line: 2, message: 'never called' }],
    },
    {
      name: 'jest: done only inside an if without else',
      code: `import { it } from '@jest/globals';\nit('a', (done) => {\n  const ready = Math.random() > 0.5;\n  if (ready) {\n    done();\n  }\n});`,
      errors: [{ line: 4, message: '`done` is called in only some branches of this `if`: on the other path the test times out instead of failing with its real error' }],
      output: null,
    },
    {
      name: 'mocha: an early return without done',
      code: `it('a', function (done) {\n  const value = Number('1');\n  if (Number.isNaN(value)) return;\n  done();\n});`,
      errors: [{ line: 3, message: 'This `return` leaves the test without calling `done`' }],
    },
    {
      name: 'a switch without default',
      code: `it('a', (done) => {\n  const n = Number('2');\n  switch (n) {\n    case 1:\n      done();\n      break;\n    case 2:\n      done();\n  }\n});`,
      errors: [{ line: 3, message: 'only some cases of this `switch`' }],
    },
    {
      name: 'done only in the catch of a try',
      code: `import { it, expect } from '@jest/globals';\nit('a', (done) => {\n  try {\n    expect(1).toBe(1);\n  } catch (error) {\n    done(error);\n  }\n});`,
      errors: [{ line: 3, message: 'only some paths through this `try`' }],
    },
    {
      name: 'node:test: (t, done) with done in one branch',
      code: `import { test } from 'node:test';\ntest('a', (t, done) => {\n  if (t.name === 'a') done();\n});`,
      errors: [{ line: 3, message: 'some branches of this `if`' }],
    },
    {
      name: 'a callback handing done on in one branch only',
      code: `${emitter}it('a', (done) => {\n  if (emitter.listenerCount('x') > 0) {\n    emitter.once('x', () => done());\n  }\n  emitter.emit('x');\n});`,
      errors: [{ line: 4, message: 'only some branches of this `if`' }],
    },
    {
      name: 'an if calling done followed by more code',
      code: `import { it } from '@jest/globals';\nit('a', (cb) => {\n  if (Math.random() > 0.5) cb();\n  JSON.parse('{}');\n});`,
      errors: [{ line: 3, message: '`cb` is called in only some branches' }],
    },
  ],
});
