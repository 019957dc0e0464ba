import { ts, type TS } from './typescript.js';
import { declaringModule, forEachDescendant, initializerOf, type WriteIndex } from './assertionShapes.js';
import { isAsyncFunction, skipOuterExpressions } from './typeUtils.js';

/** Why a collection's order is not guaranteed, for the message. */
export interface UnorderedOrigin {
  /** e.g. "prisma `findMany` without `orderBy`". */
  description: string;
  /** What makes it ordered, for the message. */
  remedy: string;
}

/** ORM/client read methods returning several rows, by declaring module, and the option that orders them. */
const ORM_READS: Array<{ modules: string[]; methods: string[]; orderOption: string; label: string }> = [
  { modules: ['.prisma', '@prisma/client'], methods: ['findMany'], orderOption: 'orderBy', label: 'prisma' },
  { modules: ['typeorm'], methods: ['find', 'findBy', 'findAndCount', 'findAndCountBy'], orderOption: 'order', label: 'TypeORM' },
  { modules: ['sequelize', '@sequelize/core', 'sequelize-typescript'], methods: ['findAll', 'findAndCountAll'], orderOption: 'order', label: 'Sequelize' },
  { modules: ['drizzle-orm'], methods: ['findMany'], orderOption: 'orderBy', label: 'Drizzle' },
  { modules: ['@mikro-orm/core'], methods: ['find', 'findAll', 'findAndCount'], orderOption: 'orderBy', label: 'MikroORM' },
];

/** Query builders whose rows come back in no particular order unless the chain orders them. */
const BUILDER_MODULES: Record<string, { order: string[]; label: string }> = {
  knex: { order: ['orderBy', 'orderByRaw'], label: 'knex query' },
  typeorm: { order: ['orderBy', 'addOrderBy'], label: 'TypeORM query builder' },
  'drizzle-orm': { order: ['orderBy'], label: 'Drizzle select' },
  kysely: { order: ['orderBy'], label: 'Kysely select' },
  mongodb: { order: ['sort'], label: 'MongoDB `find`' },
  mongoose: { order: ['sort'], label: 'Mongoose `find`' },
};
/** Builder terminals that return several rows. */
const BUILDER_TERMINALS = new Set(['getMany', 'getRawMany', 'getManyAndCount', 'execute', 'toArray', 'exec', 'all']);

/** Raw SQL clients: the first argument is the query text. */
const SQL_MODULES = new Set(['pg', 'mysql2', 'mysql', 'postgres', 'better-sqlite3', 'sqlite', 'sqlite3', 'knex', 'typeorm', 'sequelize', '@prisma/client', '.prisma']);
const SQL_METHODS = new Set(['query', 'execute', 'raw', 'all', '$queryRaw', '$queryRawUnsafe', 'prepare']);

const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
const GLOB_MODULES = new Set(['glob', 'fast-glob', 'globby', 'tinyglobby']);

/** Array methods that keep the order of their receiver. */
const ORDER_PRESERVING = new Set(['map', 'filter', 'flatMap', 'flat', 'slice', 'concat', 'reverse', 'toReversed', 'values', 'entries', 'keys']);

/**
 * Collections whose element order is not guaranteed (database reads without an order, directory listings, globs,
 * arrays filled by concurrently settling callbacks), followed through locals, destructuring and order-preserving
 * array methods. Sorting ends the trail.
 */
export class UnorderedCollections {
  private concurrent: Map<TS.Symbol, UnorderedOrigin> | undefined;

  constructor(
    private readonly sourceFile: TS.SourceFile,
    private readonly checker: TS.TypeChecker,
    private readonly writes: WriteIndex,
  ) {}

