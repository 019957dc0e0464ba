import { ts, type TS } from './typescript.js';
import { calleeName, callTarget, constantNumber, constantString, hasModule, objectProperty, type CallTarget } from './resources.js';
import type { TestBlock, TestModel } from './testModel.js';
import { resolveAlias, skipOuterExpressions } from './typeUtils.js';

/**
 * Fixed names of shared external resources that tests create or write: temp paths under /tmp, primary keys and
 * unique fields in rows inserted through the common ORMs and SQL clients, Redis keys, queue and bucket names,
 * databases and schemas created by SQL. Calls are recognised by the module that declares the called API (the
 * checker's symbol), never by a name alone; a value counts only when it is a literal (or a `const` bound to one).
 *
 * Whether the store behind a call is shared (an in-memory database, a per-file memory server, a per-worker
 * database) is answered from evidence in the file and its setup files: see `isolatedStoreEvidence`.
 */

export type FixedNameKind = 'temp-path' | 'row' | 'database' | 'redis-key' | 'queue' | 'bucket';

export interface FixedName {
  kind: FixedNameKind;
  /** Where to report: the literal (or the argument holding it). */
  node: TS.Node;
  /** The call that creates or writes. */
  call: TS.CallExpression | TS.NewExpression;
  /** The block (test, hook or step) whose code makes the call. */
  block: TestBlock;
  /** The fixed value as text: `/tmp/out.json`, `email: 'a@example.com'`, `users` ... */
  value: string;
  /** What the call is, for messages: `fs.writeFileSync`, `prisma.user.create`. */
  client: string;
  /** The library (declaring module) the call belongs to. */
  module: string;
}

// ---------------------------------------------------------------------------------------------
// Temp paths

const FS_MODULES: ReadonlySet<string> = new Set(['fs', 'fs/promises', 'fs-extra', 'graceful-fs']);
/** fs calls that create or write a path, with the index of the argument naming the created path. */
const FS_WRITES: Readonly<Record<string, number>> = {
  writeFile: 0, writeFileSync: 0, appendFile: 0, appendFileSync: 0, mkdir: 0, mkdirSync: 0, createWriteStream: 0,
  copyFile: 1, copyFileSync: 1, cp: 1, cpSync: 1, rename: 1, renameSync: 1, symlink: 1, symlinkSync: 1,
  // fs-extra
  outputFile: 0, outputFileSync: 0, outputJson: 0, outputJsonSync: 0, writeJson: 0, writeJsonSync: 0,
  ensureDir: 0, ensureDirSync: 0, ensureFile: 0, ensureFileSync: 0, mkdirp: 0, mkdirpSync: 0, copy: 1, copySync: 1, move: 1, moveSync: 1,
};
const PATH_JOINERS = new Set(['join', 'resolve']);

/** Whether a call is `os.tmpdir()` (by module). */
function isTmpdirCall(checker: TS.TypeChecker, node: TS.Expression): boolean {
  const e = skipOuterExpressions(node);
  if (!ts.isCallExpression(e) || e.arguments.length > 0 || calleeName(e.expression)?.text !== 'tmpdir') return false;
  return hasModule(callTarget(checker, e), new Set(['os']));
}

/**
 * A fixed path under the machine's temp directory: `'/tmp/out.json'`, `path.join(os.tmpdir(), 'fixed')`,
 * `` `${os.tmpdir()}/fixed` ``, `os.tmpdir() + '/fixed'`, or a `const` bound to one of these (a few hops).
 * Undefined when any part is computed (mkdtemp results, random or worker-indexed names) or the path is the temp
 * directory itself.
 */
