import { ruleTable } from '../helpers/ruleTester.js';

ruleTable('unordered-result', {
  valid: [
    {
      name: 'prisma findMany with orderBy',
      code: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  const users = await prisma.user.findMany({ orderBy: { name: 'asc' } });\n  expect(users.map((u) => u.name)).toEqual(['ada', 'grace']);\n});`,
    },
    {
      name: 'sorted before the comparison',
      code: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  const users = await prisma.user.findMany();\n  expect(users.map((u) => u.name).sort()).toEqual(['ada', 'grace']);\n});`,
    },
    {
      name: 'compared without order',
      code: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  const names = (await prisma.user.findMany()).map((u) => u.name);\n  expect(names).toEqual(expect.arrayContaining(['ada', 'grace']));\n  expect(names).toHaveLength(2);\n});`,
    },
    {
      name: 'a single expected element cannot be out of order',
      code: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  const users = await prisma.user.findMany({ where: { name: 'ada' } });\n  expect(users.map((u) => u.name)).toEqual(['ada']);\n});`,
    },
    {
      name: 'options passed through a variable are unknown',
      code: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\ndeclare const query: { orderBy: { name: 'asc' } };\nit('a', async () => {\n  const users = await prisma.user.findMany(query);\n  expect(users.map((u) => u.name)).toEqual(['ada', 'grace']);\n});`,
    },
    {
      name: 'readdir sorted; raw SQL with ORDER BY',
      code: `import { it, expect } from 'vitest';\nimport { readdirSync } from 'node:fs';\nimport { Pool } from 'pg';\nconst pool = new Pool();\nit('a', async () => {\n  expect(readdirSync('out').sort()).toEqual(['a.txt', 'b.txt']);\n  const { rows } = await pool.query('SELECT name FROM users ORDER BY name');\n  expect(rows.map((r) => r.name)).toEqual(['ada', 'grace']);\n});`,
    },
    {
      name: 'pushes before the first await keep the input order',
      code: `import { it, expect } from 'vitest';\ndeclare function save(n: number): Promise<void>;\nit('a', async () => {\n  const seen: number[] = [];\n  await Promise.all([1, 2].map(async (n) => { seen.push(n); await save(n); }));\n  expect(seen).toEqual([1, 2]);\n});`,
    },
    {
      // fastify: every callback waits on one readiness event, so they resume in the order they were attached.
      name: 'per-item callbacks that wait on one shared event, not on work of their own item',
      code: `import { it, expect } from 'vitest';\ndeclare const app: { ready(): Promise<void> };\nit('a', async () => {\n  const order: number[] = [];\n  await Promise.all([1, 2].map((id) => app.ready().then(() => order.push(id))));\n  expect(order).toEqual([1, 2]);\n  const again: number[] = [];\n  await Promise.all([1, 2].map(async (id) => { await app.ready(); again.push(id); }));\n  expect(again).toEqual([1, 2]);\n});`,
    },
    {
      name: 'Promise.all results keep the input order',
      code: `import { it, expect } from 'vitest';\ndeclare function load(n: number): Promise<number>;\nit('a', async () => {\n  const results = await Promise.all([1, 2].map((n) => load(n)));\n  expect(results).toEqual([10, 20]);\n});`,
    },
    {
      name: 'typeorm query builder with orderBy; knex with orderBy',
      code: `import { it, expect } from 'vitest';\nimport { DataSource } from 'typeorm';\nimport knexFactory from 'knex';\nclass User { name = '' }\ndeclare const ds: DataSource;\nconst db = knexFactory({});\nit('a', async () => {\n  const users = await ds.getRepository(User).createQueryBuilder('u').orderBy('u.name').getMany();\n  expect(users.map((u) => u.name)).toEqual(['ada', 'grace']);\n  const rows = await db('users').select('name').orderBy('name');\n  expect(rows.map((r: any) => r.name)).toEqual(['ada', 'grace']);\n});`,
    },
    {
      name: 'a query builder ordered in the const that holds it, executed later',
      code: `import { it, expect } from 'vitest';\nimport { DataSource } from 'typeorm';\nclass User { name = '' }\ndeclare const ds: DataSource;\nit('a', async () => {\n  const query = ds.getRepository(User).createQueryBuilder('u').orderBy('u.name');\n  const users = await query.getMany();\n  expect(users.map((u) => u.name)).toEqual(['ada', 'grace']);\n});`,
    },
    {
      name: 'positional picks of a sorted query',
      code: `import { it, expect } from 'vitest';\nimport { MongoClient } from 'mongodb';\ndeclare const client: MongoClient;\nit('a', async () => {\n  const found = await client.db().collection<{ id: string }>('items').find({ tag: 'x' }).sort({ id: 1 }).toArray();\n  expect(found[1]).toHaveProperty('id', 'b');\n});`,
    },
    {
      name: 'SELECT count(*) returns one row',
      code: `import { it, expect } from 'vitest';\nimport { Pool } from 'pg';\nconst pool = new Pool();\nit('a', async () => {\n  const { rows } = await pool.query('SELECT count(*) AS n FROM users');\n  expect(rows[0].n).toBe('2');\n});`,
    },
  ],
  invalid: [
    {
      name: 'vitest: prisma findMany without orderBy',
      code: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  const users = await prisma.user.findMany();\n  expect(users.map((u) => u.name)).toEqual(['ada', 'grace']);\n});`,
      errors: [{ line: 6, message: 'prisma `findMany` without `orderBy`' }],
      output: `import { it, expect } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  const users = await prisma.user.findMany();\n  expect(users.map((u) => u.name)).toEqual(expect.arrayContaining(['ada', 'grace']));\n  expect(users.map((u) => u.name)).toHaveLength(2);\n});`,
    },
    {
      name: 'jest: TypeORM find with where but no order',
      code: `import { it, expect } from '@jest/globals';\nimport { DataSource } from 'typeorm';\nclass User { name = ''; active = true }\ndeclare const ds: DataSource;\nit('a', async () => {\n  const users = await ds.getRepository(User).find({ where: { active: true } });\n  expect(users.map((u) => u.name)).toStrictEqual(['ada', 'grace']);\n});`,
      errors: [{ line: 7, message: 'TypeORM `find` without `order`' }],
    },
    {
      name: 'node:test: raw SQL without ORDER BY, deepStrictEqual',
      code: `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { Pool } from 'pg';\nconst pool = new Pool();\ntest('a', async () => {\n  const { rows } = await pool.query('SELECT name FROM users WHERE active');\n  assert.deepStrictEqual(rows.map((r) => r.name), ['ada', 'grace']);\n});`,
      errors: [{ line: 7, message: 'raw SQL `SELECT` without `ORDER BY`' }],
      output: null,
    },
    {
      name: 'mocha + chai: readdir with deep.equal',
      code: `import { expect } from 'chai';\nimport * as fs from 'node:fs/promises';\nit('a', async () => {\n  const files = await fs.readdir('out');\n  expect(files).to.deep.equal(['a.txt', 'b.txt']);\n});`,
      errors: [{ line: 5, message: 'file system' }],
    },
    {
      name: 'vitest: array filled by concurrent callbacks after an await',
      code: `import { it, expect } from 'vitest';\ndeclare function save(n: number): Promise<number>;\nit('a', async () => {\n  const saved: number[] = [];\n  await Promise.all([1, 2, 3].map(async (n) => {\n    const id = await save(n);\n    saved.push(id);\n  }));\n  expect(saved).toEqual([1, 2, 3]);\n});`,
      errors: [{ line: 9, message: 'concurrent callbacks' }],
    },
    {
      name: 'then-callbacks pushing per item',
      code: `import { it, expect } from 'vitest';\ndeclare function load(n: number): Promise<string>;\nit('a', async () => {\n  const out: string[] = [];\n  await Promise.all([1, 2].map((n) => load(n).then((r) => out.push(r))));\n  expect(out).toEqual(['one', 'two']);\n});`,
      errors: [{ line: 6, message: 'concurrent callbacks' }],
    },
    {
      name: 'knex select without orderBy, expected array in a const',
      code: `import { it, expect } from 'vitest';\nimport knexFactory from 'knex';\nconst db = knexFactory({});\nit('a', async () => {\n  const rows = await db('users').select('name').where('active', true);\n  const expected = [{ name: 'ada' }, { name: 'grace' }];\n  expect(rows).toEqual(expected);\n});`,
      errors: [{ line: 7, message: 'knex query without `orderBy`' }],
    },
    {
      name: 'MongoDB find().toArray() without sort',
      code: `import { it, expect } from 'vitest';\nimport { MongoClient } from 'mongodb';\ndeclare const client: MongoClient;\nit('a', async () => {\n  const docs = await client.db().collection<{ n: number }>('items').find({}).toArray();\n  expect(docs.map((d) => d.n)).toEqual([1, 2]);\n});`,
      errors: [{ line: 6, message: 'MongoDB' }],
    },
    {
      name: 'Sequelize findAll, and an element picked by position',
      code: `import { it, expect } from 'vitest';\nimport { Model } from 'sequelize';\nclass User extends Model { declare name: string }\nit('a', async () => {\n  const users = await User.findAll({ where: { active: true } });\n  expect(users[0]!.name).toBe('ada');\n  expect(users[1]!.name).toBe('grace');\n});`,
      errors: [{ line: 7, message: 'Picks element 1' }],
    },
    {
      name: 'a query builder without orderBy held in a const, executed later',
      code: `import { it, expect } from 'vitest';\nimport { DataSource } from 'typeorm';\nclass User { name = '' }\ndeclare const ds: DataSource;\nit('a', async () => {\n  const query = ds.getRepository(User).createQueryBuilder('u').where('u.active');\n  const users = await query.getMany();\n  expect(users.map((u) => u.name)).toEqual(['ada', 'grace']);\n});`,
      errors: [{ line: 8, message: 'TypeORM query builder without `orderBy`' }],
    },
    {
      name: 'positional picks asserted with toEqual and toHaveProperty (one finding per collection)',
      code: `import { it, expect } from 'vitest';\nimport { MongoClient } from 'mongodb';\ndeclare const client: MongoClient;\nit('a', async () => {\n  const found = await client.db().collection<{ id: string }>('items').find({ tag: 'x' }).toArray();\n  expect(found).toHaveLength(2);\n  expect(found[0]!.id).toEqual('a');\n  expect(found[1]).toHaveProperty('id', 'b');\n  expect(found[1]!.id).toEqual('b');\n});`,
      errors: [{ line: 8, message: 'Picks element 1 of a MongoDB `find` without `sort`' }],
    },
    {
      name: 'fast-glob result compared in order',
      code: `import { it, expect } from 'vitest';\nimport fg from 'fast-glob';\nit('a', async () => {\n  const files = await fg('src/**/*.ts');\n  expect(files).toEqual(['src/a.ts', 'src/b.ts']);\n});`,
      errors: [{ line: 5, message: 'glob' }],
    },
  ],
});
