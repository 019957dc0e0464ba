/**
 * Setup modules (vitest setupFiles, jest setupFiles/setupFilesAfterEnv, mocha --require/--file, node --import):
 * their top-level hooks and what those hooks reset, read from syntax only. Relative side-effect imports
 * (`import './mocks'`) are followed a few levels, since suites often split setup that way.
 */
import * as path from 'node:path';
import { ts, type TS } from '../typescript.js';
import type { HookKind } from '../testModel.js';
import type { SetupEffect, SetupHook } from '../runnerConfig.js';
import type { ConfigHost } from './reader.js';

const HOOKS: Record<string, HookKind> = {
  beforeAll: 'beforeAll', before: 'beforeAll', suiteSetup: 'beforeAll',
  beforeEach: 'beforeEach', setup: 'beforeEach',
  afterEach: 'afterEach', teardown: 'afterEach',
  afterAll: 'afterAll', after: 'afterAll', suiteTeardown: 'afterAll',
};

const MAX_FOLLOW_DEPTH = 3;

/** Modules whose import means requests may be intercepted (msw, nock, fetch mocks, Polly). */
export const INTERCEPTION_SPECIFIERS = /^(?:msw(?:\/.*)?|nock|axios-mock-adapter|fetch-mock|jest-fetch-mock|vitest-fetch-mock|moxios|@mswjs\/interceptors.*|@pollyjs\/.*|undici-mock)$/;

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** The effect of a call, by its callee text (runner namespaces and well-known library calls). */
export function effectOfCall(callee: string): SetupEffect | undefined {
  const text = callee.replace(/^globalThis\./, '');
  const match = /^(vi|vitest|jest)\.(\w+)$/.exec(text);
  if (match) {
    switch (match[2]) {
      case 'restoreAllMocks': return 'restoreMocks';
      case 'resetAllMocks': return 'resetMocks';
      case 'clearAllMocks': return 'clearMocks';
      case 'unstubAllEnvs': return 'unstubEnvs';
      case 'unstubAllGlobals': return 'unstubGlobals';
      case 'useRealTimers': return 'realTimers';
      case 'useFakeTimers': return 'fakeTimers';
      case 'setSystemTime': return 'systemTime';
      case 'resetModules': return 'resetModules';
      default: return undefined;
    }
  }
  if (text === 'sinon.restore' || text === 'mock.restoreAll' || text === 'mock.reset' || text === 't.mock.restoreAll') return 'restoreMocks';
  if (text === 'sinon.useFakeTimers' || text === 'mock.timers.enable' || text === 'FakeTimers.install') return 'fakeTimers';
  if (text === 'mock.timers.reset' || /(?:^|\.)clock\.(?:restore|uninstall)$/.test(text)) return 'realTimers';
  if (/(?:^|\.)clock\.setSystemTime$/.test(text)) return 'systemTime';
  if (/\.resetHandlers$/.test(text)) return 'resetHandlers';
  if (text === 'nock.cleanAll' || text === 'nock.restore') return 'nockCleanAll';
  return undefined;
}

export interface ParsedSetup {
  hooks: SetupHook[];
  topLevel: SetupEffect[];
  /** Why the hooks found may not be all: hooks registered conditionally or by a local helper we did not follow. */
  partial?: string;
  /** Every file read (the setup module and the modules it imports for side effects). */
  inputs: string[];
  /** The module could not be parsed (it was found). */
  unreadable?: string;
  /** Whether the module (or a local module it imports) sets up request interception for every governed file. */
  interception: InterceptionState;
  /** Evidence (the matched text) that data stores are per worker, in memory or mocked for every governed file. */
  isolatedStore?: string;
}

/**
 * Request interception a setup module installs: `yes` with what it does (imports msw/nock/fetch mocks, calls
 * `setGlobalDispatcher`/`disableNetConnect`, replaces `fetch`), `no` when it and every local module it imports
 * were read and do none of it, `unknown` when a local import could not be followed.
 */
export type InterceptionState = { kind: 'yes'; reason: string } | { kind: 'no' } | { kind: 'unknown'; reason: string };