  originOf(expression: TS.Expression, depth = 0): UnorderedOrigin | undefined {
    if (depth > 8) return undefined;
    const e = skipAwait(expression);
    if (ts.isCallExpression(e)) {
      const callee = skipOuterExpressions(e.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        if (method === 'sort' || method === 'toSorted') return undefined;
        if (ORDER_PRESERVING.has(method)) {
          const inner = this.originOf(callee.expression, depth + 1);
          if (inner) return inner;
        }
      }
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && e.arguments[0]) {
        return this.originOf(e.arguments[0], depth + 1);
      }
      return this.sourceCall(e);
    }
    if (ts.isTaggedTemplateExpression(e)) return this.rawSqlTemplate(e);
    if (ts.isArrayLiteralExpression(e) && e.elements.length === 1 && ts.isSpreadElement(e.elements[0]!)) {
      return this.originOf(e.elements[0].expression, depth + 1);
    }
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'rows') {
      // pg: (await client.query('SELECT ...')).rows
      return this.originOf(e.expression, depth + 1);
    }
    if (ts.isIdentifier(e)) return this.identifierOrigin(e, depth);
    return undefined;
  }

  private identifierOrigin(identifier: TS.Identifier, depth: number): UnorderedOrigin | undefined {
    const symbol = this.checker.getSymbolAtLocation(identifier);
    if (!symbol) return undefined;
    const concurrent = this.concurrentArrays().get(symbol);
    if (concurrent) return concurrent;
    const declaration = symbol.valueDeclaration;
    if (declaration && ts.isBindingElement(declaration) && declaration.getSourceFile() === this.sourceFile && !this.writes.assignedNames.has(identifier.text)) {
      // const { rows } = await pool.query(...); const [rows] = await conn.query(...) (mysql2: [rows, fields])
      const pattern = declaration.parent;
      const holder = pattern.parent;
      if (!ts.isVariableDeclaration(holder) || !holder.initializer) return undefined;
      if (ts.isObjectBindingPattern(pattern)) {
        const key = (declaration.propertyName ?? declaration.name);
        return ts.isIdentifier(key) && key.text === 'rows' ? this.originOf(holder.initializer, depth + 1) : undefined;
      }
      if (ts.isArrayBindingPattern(pattern) && pattern.elements[0] === declaration) {
        const origin = this.originOf(holder.initializer, depth + 1);
        return origin && origin.description.startsWith('a raw SQL') ? origin : undefined;
      }
      return undefined;
    }
    const init = initializerOf(identifier, this.checker, this.writes);
    return init ? this.originOf(init, depth + 1) : undefined;
  }

  private moduleOf(node: TS.Node): string | undefined {
    return declaringModule(this.checker.getSymbolAtLocation(node), this.checker);
  }

  private sourceCall(call: TS.CallExpression): UnorderedOrigin | undefined {
    const callee = skipOuterExpressions(call.expression);
    const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
    if (!nameNode) return undefined;
    const method = nameNode.text;

    if (method === 'readdir' || method === 'readdirSync' || method === 'glob' || method === 'globSync' || method === 'sync' || method === 'globby' || method === 'fg' || method === 'default') {
      const module = this.moduleOf(nameNode);
      if (module && FS_MODULES.has(module) && (method === 'readdir' || method === 'readdirSync')) {
        return { description: `\`${method}\`, which lists entries in the file system's order`, remedy: 'sort the entries' };
      }
      if (module && (GLOB_MODULES.has(module) || (FS_MODULES.has(module) && (method === 'glob' || method === 'globSync')))) {
        return { description: 'a glob, which returns matches in the order the file system yields them', remedy: 'sort the matches' };
      }
    }

    // ORM reads: an options object without the ordering option; options the test does not spell out are unknown.
    if (ORM_READS.some((r) => r.methods.includes(method))) {
      const module = this.moduleOf(nameNode);
      const read = module && ORM_READS.find((r) => r.modules.includes(module) && r.methods.includes(method));
      if (read) {
        if (!this.returnsArray(call)) return undefined;
        const objects = call.arguments.filter(ts.isObjectLiteralExpression);
        const others = call.arguments.filter((a) => !ts.isObjectLiteralExpression(a));
        // manager.find(User, {...}) passes the entity first; any other non-literal argument may carry an order.
        if (others.length > (read.label === 'TypeORM' || read.label === 'MikroORM' ? 1 : 0)) return undefined;
        if (objects.some((o) => hasProperty(o, read.orderOption) || o.properties.some(ts.isSpreadAssignment))) return undefined;
        if (method === 'findBy' || method === 'findAndCountBy' || objects.length > 0 || call.arguments.length === 0 || others.length > 0) {
          return { description: `${read.label} \`${method}\` without \`${read.orderOption}\``, remedy: `add \`${read.orderOption}\` to the query` };
        }
      }
    }

    // Raw SQL: SELECT without ORDER BY, returning several rows.
    if (SQL_METHODS.has(method) && call.arguments[0]) {
      const sql = sqlText(call.arguments[0]);
      if (sql !== undefined && returnsSeveralRowsUnordered(sql)) {
        const module = this.moduleOf(nameNode);
        if (module && SQL_MODULES.has(module)) return { description: 'a raw SQL `SELECT` without `ORDER BY`', remedy: 'add `ORDER BY` to the query' };
      }
    }

    // Builder chains: the terminal (or the awaited builder itself) of a chain with no ordering call.
    if (BUILDER_TERMINALS.has(method) || this.isBuilderValue(call)) {
      const calls = chainCallNodes(call, this.follow);
      const names = calls.map(calledName);
      const module = this.chainModule(calls);
      const builder = module && BUILDER_MODULES[module];
      if (builder && this.returnsArray(call) && !names.some((name) => name !== undefined && builder.order.includes(name))) {
        if (module === 'mongodb' || module === 'mongoose') {
          const find = calls.find((c) => calledName(c) === 'find');
          if (!find) return undefined;
          // mongoose: find(filter, projection, { sort })
          if (find && find.arguments.some((a) => ts.isObjectLiteralExpression(a) && hasProperty(a, 'sort'))) return undefined;
        }
        return { description: `a ${builder.label} without \`${builder.order[0]}\``, remedy: `add \`.${builder.order[0]}(...)\` to the query` };
      }
    }
    return undefined;
  }

  private rawSqlTemplate(tagged: TS.TaggedTemplateExpression): UnorderedOrigin | undefined {
    const tag = skipOuterExpressions(tagged.tag);
    const nameNode = ts.isPropertyAccessExpression(tag) ? tag.name : ts.isIdentifier(tag) ? tag : undefined;
    if (!nameNode) return undefined;
    const text = ts.isNoSubstitutionTemplateLiteral(tagged.template) ? tagged.template.text : tagged.template.head.text + tagged.template.templateSpans.map((s) => ` ? ${s.literal.text}`).join('');
    if (!returnsSeveralRowsUnordered(text)) return undefined;
    const module = this.moduleOf(nameNode);
    return module && SQL_MODULES.has(module) ? { description: 'a raw SQL `SELECT` without `ORDER BY`', remedy: 'add `ORDER BY` to the query' } : undefined;
  }

  /** A knex/kysely/drizzle builder awaited directly (it is thenable): `await knex('users').where(...)`. */
  private isBuilderValue(call: TS.CallExpression): boolean {
    return ts.isAwaitExpression(skipParens(call.parent));
  }

  private chainModule(calls: readonly TS.CallExpression[]): string | undefined {
    for (const call of calls) {
      const callee = skipOuterExpressions(call.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
      const module = name && this.moduleOf(name);
      if (module && module in BUILDER_MODULES) return module;
    }
    return undefined;
  }

  private readonly follow: Follow = (identifier) => initializerOf(identifier, this.checker, this.writes);


  private returnsArray(call: TS.CallExpression): boolean {
    let type = this.checker.getTypeAtLocation(call);
    const awaited = this.checker.getAwaitedType(type);
    if (awaited) type = awaited;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
    if (this.checker.isArrayType(type)) return true;
    // findAndCount: [rows, count]
    if (this.checker.isTupleType(type)) {
      const [first] = this.checker.getTypeArguments(type as TS.TypeReference);
      return !!first && this.checker.isArrayType(first);
    }
    return false;
  }

  /**
   * Arrays filled by callbacks that run concurrently and push after an await (or in a `.then` of a promise made per
   * item): their order is the order in which the work finished.
   */
  private concurrentArrays(): Map<TS.Symbol, UnorderedOrigin> {
    if (this.concurrent) return this.concurrent;
    const found = new Map<TS.Symbol, UnorderedOrigin>();
    this.concurrent = found;
    forEachDescendant(this.sourceFile, (node) => {
      if (!ts.isCallExpression(node) || node.arguments.length === 0) return;
      const callee = skipOuterExpressions(node.expression);
      if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'push' && callee.name.text !== 'unshift')) return;
      const target = skipOuterExpressions(callee.expression);
      if (!ts.isIdentifier(target)) return;
      const fn = enclosingFunction(node);
      if (!fn || !runsConcurrently(fn, node)) return;
      const symbol = this.checker.getSymbolAtLocation(target);
      // Only arrays the test owns (declared outside the concurrent callback).
      if (!symbol?.valueDeclaration || isInside(symbol.valueDeclaration, fn)) return;
      found.set(symbol, { description: 'an array filled by concurrent callbacks in the order their work finished', remedy: 'sort it, or collect the results with `Promise.all` (which keeps the input order)' });
    });
    return found;
  }
}

