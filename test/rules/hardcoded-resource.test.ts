import { ruleTable } from '../helpers/ruleTester.js';

const TMP = 'the temp directory is shared by every worker and every other process on the machine';
const ROW = 'inserting the same value fails on the unique constraint';

ruleTable('hardcoded-resource', {
  valid: [
    {
      name: 'fixed form: a unique temp directory per test (mkdtemp), files inside it',
      code: `import { it } from 'vitest';\nimport * as fs from 'node:fs/promises';\nimport * as os from 'node:os';\nimport * as path from 'node:path';\nit('a', async () => {\n  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'report-'));\n  await fs.writeFile(path.join(dir, 'out.json'), '{}');\n  await fs.rm(dir, { recursive: true });\n});`,
    },
    {
      name: 'fixed form: prisma rows with generated unique fields (randomUUID)',
      code: `import { it } from 'vitest';\nimport { randomUUID } from 'node:crypto';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  await prisma.user.create({ data: { email: \`alice-\${randomUUID()}@example.com\`, name: 'Alice' } });\n});`,
    },
    {
      name: 'fixed form: names built from the worker index (jest)',
      code: `import { it } from '@jest/globals';\nimport * as fs from 'node:fs';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nconst worker = process.env.JEST_WORKER_ID;\nit('a', async () => {\n  fs.writeFileSync(\`/tmp/out-\${worker}.json\`, '{}');\n  await prisma.user.create({ data: { email: 'alice@example.com', name: 'Alice' } });\n});`,
    },
    {
      name: 'non-unique fields with fixed values are fine (name, title)',
      code: `import { it } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  await prisma.user.create({ data: { email: \`u\${Math.random()}@x.io\`, name: 'Alice' } });\n});`,
    },
    {
      name: 'an in-memory sqlite database is not shared (TypeORM :memory:)',
      code: `import { it } from 'vitest';\nimport { DataSource } from 'typeorm';\nclass User { id!: number; email!: string }\nconst db = new DataSource({ type: 'sqlite', database: ':memory:' } as never);\nit('a', async () => {\n  await db.getRepository(User).insert({ id: 1, email: 'a@example.com' });\n});`,
    },
    {
      name: 'mongodb-memory-server started by the file is per file (mongoose)',
      code: `import { it, beforeAll } from '@jest/globals';\nimport { MongoMemoryServer } from 'mongodb-memory-server';\nimport * as mongoose from 'mongoose';\nconst User = mongoose.model('User');\nbeforeAll(async () => {\n  const server = await MongoMemoryServer.create();\n  await mongoose.connect(server.getUri());\n});\nit('a', async () => {\n  await User.create({ email: 'a@example.com' });\n});`,
    },
    {
      name: 'a fixed id inserted inside a transaction that is rolled back (knex)',
      code: `import { it } from 'mocha';\nimport knex from 'knex';\nconst db = knex({});\nit('a', async () => {\n  await db.raw('BEGIN');\n  await db('users').insert({ id: 1, email: 'a@example.com' });\n  await db.raw('ROLLBACK');\n});`,
    },
    {
      name: 'a mocked client writes nothing (vi.mock of the db module, mockDeep)',
      code: `import { it, vi } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nvi.mock('../lib/prisma');\nconst prisma = new PrismaClient();\nit('a', async () => {\n  await prisma.user.create({ data: { email: 'a@example.com', name: 'A' } });\n});`,
    },
    {
      name: 'a setup file gives every worker its own database (VITEST_POOL_ID)',
      filename: 'per-worker-db/users.test.ts',
      code: `import { it } from 'vitest';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nit('a', async () => {\n  await prisma.user.create({ data: { email: 'a@example.com', name: 'A' } });\n});`,
    },
    {
      name: 'user code named like a client is no store; untyped receivers are unknown',
      code: `import { it } from 'vitest';\nconst repo = { insert(row: object) { return row; }, set(k: string, v: string) { return k + v; } };\nconst fs = { writeFileSync(p: string, d: string) { return p + d; } };\nit('a', () => {\n  repo.insert({ id: 1, email: 'a@example.com' });\n  repo.set('session:1', 'x');\n  fs.writeFileSync('/tmp/out.json', '{}');\n});`,
    },
    {
      name: 'paths outside the temp directory and reads of fixed temp paths are not reported',
      code: `import { it } from 'vitest';\nimport * as fs from 'node:fs';\nimport * as path from 'node:path';\nit('a', () => {\n  fs.readFileSync('/tmp/input.json', 'utf8');\n  fs.writeFileSync(path.join(__dirname, 'fixtures', 'out.json'), '{}');\n});`,
    },
    {
      name: 'writes in helpers and at module level are judged where tests call them',
      code: `import { it } from 'vitest';\nimport * as fs from 'node:fs';\nfs.writeFileSync('/tmp/boot.json', '{}');\nfunction dump() { fs.writeFileSync('/tmp/dump.json', '{}'); }\nit('a', () => { void dump; });`,
    },
    {
      name: 'fixed form: queue and Redis keys per worker (Playwright parallelIndex)',
      code: `import { test } from '@playwright/test';\nimport Redis from 'ioredis';\nimport { Queue } from 'bullmq';\nconst redis = new Redis();\ntest('a', async () => {\n  const index = test.info().parallelIndex;\n  await redis.set(\`session:\${index}\`, 'x');\n  new Queue(\`emails-\${index}\`);\n});`,
    },
    {
      name: 'fixed form: MikroORM on sqlite :memory:, and a fixed dbName in a file that never creates a schema',
      code: `import { beforeAll, it } from 'vitest';\nimport { MikroORM } from '@mikro-orm/core';\nbeforeAll(async () => {\n  const orm = await MikroORM.init({ dbName: 'app_read_only' });\n  void orm;\n});\nit('a', () => {});`,
    },
  ],
  invalid: [
    {
      name: 'vitest: a fixed /tmp path and a fixed name under os.tmpdir() (parallel by default)',
      code: `import { it } from 'vitest';\nimport * as fs from 'node:fs/promises';\nimport * as os from 'node:os';\nimport * as path from 'node:path';\nconst OUT = path.join(os.tmpdir(), 'report-out');\nit('a', async () => {\n  await fs.writeFile('/tmp/out.json', '{}');\n  await fs.mkdir(OUT, { recursive: true });\n  await fs.writeFile(\`\${OUT}/data.json\`, '{}');\n});\nit('b', async () => {\n  await fs.writeFile('/tmp/out.json', '[]');\n});`,
      errors: [
        { line: 7, severity: 'warning', message: /`fs\.writeFile` writes the fixed temp path `\/tmp\/out\.json` \(also at line 12\)\. Vitest runs test files in parallel workers by default, and the temp directory is shared/ },
        { line: 8, message: '`os.tmpdir()/report-out`' },
        { line: 9, message: '`os.tmpdir()/report-out/data.json`' },
      ],
    },
    {
      name: 'jest: prisma create and createMany with fixed unique fields, TypeORM insert with a fixed id',
      code: `import { it } from '@jest/globals';\nimport { PrismaClient } from '@prisma/client';\nimport { DataSource } from 'typeorm';\nclass User { id!: number; email!: string }\nconst prisma = new PrismaClient();\nconst db = new DataSource();\nit('a', async () => {\n  await prisma.user.create({ data: { email: 'alice@example.com', name: 'Alice' } });\n  await prisma.user.createMany({ data: [{ email: 'bob@example.com', name: 'Bob' }] });\n  await db.getRepository(User).insert({ id: 1, email: 'carol@example.com' });\n});`,
      errors: [
        { line: 8, severity: 'warning', message: `\`prisma.user.create\` inserts a row with the fixed value \`email: 'alice@example.com'\` (@prisma/client). Jest runs test files in parallel workers by default, and another test file, a retry or a concurrent run ${ROW}` },
        { line: 9, message: "`email: 'bob@example.com'`" },
        { line: 10, message: "fixed values `id: 1, email: 'carol@example.com'` (typeorm)" },
      ],
    },
    {
      name: 'mocha (serial by default): knex insert and raw SQL INSERT with placeholders are info',
      code: `import { it } from 'mocha';\nimport knex from 'knex';\nimport { Pool } from 'pg';\nconst db = knex({});\nconst pool = new Pool();\nit('a', async () => {\n  await db('users').insert({ id: 7, email: 'a@example.com' });\n  await pool.query('INSERT INTO users (id, email, name) VALUES ($1, $2, $3)', [8, 'b@example.com', 'B']);\n  await pool.query("INSERT INTO users (email) VALUES ('c@example.com')");\n});`,
      errors: [
        { line: 7, severity: 'info', message: /fixed values `id: 7, email: 'a@example.com'` \(knex\)\. Mocha runs test files one at a time by default, but a concurrent run/ },
        { line: 8, severity: 'info', message: "fixed values `id: 8, email: 'b@example.com'` (pg)" },
        { line: 9, severity: 'info', message: "`email: 'c@example.com'`" },
      ],
    },
    {
      name: 'node:test: a fixed Redis key, a fixed queue name and CREATE DATABASE',
      code: `import { test } from 'node:test';\nimport Redis from 'ioredis';\nimport { Queue, Worker } from 'bullmq';\nimport { Pool } from 'pg';\nconst redis = new Redis();\nconst pool = new Pool();\ntest('a', async () => {\n  await redis.set('session:1', 'x');\n  new Queue('emails');\n  new Worker('emails', async () => undefined);\n  await pool.query('CREATE DATABASE app_test');\n});`,
      errors: [
        { line: 8, severity: 'warning', message: '`redis.set` writes the fixed Redis key `session:1` (ioredis). The node:test runner runs test files in parallel workers by default' },
        { line: 9, message: '`new Queue` uses the fixed queue name `emails` (bullmq) (also at line 10)' },
        { line: 11, message: 'creates the fixed database `app_test`' },
      ],
    },
    {
      name: 'Playwright: a fixed email through mongoose and MongoDB insertOne, a fixed bucket',
      code: `import { test } from '@playwright/test';\nimport * as mongoose from 'mongoose';\nimport { MongoClient } from 'mongodb';\nimport { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';\nconst User = mongoose.model('User');\nconst s3 = new S3Client({});\ntest('a', async () => {\n  await User.create({ email: 'a@example.com', name: 'A' });\n  await new MongoClient().db().collection('users').insertOne({ _id: 'user-1' });\n  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));\n});`,
      errors: [
        { line: 8, severity: 'warning', message: "`email: 'a@example.com'` (mongoose)" },
        { line: 9, message: "`_id: 'user-1'` (mongodb)" },
        { line: 10, message: 'creates the fixed bucket `uploads`' },
      ],
    },
    {
      name: 'vitest under a serial config (fileParallelism: false): info, naming the key',
      filename: 'serial/export.test.ts',
      code: `import { it } from 'vitest';\nimport * as fs from 'node:fs';\nit('a', () => {\n  fs.writeFileSync('/tmp/out.json', '{}');\n});`,
      errors: [{ line: 4, severity: 'info', message: 'Test files run one at a time (`test.fileParallelism` in vitest.config.ts), but a concurrent run of the suite' }],
    },
    {
      name: 'vitest: Kysely and Drizzle values, Sequelize create, MikroORM create, mysql2 execute with ? placeholders',
      code: `import { it } from 'vitest';\nimport { Kysely } from 'kysely';\nimport type { PgDatabase } from 'drizzle-orm';\nimport { Model } from 'sequelize-typescript';\nimport type { EntityManager } from '@mikro-orm/core';\nimport { createPool } from 'mysql2/promise';\nclass User extends Model {}\ndeclare const drizzle: PgDatabase;\ndeclare const em: EntityManager;\ndeclare const users: object;\nconst kysely = new Kysely<{ users: object }>({});\nconst mysql = createPool({});\nit('a', async () => {\n  await kysely.insertInto('users').values({ id: 1 }).execute();\n  await drizzle.insert(users).values({ slug: 'hello' });\n  await User.create({ username: 'alice' });\n  em.create(User, { email: 'e@example.com' });\n  await mysql.execute('INSERT INTO users (id, name) VALUES (?, ?)', [5, 'x']);\n});`,
      errors: [
        { line: 14, severity: 'info', message: '`id: 1` (kysely). Vitest runs test files in parallel workers by default, and another test file or a concurrent run that inserts the same key into this table' },
        { line: 15, message: "`slug: 'hello'` (drizzle-orm)" },
        { line: 16, message: "`username: 'alice'` (sequelize-typescript)" },
        { line: 17, message: "`email: 'e@example.com'` (@mikro-orm/core)" },
        { line: 18, message: '`id: 5` (mysql2/promise)' },
      ],
    },
    {
      name: 'vitest: MikroORM.init with a fixed dbName in a file that refreshes the schema; TypeORM DataSource synchronize',
      code: `import { beforeAll, it } from 'vitest';\nimport { MikroORM } from '@mikro-orm/core';\nimport { DataSource } from 'typeorm';\nlet orm: MikroORM;\nbeforeAll(async () => {\n  orm = await MikroORM.init({ dbName: 'mikro_orm_gh123' });\n  await orm.schema.refresh();\n  new DataSource({ type: 'postgres', database: 'app_test', synchronize: true } as never);\n});\nit('a', () => {});`,
      errors: [
        { line: 6, severity: 'warning', message: "`MikroORM.init` connects to the fixed database `mikro_orm_gh123` (@mikro-orm/core) and this file creates its schema. Vitest runs test files in parallel workers by default, and another test file or a concurrent run creating it fails" },
        { line: 8, message: '`DataSource` connects to the fixed database `app_test` (typeorm)' },
      ],
    },
    {
      name: 'vitest: a database named after the test file itself collides only with a concurrent run (info)',
      filename: 'GH4377.test.ts',
      code: `import { beforeAll, it } from 'vitest';\nimport { MikroORM } from '@mikro-orm/core';\nbeforeAll(async () => {\n  const orm = await MikroORM.init({ dbName: 'mikro_orm_gh4377' });\n  await orm.schema.refresh();\n  await MikroORM.init({ dbName: '4377-2' });\n});\nit('a', () => {});`,
      errors: [{ line: 4, severity: 'info', message: "The name is this file's own, so other test files do not use it, but a concurrent run of the suite (another checkout, CI job or watch mode on the same server) does: the second one creating it fails, or drops it while this one uses it." }, { line: 6, severity: 'info', message: '`4377-2`' }],
    },
  ],
});