/** Interception evidence in one module's syntax; relative specifiers it imports are collected into `locals`. */
function interceptionInModule(sf: TS.SourceFile, locals: string[]): InterceptionState | undefined {
  let found: InterceptionState | undefined;
  const visit = (node: TS.Node): void => {
    let specifier: string | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      // Type-only imports install nothing.
      if (!(ts.isImportDeclaration(node) && node.importClause?.isTypeOnly) && !(ts.isExportDeclaration(node) && node.isTypeOnly)) specifier = node.moduleSpecifier.text;
    } else if (ts.isCallExpression(node)) {
      const callee = calleeText(node, sf);
      const first = node.arguments[0];
      if ((callee === 'require' || node.expression.kind === ts.SyntaxKind.ImportKeyword) && first && ts.isStringLiteral(first)) specifier = first.text;
      else if (/(?:^|\.)(?:setGlobalDispatcher|disableNetConnect|enableFetchMocks|enableMocks)$/.test(callee)) found ??= { kind: 'yes', reason: `calls ${callee}` };
      else if (/^(?:vi|jest)\.stubGlobal$/.test(callee) && first && ts.isStringLiteral(first) && first.text === 'fetch') found ??= { kind: 'yes', reason: 'stubs the global fetch' };
      else if (/^(?:vi|jest)\.(?:mock|doMock)$/.test(callee) && first && ts.isStringLiteral(first) && /^(?:axios|got|node-fetch|undici|cross-fetch|isomorphic-fetch|ky)$/.test(first.text)) found ??= { kind: 'yes', reason: `mocks ${first.text}` };
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && /^(?:globalThis|global|window|self)\.fetch$/.test(node.left.getText(sf))) {
      found ??= { kind: 'yes', reason: `replaces ${node.left.getText(sf)}` };
    }
    if (specifier !== undefined) {
      if (INTERCEPTION_SPECIFIERS.test(specifier)) found ??= { kind: 'yes', reason: `imports ${specifier}` };
      else if (specifier.startsWith('.')) locals.push(specifier);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

interface SetupScan {
  interception: InterceptionState;
  isolatedStore?: string;
}

/**
 * What a setup module and the local modules it imports (a few levels) install for every governed file: request
 * interception, and evidence that data stores are per worker or in memory. A local import that cannot be
 * followed makes interception unknown.
 */
function scanSetup(file: string, sf: TS.SourceFile, host: ConfigHost, inputs: string[]): SetupScan {
  const seen = new Set([file]);
  let interception: InterceptionState | undefined;
  let unknown: InterceptionState | undefined;
  let isolatedStore: string | undefined;
  const queue: Array<{ file: string; sf: TS.SourceFile; depth: number; via?: string }> = [{ file, sf, depth: 0 }];
  while (queue.length) {
    const current = queue.shift()!;
    const locals: string[] = [];
    const found = interceptionInModule(current.sf, locals);
    if (found && !interception) interception = found.kind === 'yes' && current.via ? { kind: 'yes', reason: `${found.reason} (through ${current.via})` } : found;
    const evidence = SHARED_STORE_EVIDENCE.map((re) => re.exec(current.sf.text)?.[0]).find((m) => m !== undefined);
    if (evidence && !isolatedStore) isolatedStore = current.via ? `${evidence} (in ${current.via})` : evidence;
    for (const specifier of locals) {
      const target = resolveLocal(specifier, current.file, host);
      if (!target) {
        unknown ??= { kind: 'unknown', reason: `cannot resolve ${specifier}` };
        continue;
      }
      if (seen.has(target)) continue;
      seen.add(target);
      if (current.depth + 1 > MAX_FOLLOW_DEPTH) {
        unknown ??= { kind: 'unknown', reason: `${specifier} is imported too deep to follow` };
        continue;
      }
      const text = host.readFile(target);
      if (text === undefined) {
        unknown ??= { kind: 'unknown', reason: `cannot read ${specifier}` };
        continue;
      }
      inputs.push(target);
      queue.push({ file: target, sf: ts.createSourceFile(target, text, ts.ScriptTarget.Latest, true, scriptKind(target)), depth: current.depth + 1, via: current.via ?? specifier });
    }
  }
  return { interception: interception ?? unknown ?? { kind: 'no' }, ...(isolatedStore ? { isolatedStore } : {}) };
}

/** The file names the runner's worker index: names built from it are already partitioned per worker. */
export const WORKER_INDEX = /\b(?:VITEST_POOL_ID|VITEST_WORKER_ID|JEST_WORKER_ID|TEST_WORKER_INDEX|TEST_PARALLEL_INDEX|parallelIndex|workerIndex|MOCHA_WORKER_ID)\b/;
/** An in-memory, per-file or per-test store: sqlite `:memory:`, mongodb-memory-server, pg-mem, PGlite, testcontainers, redis mocks, a database created under a computed name. */
export const ISOLATED_STORE = /:memory:|\bMongoMemory(?:Server|ReplSet)\b|\bpg-mem\b|\bnewDb\s*\(|\bPGlite\b|testcontainers|ioredis-mock|redis-mock|\bmongo-unit\b|CREATE\s+(?:DATABASE|SCHEMA)\s+[`"]?\$\{/i;
/** The data client is mocked (a deep mock of the client, or the db module mocked): nothing reaches a store. */
export const MOCKED_STORE = /\bmockDeep\b|\b(?:jest|vitest)-mock-extended\b|prismock|prisma-mock|\b(?:vi|jest)\.mock\(\s*['"`][^'"`]*(?:prisma|\bdb\b|database|typeorm|sequelize|knex|kysely|drizzle|mongoose|mongodb|\bpg\b|mysql|redis|bullmq)[^'"`]*['"`]/i;
const SHARED_STORE_EVIDENCE = [WORKER_INDEX, ISOLATED_STORE, MOCKED_STORE];

function scriptKind(file: string): TS.ScriptKind {
  return /\.[cm]?tsx?$/.test(file) ? (file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : file.endsWith('x') ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
}

function calleeText(call: TS.CallExpression, sf: TS.SourceFile): string {
  return call.expression.getText(sf).replace(/\s+/g, '').replace(/\?\./g, '.');
}

/** Calls inside a function body, with their effects; `cleanup()` counts when imported from Testing Library. */
function bodyCalls(body: TS.Node, sf: TS.SourceFile, cleanupNames: Set<string>): { calls: string[]; effects: SetupEffect[] } {
  const calls: string[] = [];
  const effects = new Set<SetupEffect>();
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      const text = calleeText(node, sf);
      calls.push(text);
      const effect = effectOfCall(text) ?? (cleanupNames.has(text) ? 'cleanupDom' : undefined);
      if (effect) effects.add(effect);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return { calls, effects: [...effects] };
}

function rangeOf(sf: TS.SourceFile, start: number, end: number): SetupHook['range'] {
  return { start: sf.getLineAndCharacterOfPosition(start), end: sf.getLineAndCharacterOfPosition(end) };
}

function hookCallback(call: TS.CallExpression): TS.Node | undefined {
  return call.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a) || ts.isIdentifier(a) || ts.isPropertyAccessExpression(a));
}

export function parseSetupModule(file: string, host: ConfigHost, depth = 0, seen = new Set<string>()): ParsedSetup {
  seen.add(file);
  const text = host.readFile(file);
  if (text === undefined) return { hooks: [], topLevel: [], inputs: [file], unreadable: 'cannot be read', interception: { kind: 'unknown', reason: 'cannot be read' } };
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const result: ParsedSetup = { hooks: [], topLevel: [], inputs: [file], interception: { kind: 'no' } };
  // Followed only from the setup module itself (nested side-effect imports are followed again inside).
  if (depth === 0) {
    const scan = scanSetup(file, sf, host, result.inputs);
    result.interception = scan.interception;
    if (scan.isolatedStore) result.isolatedStore = scan.isolatedStore;
  }
  const cleanupNames = new Set<string>();
  const topLevel = new Set<SetupEffect>();
  const localImports = new Set<string>();
  const partial: string[] = [];
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text.startsWith('.')) {
      const clause = statement.importClause;
      if (clause?.name) localImports.add(clause.name.text);
      const named = clause?.namedBindings;
      if (named && ts.isNamedImports(named)) for (const element of named.elements) localImports.add(element.name.text);
      if (named && ts.isNamespaceImport(named)) localImports.add(named.name.text);
    }
  }
  // Hook registrations anywhere but at the top level (inside an `if`, a function, a loop) are not read.
  const findNested = (node: TS.Node, topLevelCall: boolean): void => {
    if (ts.isCallExpression(node) && !topLevelCall) {
      const callee = calleeText(node, sf);
      if (HOOKS[callee] && !partial.some((p) => p.includes('conditionally'))) partial.push(`a \`${callee}\` registered conditionally or in a function (line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1})`);
    }
    ts.forEachChild(node, (child) => findNested(child, false));
  };
  for (const statement of sf.statements) {
    let expression = ts.isExpressionStatement(statement) ? statement.expression : undefined;
    if (expression && ts.isAwaitExpression(expression)) expression = expression.expression;
    if (expression && ts.isCallExpression(expression)) {
      const callee = calleeText(expression, sf);
      // The hook's own callback may register nothing we need to see; its arguments are searched below.
      for (const arg of expression.arguments) findNested(arg, false);
      // A call at top level to a function imported from a local module may register hooks there.
      const root = callee.split('.')[0]!;
      if (!HOOKS[callee] && localImports.has(root) && callee !== root + '.resetHandlers') {
        partial.push(`\`${callee}()\` (imported from a local module) may register hooks`);
      }
    } else {
      findNested(statement, false);
    }
  }
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const specifier = statement.moduleSpecifier.text;
      const named = statement.importClause?.namedBindings;
      if (specifier.startsWith('@testing-library/') && named && ts.isNamedImports(named)) {
        for (const element of named.elements) if ((element.propertyName ?? element.name).text === 'cleanup') cleanupNames.add(element.name.text);
      }
      // `import './mocks'`: a side-effect import of a local module may register hooks of its own.
      if (!statement.importClause && specifier.startsWith('.') && depth < MAX_FOLLOW_DEPTH) {
        const target = resolveLocal(specifier, file, host);
        if (target && !seen.has(target)) {
          const nested = parseSetupModule(target, host, depth + 1, seen);
          result.hooks.push(...nested.hooks);
          for (const e of nested.topLevel) topLevel.add(e);
          result.inputs.push(...nested.inputs);
          if (nested.partial) partial.push(nested.partial);
        }
      }
      continue;
    }
    if (ts.isExpressionStatement(statement)) {
      let expression = statement.expression;
      if (ts.isAwaitExpression(expression)) expression = expression.expression;
      if (ts.isCallExpression(expression)) {
        const callee = calleeText(expression, sf);
        const hook = HOOKS[callee] ?? HOOKS[callee.replace(/^test\./, '')];
        if (hook) {
          const callback = hookCallback(expression);
          const { calls, effects } = callback ? bodyCalls(callback, sf, cleanupNames) : { calls: [], effects: [] };
          // `afterEach(cleanup)`: the callback itself is the call.
          if (callback && (ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback))) {
            const text = callback.getText(sf);
            calls.push(text);
            const effect = effectOfCall(text) ?? (cleanupNames.has(text) ? 'cleanupDom' : undefined);
            if (effect && !effects.includes(effect)) effects.push(effect);
          }
          const start = expression.getStart(sf);
          result.hooks.push({ hook, file, start, end: expression.getEnd(), range: rangeOf(sf, start, expression.getEnd()), effects, calls });
          continue;
        }
        const effect = effectOfCall(callee);
        if (effect) topLevel.add(effect);
        // `require('./mocks')` at top level.
        if (callee === 'require' && expression.arguments.length === 1 && ts.isStringLiteral(expression.arguments[0]!) && depth < MAX_FOLLOW_DEPTH) {
          const target = resolveLocal(expression.arguments[0].text, file, host);
          if (target && !seen.has(target)) {
            const nested = parseSetupModule(target, host, depth + 1, seen);
            result.hooks.push(...nested.hooks);
            for (const e of nested.topLevel) topLevel.add(e);
            result.inputs.push(...nested.inputs);
            if (nested.partial) partial.push(nested.partial);
          }
        }
      }
    }
    // mocha root hook plugin: `export const mochaHooks = { beforeEach() {...} }` / `exports.mochaHooks = {...}`.
    collectMochaHooks(statement, sf, cleanupNames, result);
  }
  result.topLevel = [...topLevel];
  if (partial.length) result.partial = [result.partial, ...partial].filter(Boolean).join('; ');
  return result;
}