function skipAwait(expression: TS.Expression): TS.Expression {
  let e = skipOuterExpressions(expression);
  while (ts.isAwaitExpression(e)) e = skipOuterExpressions(e.expression);
  return e;
}

function skipParens(node: TS.Node): TS.Node {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.parent;
  return current;
}

function hasProperty(object: TS.ObjectLiteralExpression, name: string): boolean {
  return object.properties.some((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name);
}

/** Follows a local holding part of a chain (`const query = db.selectFrom('t')...; await query.execute()`). */
type Follow = (identifier: TS.Identifier) => TS.Expression | undefined;

/**
 * The calls along a chain ending in `call`, outermost first: `db.select().from(t).where(...)` -> where, from, select.
 * Locals holding part of the chain are followed (a few hops), so an `orderBy` in the const's initializer counts.
 */
function chainCallNodes(call: TS.CallExpression, follow: Follow): TS.CallExpression[] {
  const calls: TS.CallExpression[] = [];
  let hops = 0;
  for (let current: TS.Expression = call; ;) {
    const e = skipAwait(current);
    if (ts.isCallExpression(e)) {
      calls.push(e);
      const callee = skipOuterExpressions(e.expression);
      if (!ts.isPropertyAccessExpression(callee)) return calls;
      current = callee.expression;
    } else if (ts.isPropertyAccessExpression(e)) {
      current = e.expression;
    } else if (ts.isIdentifier(e) && hops++ < 4) {
      const init = follow(e);
      if (!init) return calls;
      current = init;
    } else {
      return calls;
    }
  }
}

function calledName(call: TS.CallExpression): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
}