export function fixedTempPath(checker: TS.TypeChecker, expression: TS.Expression, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  const e = skipOuterExpressions(expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    return /^\/(?:var\/)?tmp\/[^/]/.test(e.text) ? e.text : undefined;
  }
  if (ts.isIdentifier(e)) {
    const symbol = resolveAlias(checker, checker.getSymbolAtLocation(e));
    const declaration = symbol?.valueDeclaration;
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
    if (!(declaration.parent.flags & ts.NodeFlags.Const)) return undefined;
    if (declaration.getSourceFile() !== e.getSourceFile()) return undefined;
    return fixedTempPath(checker, declaration.initializer, depth + 1);
  }
  const tail = (parts: readonly TS.Expression[]): string | undefined => {
    const texts: string[] = [];
    for (const part of parts) {
      const text = constantString(checker, part);
      if (text === undefined) return undefined;
      texts.push(text);
    }
    const joined = texts.join('/').replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
    return joined === '' ? undefined : joined;
  };
  if (ts.isCallExpression(e) && e.arguments.length >= 2 && PATH_JOINERS.has(calleeName(e.expression)?.text ?? '')) {
    if (!hasModule(callTarget(checker, e), new Set(['path']))) return undefined;
    const [first, ...rest] = e.arguments;
    const base = isTmpdirCall(checker, first!) ? '<tmpdir>' : fixedTempPath(checker, first!, depth + 1);
    const suffix = base && tail(rest);
    return base && suffix ? `${base}/${suffix}` : undefined;
  }
  if (ts.isTemplateExpression(e)) {
    // `${os.tmpdir()}/fixed` or `${FIXED_DIR}/out.json`; any other substitution makes the name computed.
    let text = e.head.text;
    for (const span of e.templateSpans) {
      const base = isTmpdirCall(checker, span.expression) ? '<tmpdir>' : fixedTempPath(checker, span.expression, depth + 1);
      const literal = base ? undefined : constantString(checker, span.expression);
      if (base === undefined && literal === undefined) return undefined;
      text += (base ?? literal) + span.literal.text;
    }
    return /^(?:<tmpdir>|\/(?:var\/)?tmp)\/[^/]/.test(text) ? text : undefined;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const base = isTmpdirCall(checker, e.left) ? '<tmpdir>' : fixedTempPath(checker, e.left, depth + 1);
    const right = constantString(checker, e.right);
    if (!base || right === undefined || !/^\/?[^/]/.test(right)) return undefined;
    return `${base}${right.startsWith('/') ? '' : '/'}${right}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rows, keys and names in data stores

/** Field names that hold a primary key or a value a unique constraint usually guards. */
const UNIQUE_FIELD = /^(?:id|_id|uuid|guid|email|emailAddress|email_address|slug|username|userName|user_name|login|handle)$/;

interface StoreApi {
  modules: readonly string[];
  label: string;
  /** Methods that insert rows, with where the rows are: `data` (prisma's `{ data }`), `args` (object args), `last`. */
  inserts: Readonly<Record<string, 'data' | 'args' | 'second'>>;
}

const STORES: readonly StoreApi[] = [
  { modules: ['.prisma', '@prisma/client'], label: 'prisma', inserts: { create: 'data', createMany: 'data' } },
  { modules: ['typeorm'], label: 'TypeORM', inserts: { insert: 'args', save: 'args' } },
  { modules: ['sequelize', '@sequelize/core', 'sequelize-typescript'], label: 'Sequelize', inserts: { create: 'args', bulkCreate: 'args' } },
  { modules: ['knex'], label: 'knex', inserts: { insert: 'args' } },
  { modules: ['kysely'], label: 'Kysely', inserts: { values: 'args' } },
  { modules: ['drizzle-orm'], label: 'Drizzle', inserts: { values: 'args' } },
  { modules: ['@mikro-orm/core', '@mikro-orm/knex', '@mikro-orm/postgresql', '@mikro-orm/mysql', '@mikro-orm/mongodb'], label: 'MikroORM', inserts: { create: 'second', insert: 'second', insertMany: 'second' } },
  { modules: ['mongoose'], label: 'mongoose', inserts: { create: 'args', insertMany: 'args' } },
  { modules: ['mongodb'], label: 'MongoDB', inserts: { insertOne: 'args', insertMany: 'args' } },
];

/** Raw SQL clients: `query`/`execute` with an SQL string. */
const SQL_CLIENTS: readonly string[] = ['pg', 'mysql2', 'mysql2/promise', 'mysql', 'postgres', 'knex', 'typeorm', '.prisma', '@prisma/client', 'sequelize', '@sequelize/core', 'kysely'];
const SQL_METHODS = new Set(['query', 'execute', 'raw', 'none', 'one', 'many', 'any', 'oneOrNone', '$executeRaw', '$executeRawUnsafe', '$queryRaw', '$queryRawUnsafe', 'unsafe']);
const REDIS_MODULES = new Set(['ioredis', 'redis', '@redis/client']);
const REDIS_WRITES = new Set(['set', 'setex', 'setnx', 'mset', 'hset', 'hmset', 'hsetnx', 'lpush', 'rpush', 'sadd', 'zadd', 'xadd', 'incr', 'incrby', 'append', 'pfadd', 'geoadd', 'json.set', 'SET', 'HSET', 'LPUSH', 'RPUSH', 'SADD', 'ZADD', 'XADD', 'INCR']);
const QUEUE_MODULES = new Set(['bullmq', 'bull', 'bee-queue']);
const QUEUE_CLASSES = new Set(['Queue', 'Worker', 'QueueEvents', 'FlowProducer', 'Bull', 'QueueScheduler']);

/** Unique fields with literal values in a row object (or array of rows). */
function fixedFields(checker: TS.TypeChecker, expression: TS.Expression | undefined, out: Array<{ node: TS.Node; text: string }>, depth = 0): void {
  if (!expression || depth > 2) return;
  const e = skipOuterExpressions(expression);
  if (ts.isArrayLiteralExpression(e)) {
    for (const element of e.elements) fixedFields(checker, element, out, depth + 1);
    return;
  }
  if (!ts.isObjectLiteralExpression(e)) return;
  for (const property of e.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const name = ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
    if (!name || !UNIQUE_FIELD.test(name)) continue;
    const literal = fixedLiteral(checker, property.initializer);
    if (literal !== undefined) out.push({ node: property, text: `${name}: ${literal}` });
  }
}

/** `'a@example.com'`, `42`, or a const bound to one, as source-like text. */
function fixedLiteral(checker: TS.TypeChecker, expression: TS.Expression): string | undefined {
  const text = constantString(checker, expression);
  if (text !== undefined) return text === '' ? undefined : `'${text}'`;
  const number = constantNumber(checker, expression);
  return number !== undefined ? String(number) : undefined;
}

/** The rows a store's insert call writes. */
function insertedRows(api: StoreApi, method: string, call: TS.CallExpression): TS.Expression[] {
  const where = api.inserts[method];
  if (where === 'data') {
    const data = objectProperty(call.arguments[0], 'data');
    return data ? [data] : [];
  }
  if (where === 'second') return call.arguments.length >= 2 ? [call.arguments[1]!] : [];
  return [...call.arguments];
}

const SQL_INSERT = /\bINSERT\s+(?:IGNORE\s+)?INTO\s+[`"]?([\w.]+)[`"]?\s*\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)/i;
const SQL_CREATE = /\bCREATE\s+(DATABASE|SCHEMA)\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"]?(\w+)[`"]?/i;