function collectMochaHooks(statement: TS.Statement, sf: TS.SourceFile, cleanupNames: Set<string>, result: ParsedSetup): void {
  let value: TS.Expression | undefined;
  if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === 'mochaHooks') value = declaration.initializer;
    }
  } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = statement.expression.left.getText(sf);
    if (left === 'exports.mochaHooks' || left === 'module.exports.mochaHooks') value = statement.expression.right;
  }
  if (!value) return;
  // `mochaHooks = () => ({...})` / `async function` returning the object.
  if ((ts.isArrowFunction(value) || ts.isFunctionExpression(value)) && !ts.isBlock(value.body)) value = value.body;
  while (ts.isParenthesizedExpression(value)) value = value.expression;
  if (!ts.isObjectLiteralExpression(value)) return;
  for (const property of value.properties) {
    const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
    const hook = name ? ({ beforeAll: 'beforeAll', beforeEach: 'beforeEach', afterEach: 'afterEach', afterAll: 'afterAll' } as const)[name as 'beforeAll'] : undefined;
    if (!hook) continue;
    const body = ts.isMethodDeclaration(property) ? property : ts.isPropertyAssignment(property) ? property.initializer : undefined;
    if (!body) continue;
    const { calls, effects } = bodyCalls(body, sf, cleanupNames);
    const start = property.getStart(sf);
    result.hooks.push({ hook, file: sf.fileName, start, end: property.getEnd(), range: rangeOf(sf, start, property.getEnd()), effects, calls });
  }
}

export function resolveLocal(specifier: string, from: string, host: ConfigHost): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, base.replace(/\.([cm]?)js$/, '.$1ts'), ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  return candidates.find((c) => /\.[cm]?[jt]sx?$/.test(c) && host.fileExists(c));
}