function sqlText(argument: TS.Expression): string | undefined {
  const e = skipOuterExpressions(argument);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => ` ? ${s.literal.text}`).join('');
  return undefined;
}

/** A SELECT that may return several rows and does not order them (single-row aggregates and LIMIT 1 are fine). */
export function returnsSeveralRowsUnordered(sql: string): boolean {
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim();
  if (!/^(?:with\b[\s\S]*?\)\s*)?select\b/i.test(text)) return false;
  if (/\border\s+by\b/i.test(text)) return false;
  if (/\blimit\s+1\b/i.test(text)) return false;
  // SELECT count(*) FROM t (no GROUP BY): one row.
  const selectList = /^(?:with\b[\s\S]*?\)\s*)?select\s+([\s\S]*?)\s+from\b/i.exec(text)?.[1];
  if (selectList && !/\bgroup\s+by\b/i.test(text) && /^(?:count|sum|min|max|avg)\s*\(/i.test(selectList.trim()) && !selectList.includes(',')) return false;
  if (!/\bfrom\b/i.test(text)) return false;
  return true;
}

function enclosingFunction(node: TS.Node): TS.ArrowFunction | TS.FunctionExpression | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isArrowFunction(current) || ts.isFunctionExpression(current)) return current;
    if (ts.isFunctionLike(current) || ts.isSourceFile(current)) return undefined;
  }
  return undefined;
}

function isInside(node: TS.Node, ancestor: TS.Node): boolean {
  for (let current: TS.Node | undefined = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

const PER_ITEM_METHODS = new Set(['map', 'forEach', 'flatMap']);

/** Whether `fn` is one of several callbacks running at once, and `at` runs after their order can change. */
function runsConcurrently(fn: TS.ArrowFunction | TS.FunctionExpression, at: TS.Node): boolean {
  const call = fn.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(fn)) return false;
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  if (PER_ITEM_METHODS.has(method)) {
    // An async per-item callback: everything before its first await runs in item order, everything after in completion
    // order, when what it awaits is work of its own item (`await load(id)`); awaiting one shared event
    // (`await app.ready()`) resumes the callbacks in the order they started.
    return isAsyncFunction(fn) && awaitsBefore(fn, at, (awaited) => mentionsParameterOf(awaited, fn));
  }
  if (method === 'then' || method === 'finally') {
    // items.map((item) => load(item).then((r) => out.push(r)))
    const outer = enclosingFunction(call);
    if (!outer) return false;
    const outerCall = outer.parent;
    if (!ts.isCallExpression(outerCall)) return false;
    const outerCallee = skipOuterExpressions(outerCall.expression);
    // The promise must be work of the item (`load(item).then(...)`): callbacks chained on one shared event
    // (`app.ready().then(...)`) run in the order they were attached.
    return ts.isPropertyAccessExpression(outerCallee) && PER_ITEM_METHODS.has(outerCallee.name.text)
      && (ts.isArrowFunction(outer) || ts.isFunctionExpression(outer)) && mentionsParameterOf(callee.expression, outer);
  }
  return false;
}

/** Whether `node` uses a parameter (or a name destructured from one) of `fn`. */
function mentionsParameterOf(node: TS.Node, fn: TS.ArrowFunction | TS.FunctionExpression): boolean {
  const names = new Set<string>();
  const collect = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
  };
  for (const parameter of fn.parameters) collect(parameter.name);
  if (names.size === 0) return false;
  let found = false;
  const visit = (current: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(current) && names.has(current.text)) found = true;
    else ts.forEachChild(current, visit);
  };
  visit(node);
  return found;
}

function awaitsBefore(fn: TS.ArrowFunction | TS.FunctionExpression, at: TS.Node, counts: (awaited: TS.Node) => boolean = () => true): boolean {
  const position = at.getStart();
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || node.getStart() >= position) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) {
      if ((node.getEnd() <= position || isInside(at, node)) && counts(ts.isAwaitExpression(node) ? node.expression : node.expression)) found = true;
      if (found) return;
    }
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return found;
}