/** Split a VALUES tuple on top-level commas (quotes respected). */
function splitValues(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === ',') {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

/** The SQL text of a query argument: a literal, a template without substitutions, or a tagged template's literal parts (its substitutions are parameters). */
function sqlText(checker: TS.TypeChecker, call: TS.CallExpression): string | undefined {
  const first = call.arguments[0];
  if (first) return constantString(checker, first);
  return undefined;
}

function sqlFixedNames(checker: TS.TypeChecker, sql: string, params: TS.Expression | undefined): Array<{ kind: FixedNameKind; text: string }> {
  const out: Array<{ kind: FixedNameKind; text: string }> = [];
  const create = SQL_CREATE.exec(sql);
  if (create) out.push({ kind: 'database', text: `${create[1]!.toUpperCase()} ${create[2]}` });
  const insert = SQL_INSERT.exec(sql);
  if (insert) {
    const columns = insert[2]!.split(',').map((c) => c.trim().replace(/^[`"]|[`"]$/g, ''));
    const values = splitValues(insert[3]!);
    const paramValues = params && ts.isArrayLiteralExpression(skipOuterExpressions(params)) ? (skipOuterExpressions(params) as TS.ArrayLiteralExpression).elements : undefined;
    let positional = 0;
    columns.forEach((column, index) => {
      const value = values[index];
      if (value === undefined) return;
      let literal: string | undefined;
      if (/^'(?:[^']|'')*'$/.test(value) || /^-?\d+$/.test(value)) literal = value;
      else {
        // $1 (pg) or ? (mysql) placeholders: the value comes from the params array.
        const dollar = /^\$(\d+)$/.exec(value);
        const paramIndex = dollar ? Number(dollar[1]) - 1 : value === '?' ? positional : undefined;
        if (value === '?') positional++;
        const param = paramIndex !== undefined ? paramValues?.[paramIndex] : undefined;
        if (param && !ts.isSpreadElement(param)) literal = fixedLiteral(checker, param);
      }
      if (literal !== undefined && UNIQUE_FIELD.test(column)) out.push({ kind: 'row', text: `${column}: ${literal}` });
    });
  }
  return out;
}

function moduleOf(target: CallTarget, modules: ReadonlySet<string> | readonly string[]): string | undefined {
  const set = modules instanceof Set ? modules : new Set(modules as readonly string[]);
  for (const module of target.modules) if (set.has(module)) return module;
  return undefined;
}

const INSERT_NAMES = new Set(STORES.flatMap((s) => Object.keys(s.inserts)));

/** The file creates or rebuilds the schema of the database it connects to (so a fixed database name is written, not just read). */
export const CREATES_SCHEMA = /\.schema\.(?:refresh|create|createSchema|refreshDatabase|ensureDatabase|drop|dropSchema|update|updateSchema|createDatabase|clear|clearDatabase)\s*\(|getSchemaGenerator\(\)|\bsynchronize\s*:\s*true|\bdropSchema\s*:\s*true|\.sync\(\s*\{\s*force/;

/**
 * The package a callee's root identifier is imported from (`MikroORM` of `import { MikroORM } from '@mikro-orm/core'`),
 * for suites whose path mapping resolves the package to its own sources (the checker then calls it user code).
 */
function importedFrom(checker: TS.TypeChecker, expression: TS.Expression): string | undefined {
  let root = skipOuterExpressions(expression);
  while (ts.isPropertyAccessExpression(root)) root = skipOuterExpressions(root.expression);
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = checker.getSymbolAtLocation(root)?.declarations?.[0];
  if (!declaration) return undefined;
  let node: TS.Node | undefined = declaration;
  while (node && !ts.isImportDeclaration(node)) node = node.parent;
  if (!node || !ts.isStringLiteral(node.moduleSpecifier)) return undefined;
  const specifier = node.moduleSpecifier.text;
  return specifier.startsWith('.') || specifier.startsWith('/') ? undefined : specifier;
}

/** `MikroORM.init({ dbName: 'x' })` / `new MikroORM({ dbName })`, TypeORM `new DataSource({ database: 'x' })`: a fixed database a test connects to and (elsewhere in the file) creates its schema in. */
function fixedDatabaseOption(checker: TS.TypeChecker, call: TS.CallExpression | TS.NewExpression, name: string): { node: TS.Expression; value: string; module: string } | undefined {
  const options = call.arguments?.[0];
  let key: string;
  let modules: RegExp;
  if ((name === 'init' && ts.isCallExpression(call)) || (name === 'MikroORM' && ts.isNewExpression(call))) {
    key = 'dbName';
    modules = /^@mikro-orm\//;
  } else if (name === 'DataSource' && ts.isNewExpression(call)) {
    key = 'database';
    modules = /^typeorm$/;
  } else return undefined;
  const valueNode = objectProperty(options, key);
  const value = constantString(checker, valueNode);
  if (!valueNode || value === undefined || value === '' || value.includes(':memory:')) return undefined;
  const target = callTarget(checker, call);
  const module = (target && [...target.modules].find((m) => modules.test(m))) ?? importedFrom(checker, call.expression);
  if (!module || !modules.test(module)) return undefined;
  return { node: valueNode, value, module };
}

/** Every fixed name a test, hook or step of the file creates or writes. */
export function fixedNames(model: TestModel): FixedName[] {
  const { checker, sourceFile } = model;
  const out: FixedName[] = [];
  const createsSchema = CREATES_SCHEMA.test(sourceFile.text);
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const found = fixedNamesOfCall(checker, node);
      const name = createsSchema ? calleeName(node.expression)?.text : undefined;
      const database = name ? fixedDatabaseOption(checker, node, name) : undefined;
      if (database) found.push({ kind: 'database', node: database.node, value: `USES ${database.value}`, client: node.expression.getText(), module: database.module });
      if (found.length) {
        const block = model.enclosingBlock(node);
        // Only what tests, hooks and steps do; helpers and module-level code are judged where tests call them.
        if (block && block.kind !== 'suite') for (const f of found) out.push({ ...f, block, call: node });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return out;
}

function fixedNamesOfCall(checker: TS.TypeChecker, call: TS.CallExpression | TS.NewExpression): Array<Omit<FixedName, 'block' | 'call'>> {
  const name = calleeName(call.expression)?.text;
  if (!name) return [];
  const args = call.arguments ?? ts.factory.createNodeArray<TS.Expression>();
  const client = call.expression.getText();
  // Cheap syntax filters before the checker.
  if (ts.isNewExpression(call)) {
    if (name === 'CreateBucketCommand') {
      const bucketNode = objectProperty(args[0], 'Bucket');
      const bucket = constantString(checker, bucketNode);
      if (bucket === undefined || !hasModule(callTarget(checker, call), new Set(['@aws-sdk/client-s3']))) return [];
      return [{ kind: 'bucket', node: bucketNode!, value: bucket, client: `new ${client}`, module: '@aws-sdk/client-s3' }];
    }
    if (!QUEUE_CLASSES.has(name) || args.length === 0) return [];
    const queue = constantString(checker, args[0]);
    if (queue === undefined) return [];
    const target = callTarget(checker, call);
    const module = target && moduleOf(target, QUEUE_MODULES);
    return module ? [{ kind: 'queue', node: args[0]!, value: queue, client: `new ${client}`, module }] : [];
  }
  if (name in FS_WRITES) {
    const pathArg = args[FS_WRITES[name]!];
    if (!pathArg) return [];
    const path = fixedTempPath(checker, pathArg);
    if (path === undefined) return [];
    const target = callTarget(checker, call);
    const module = target && moduleOf(target, FS_MODULES);
    return module ? [{ kind: 'temp-path', node: pathArg, value: path, client, module }] : [];
  }
  if (INSERT_NAMES.has(name)) {
    const target = callTarget(checker, call);
    if (!target) return [];
    for (const api of STORES) {
      if (!(name in api.inserts)) continue;
      const module = moduleOf(target, api.modules);
      if (!module) continue;
      const fields: Array<{ node: TS.Node; text: string }> = [];
      for (const row of insertedRows(api, name, call)) fixedFields(checker, row, fields);
      if (fields.length === 0) return [];
      return [{ kind: 'row', node: fields[0]!.node, value: [...new Set(fields.map((f) => f.text))].join(', '), client, module }];
    }
    return [];
  }
  if (SQL_METHODS.has(name)) {
    const sql = sqlText(checker, call);
    if (sql === undefined || !/\b(?:INSERT|CREATE)\b/i.test(sql)) return [];
    const names = sqlFixedNames(checker, sql, args[1]);
    if (names.length === 0) return [];
    const target = callTarget(checker, call);
    const module = target && moduleOf(target, SQL_CLIENTS);
    if (!module) return [];
    const rows = names.filter((n) => n.kind === 'row');
    const out: Array<Omit<FixedName, 'block' | 'call'>> = names.filter((n) => n.kind === 'database').map((n) => ({ kind: 'database' as const, node: args[0]!, value: n.text, client, module }));
    if (rows.length) out.push({ kind: 'row', node: args[0]!, value: rows.map((r) => r.text).join(', '), client, module });
    return out;
  }
  if (REDIS_WRITES.has(name) && args.length >= 2) {
    const key = constantString(checker, args[0]);
    if (key === undefined || key === '') return [];
    const target = callTarget(checker, call);
    const module = target && moduleOf(target, REDIS_MODULES);
    return module ? [{ kind: 'redis-key', node: args[0]!, value: key, client, module }] : [];
  }
  if ((name === 'createBucket' || name === 'makeBucket') && args.length >= 1) {
    const bucket = constantString(checker, objectProperty(args[0], 'Bucket') ?? args[0]);
    if (bucket === undefined) return [];
    const target = callTarget(checker, call);
    const module = target && [...target.modules].find((m) => /^(?:@aws-sdk\/client-s3|aws-sdk|minio)$/.test(m));
    return module ? [{ kind: 'bucket', node: args[0]!, value: bucket, client, module }] : [];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Evidence that a store is not shared

export { ISOLATED_STORE, MOCKED_STORE, WORKER_INDEX } from './runnerConfig/setup.js';
/** Rows written inside a transaction that is rolled back collide with nobody. */
export const ROLLED_BACK = /\brollback\b|\bROLLBACK\b/i;
