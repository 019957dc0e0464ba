import { ruleTable } from '../helpers/ruleTester.js';

const MESSAGE = 'sends a real request to api.example.com and no interception (msw, nock, undici MockAgent, a mocked client) is set up in this file';

ruleTable('real-network', {
  valid: [
    {
      name: 'fixed form: msw server listening in the file',
      code: `import { it, beforeAll, afterAll } from 'vitest';\nimport { http, HttpResponse } from 'msw';\nimport { setupServer } from 'msw/node';\nconst server = setupServer(http.get('https://api.example.com/user', () => HttpResponse.json({})));\nbeforeAll(() => server.listen());\nafterAll(() => server.close());\nit('a', async () => {\n  await fetch('https://api.example.com/user');\n});`,
    },
    {
      name: 'an msw server imported from a helper and listened to',
      code: `import { it, beforeAll } from 'vitest';\nimport { server } from './helpers/mock-server.js';\nbeforeAll(() => server.listen());\nit('a', async () => {\n  await fetch('https://api.example.com/user');\n});`,
    },
    {
      name: 'nock scopes the host (jest, axios)',
      code: `import { it } from '@jest/globals';\nimport nock from 'nock';\nimport axios from 'axios';\nit('a', async () => {\n  nock('https://api.example.com').get('/user').reply(200, {});\n  await axios.get('https://api.example.com/user');\n});`,
    },
    {
      name: 'undici MockAgent as global dispatcher',
      code: `import { test } from 'node:test';\nimport { MockAgent, setGlobalDispatcher, request } from 'undici';\nconst agent = new MockAgent();\nagent.disableNetConnect();\nsetGlobalDispatcher(agent);\ntest('a', async () => {\n  await request('https://api.example.com/user');\n});`,
    },
    {
      name: 'the client module is mocked (jest.mock, vi.mock) or fetch replaced',
      code: `import { it, vi } from 'vitest';\nimport axios from 'axios';\nvi.mock('axios');\nit('a', async () => {\n  await axios.get('https://api.example.com/user');\n});`,
    },
    {
      name: 'vi.stubGlobal fetch',
      code: `import { it, vi } from 'vitest';\nvi.stubGlobal('fetch', vi.fn());\nit('a', async () => {\n  await fetch('https://api.example.com/user');\n});`,
    },
    {
      name: 'globalThis.fetch replaced by hand',
      code: `import { it } from 'mocha';\nglobalThis.fetch = async () => new Response('{}');\nit('a', async () => {\n  await fetch('https://api.example.com/user');\n});`,
    },
    {
      name: 'loopback, private and compose-service hosts are the test environment',
      code: `import { it } from 'vitest';\nimport * as http from 'node:http';\nit('a', async () => {\n  await fetch('http://localhost:3000/');\n  await fetch('http://127.0.0.1:8080/x');\n  await fetch('http://[::1]:9000/');\n  await fetch('http://minio:9000/bucket');\n  await fetch('http://10.0.0.5/');\n  await fetch('http://app.test/x');\n  http.get('http://api.localhost/');\n});`,
    },
    {
      name: 'a URL built from a variable host is unknown',
      code: `import { it } from 'vitest';\ndeclare const baseUrl: string;\nit('a', async () => {\n  await fetch(\`\${baseUrl}/user\`);\n  await fetch(\`https://\${process.env.HOST}/user\`);\n});`,
    },
    {
      name: 'a user function named fetch is no client',
      code: `import { it } from 'vitest';\nfunction fetch(url: string) { return url; }\nit('a', () => {\n  fetch('https://api.example.com/user');\n});`,
    },
    {
      name: 'requests in helpers and at module level are judged where tests call them',
      code: `import { it } from 'vitest';\nasync function load() { return fetch('https://api.example.com/user'); }\nit('a', () => { void load; });`,
    },
    {
      name: 'untyped clients (any) are unknown',
      filename: 'untyped/untyped-fetch.test.js',
      code: `const client = require('./nowhere');\nit('a', async () => {\n  await client.get('https://api.example.com/user');\n});`,
    },
    {
      name: 'fixed form: a setup file of the runner config starts msw for every file (server built in a local module)',
      filename: 'configured-msw/live.test.ts',
      code: `import { it } from 'vitest';\nit('a', async () => {\n  await fetch('https://api.example.com/user');\n});`,
    },
  ],
  invalid: [
    {
      name: 'vitest: setup files that were read in full install no interception',
      filename: 'configured/live.test.ts',
      code: `import { it } from 'vitest';\nit('a', async () => {\n  await fetch('https://api.example.com/user');\n});`,
      errors: [{ line: 3, message: `\`fetch\` ${MESSAGE}` }],
    },
    {
      name: 'vitest: global fetch to a public host',
      code: `import { it, expect } from 'vitest';\nit('a', async () => {\n  const res = await fetch('https://api.example.com/user');\n  expect(res.ok).toBe(true);\n});`,
      errors: [{ line: 3, message: `\`fetch\` ${MESSAGE}` }],
      output: null,
    },
    {
      name: 'jest: axios get, axios instance and a config object',
      code: `import { it } from '@jest/globals';\nimport axios from 'axios';\nconst client = axios.create();\nit('a', async () => {\n  await axios.get('https://api.example.com/user');\n  await client.post('https://api.example.com/user', {});\n  await axios({ url: 'https://api.example.com/user' });\n});`,
      errors: [{ line: 5, message: '`axios.get`' }, { line: 6, message: '`client.post`' }, { line: 7, message: '`axios`' }],
    },
    {
      name: 'mocha: https.get and http.request with options',
      code: `import { it } from 'mocha';\nimport * as https from 'node:https';\nimport http from 'node:http';\nit('a', (done) => {\n  https.get('https://api.example.com/user', () => done());\n  http.request({ hostname: 'api.example.com', path: '/' }).end();\n});`,
      errors: [{ line: 5, message: '`https.get`' }, { line: 6, message: '`http.request`' }],
    },
    {
      name: 'node:test: undici request and got, URL from a const and a template',
      code: `import { test } from 'node:test';\nimport { request } from 'undici';\nimport got from 'got';\nconst API = 'https://api.example.com';\ntest('a', async () => {\n  await request(\`\${API}/user\`);\n  await got(\`https://api.example.com/users/\${1}\`);\n  await request(API);\n});`,
      errors: [{ line: 7, message: '`got`' }, { line: 8, message: '`request`' }],
    },
    {
      name: 'Playwright: node fetch in a test and node-fetch in a hook',
      code: `import { test } from '@playwright/test';\nimport nodeFetch from 'node-fetch';\ntest.beforeAll(async () => {\n  await nodeFetch('https://api.example.com/seed');\n});\ntest('a', async () => {\n  await fetch(new URL('https://api.example.com/user'));\n});`,
      errors: [{ line: 4, message: '`nodeFetch`' }, { line: 7, message: '`fetch`' }],
    },
  ],
});
