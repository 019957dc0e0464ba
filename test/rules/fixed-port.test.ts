import { ruleTable } from '../helpers/ruleTester.js';

const MESSAGE = 'Listens on fixed port 3000: tests in parallel workers, another run of this suite or any other process using that port fail with EADDRINUSE.';

ruleTable('fixed-port', {
  valid: [
    {
      name: 'fixed form: port 0, read back from address()',
      code: `import { it, expect } from 'vitest';\nimport { createServer } from 'node:http';\nimport type { AddressInfo } from 'node:net';\nit('a', async () => {\n  const server = createServer();\n  server.listen(0);\n  const { port } = server.address() as AddressInfo;\n  const res = await fetch(\`http://localhost:\${port}/\`);\n  expect(res.status).toBe(200);\n  server.close();\n});`,
    },
    {
      name: 'no port, an environment port, a unix socket path',
      code: `import { it } from 'vitest';\nimport * as http from 'node:http';\nimport * as net from 'node:net';\nit('a', () => {\n  http.createServer().listen();\n  http.createServer().listen(Number(process.env.PORT));\n  net.createServer().listen('/tmp/flakelens.sock');\n});`,
    },
    {
      name: 'express and fastify on port 0',
      code: `import { it } from '@jest/globals';\nimport express from 'express';\nimport fastify from 'fastify';\nit('a', async () => {\n  express().listen(0);\n  await fastify().listen({ port: 0 });\n});`,
    },
    {
      name: 'a user object with its own listen(3000) is no server',
      code: `import { it } from 'vitest';\nconst bus = { listen(port: number) { return port; } };\nit('a', () => {\n  bus.listen(3000);\n});`,
    },
    {
      name: 'an untyped listen (any) is unknown',
      filename: 'untyped/untyped-listen.test.js',
      code: `const app = require('./nowhere');\nit('a', () => {\n  app.listen(3000);\n});`,
    },
    {
      name: 'ws attached to an existing server or on port 0',
      code: `import { it } from 'vitest';\nimport { createServer } from 'node:http';\nimport { WebSocketServer } from 'ws';\nit('a', () => {\n  const server = createServer().listen(0);\n  new WebSocketServer({ server });\n  new WebSocketServer({ port: 0 });\n});`,
    },
    {
      name: 'a file with no tests (a helper or script) is not judged',
      filename: 'helpers/start-server.ts',
      code: `import { createServer } from 'node:http';\nexport function start() {\n  return createServer().listen(3000);\n}`,
    },
  ],
  invalid: [
    {
      name: 'vitest: node:http createServer().listen(3000), fixed to port 0',
      code: `import { it } from 'vitest';\nimport { createServer } from 'node:http';\nit('a', () => {\n  const server = createServer().listen(3000);\n  server.close();\n});`,
      errors: [{ line: 4, message: MESSAGE }],
      output: `import { it } from 'vitest';\nimport { createServer } from 'node:http';\nit('a', () => {\n  const server = createServer().listen(0);\n  server.close();\n});`,
    },
    {
      name: 'jest: express app.listen in beforeAll, the port from a const, and a fetch to it',
      code: `import { beforeAll, afterAll, it } from '@jest/globals';\nimport express from 'express';\nimport type { Server } from 'node:http';\nconst PORT = 3000;\nlet server: Server;\nbeforeAll(() => { server = express().listen(PORT); });\nafterAll(() => { server.close(); });\nit('a', async () => {\n  await fetch('http://localhost:3000/health');\n});`,
      errors: [{ line: 6, message: 'The file also connects to localhost:3000 (line 9).' }],
      output: null,
    },
    {
      name: 'mocha: net.createServer and options object, koa and fastify',
      code: `import { before, it } from 'mocha';\nimport * as net from 'node:net';\nimport Koa from 'koa';\nimport fastify from 'fastify';\nbefore(async () => {\n  net.createServer().listen({ port: 3000 });\n  new Koa().listen(4000);\n  await fastify().listen({ port: 5000, host: '127.0.0.1' });\n});\nit('a', () => {});`,
      errors: [{ line: 6, message: MESSAGE }, { line: 7, message: 'fixed port 4000' }, { line: 8, message: 'fixed port 5000' }],
    },
    {
      name: 'node:test: https server and a ws server',
      code: `import { test } from 'node:test';\nimport { createServer } from 'node:https';\nimport { WebSocketServer } from 'ws';\ntest('a', () => {\n  createServer().listen(3000, () => {});\n  const wss = new WebSocketServer({ port: 8080 });\n  wss.close();\n});`,
      errors: [{ line: 5, message: MESSAGE }, { line: 6, message: 'fixed port 8080' }],
      output: `import { test } from 'node:test';\nimport { createServer } from 'node:https';\nimport { WebSocketServer } from 'ws';\ntest('a', () => {\n  createServer().listen(0, () => {});\n  const wss = new WebSocketServer({ port: 0 });\n  wss.close();\n});`,
    },
    {
      name: 'Playwright: a hono node server started by hand in beforeAll',
      code: `import { test } from '@playwright/test';\nimport { serve } from '@hono/node-server';\ntest.beforeAll(() => {\n  serve({ fetch: () => new Response('ok'), port: 3000 });\n});\ntest('a', async ({ page }) => {\n  await page.goto('http://localhost:3000/');\n});`,
      errors: [{ line: 4, message: 'The file also connects to localhost:3000 (line 7).' }],
    },
  ],
});
