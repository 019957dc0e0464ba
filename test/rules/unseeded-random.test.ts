import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('unseeded-random', {
  valid: [
    {
      name: 'a random unique id used for isolation',
      code: `import { it, expect } from 'vitest';\nimport { randomUUID } from 'node:crypto';\ndeclare function createUser(email: string): Promise<{ email: string }>;\nit('a', async () => {\n  const email = \`user-\${randomUUID()}@example.com\`;\n  const user = await createUser(email);\n  expect(user.email).toBe(email);\n});`,
    },
    {
      name: 'Math.random mocked in the file',
      code: `import { it, expect, vi } from 'vitest';\nvi.spyOn(Math, 'random').mockReturnValue(0.25);\nit('a', () => {\n  expect(Math.floor(Math.random() * 4)).toBe(1);\n});`,
    },
    {
      name: 'faker seeded in the file',
      code: `import { it, expect } from 'vitest';\nimport { faker } from '@faker-js/faker';\nfaker.seed(42);\nit('a', () => {\n  expect(faker.number.int({ max: 10 })).toBe(3);\n});`,
    },
    {
      name: 'a random input checked by a property that always holds',
      code: `import { it, expect } from 'vitest';\nimport { faker } from '@faker-js/faker';\ndeclare function isValidEmail(s: string): boolean;\nit('a', () => {\n  expect(isValidEmail(faker.internet.email())).toBe(true);\n});`,
    },
    {
      name: 'a random value compared with itself after a round trip',
      code: `import { it, expect } from 'vitest';\ndeclare function roundTrip(n: number): number;\nit('a', () => {\n  const n = Math.random();\n  expect(roundTrip(n)).toBe(n);\n});`,
    },
    {
      name: 'a random id in a snapshot replaced by a property matcher',
      code: `import { it, expect } from 'vitest';\nimport { randomUUID } from 'node:crypto';\nit('a', () => {\n  const user = { name: 'ada' };\n  expect({ ...user, id: expect.any(String) }).toMatchSnapshot();\n  void randomUUID;\n});`,
    },
    {
      name: 'a local function named random is not Math.random',
      code: `import { it, expect } from 'vitest';\nconst Math = { random: () => 0.5, floor: (n: number) => n };\nit('a', () => {\n  expect(Math.random()).toBe(0.5);\n});`,
    },
  ],
  invalid: [
    {
      name: 'vitest: Math.random pick compared with a literal',
      code: `import { it, expect } from 'vitest';\nit('a', () => {\n  const quantity = Math.floor(Math.random() * 10);\n  expect(quantity).toBe(3);\n});`,
      errors: [{ line: 4, message: 'Math.random()' }],
    },
    {
      name: 'jest: random boolean branch asserted',
      code: `import { it, expect } from '@jest/globals';\nit('a', () => {\n  const heads = Math.random() > 0.5;\n  expect(heads).toBe(true);\n});`,
      errors: [{ line: 4 }],
    },
    {
      name: 'node:test: crypto.randomInt with assert.equal',
      code: `import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { randomInt } from 'node:crypto';\ntest('a', () => {\n  const n = randomInt(6);\n  assert.equal(n, 4);\n});`,
      errors: [{ line: 6, message: 'crypto.randomInt()' }],
    },
    {
      name: 'mocha + chai: unseeded faker value',
      code: `import { expect } from 'chai';\nimport { faker } from '@faker-js/faker';\nit('a', () => {\n  const pick = faker.helpers.arrayElement(['a', 'b', 'c']);\n  expect(pick).to.equal('a');\n});`,
      errors: [{ line: 5, message: 'unseeded faker' }],
    },
    {
      name: 'Playwright: random data in a snapshot',
      code: `import { test, expect } from '@playwright/test';\nimport { faker } from '@faker-js/faker';\ntest('a', async () => {\n  const user = { name: faker.person.fullName(), role: 'admin' };\n  expect(JSON.stringify(user)).toMatchSnapshot();\n  expect(user).toMatchSnapshot();\n});`,
      errors: [{ line: 6, message: 'snapshot records' }],
    },
    {
      name: 'a random id in an inline snapshot',
      code: `import { it, expect } from 'vitest';\nimport { randomUUID } from 'node:crypto';\nit('a', () => {\n  expect({ id: randomUUID() }).toMatchInlineSnapshot();\n});`,
      errors: [{ line: 4, message: 'a random id' }],
    },
  ],
});
