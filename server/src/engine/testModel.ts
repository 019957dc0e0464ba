import { ts, type TS } from './typescript.js';
import { lightCallbackParameterTypes, possibleCallbackParameterTypes, possibleCallConstTypes } from './lightCalls.js';
import { packageOfDeclaration } from './packageOf.js';
import { requiredModule, skipParentheses } from './typeUtils.js';

/** Who declared an identifier: a test runner, an assertion library, or nobody we know (name fallback). */
export type Framework = 'vitest' | 'jest' | 'mocha' | 'node-test' | 'playwright' | 'chai' | 'unknown';
export type BlockKind = 'suite' | 'test' | 'hook' | 'step';
export type HookKind = 'beforeAll' | 'beforeEach' | 'afterEach' | 'afterAll';

export type FunctionLike = TS.ArrowFunction | TS.FunctionExpression;

export interface RunnerIdentity {
  framework: Framework;
  /** Canonical name of the runner entity: `it`, `test`, `describe`, `expect`, `context` (node:test t) ... */
  name: string;
}

export interface TestBlock {
  kind: BlockKind;
  hook?: HookKind;
  framework: Framework;
  /** The call that registers the block; for `it.each(table)(title, fn)` the outer call. */
  call: TS.CallExpression;
  /** Callee chain as written, e.g. `test.describe.only`. */
  calleeText: string;
  /** The member expression or identifier carrying a focus/skip modifier, for fixes. */
  modifiers: string[];
  title?: string;
  callback?: FunctionLike;
  parent?: TestBlock;
  children: TestBlock[];
}

export type CodeContext = BlockKind | 'helper' | 'module';

const MODIFIERS = new Set([
  'only', 'skip', 'todo', 'each', 'concurrent', 'sequential', 'fails', 'serial', 'parallel',
  'fixme', 'fail', 'slow', 'skipIf', 'runIf', 'for', 'shuffle', 'failing',
]);
/** Modifiers that take arguments and return the real registration function. */
const CURRIED_MODIFIERS = new Set(['each', 'skipIf', 'runIf', 'for']);

/** Identity name of a namespace import of a runner module (`import * as vitest from 'vitest'`). */
const NAMESPACE = '*';

const SUITE_NAMES = new Set(['describe', 'suite', 'context', 'fdescribe', 'xdescribe', 'xcontext']);
const TEST_NAMES = new Set(['it', 'test', 'specify', 'fit', 'xit', 'xtest', 'xspecify']);
const HOOK_NAMES: Record<string, HookKind> = {
  beforeAll: 'beforeAll', before: 'beforeAll', suiteSetup: 'beforeAll',
  beforeEach: 'beforeEach', setup: 'beforeEach',
  afterEach: 'afterEach', teardown: 'afterEach',
  afterAll: 'afterAll', after: 'afterAll', suiteTeardown: 'afterAll',
};
/** Globals a runner may inject without typings; only trusted when the identifier resolves to nothing. */
const GLOBAL_FALLBACK_NAMES = new Set([
  ...SUITE_NAMES, ...TEST_NAMES, ...Object.keys(HOOK_NAMES), 'expect',
]);

/** Type names (declared by a runner) of values that act as a runner entity, e.g. Playwright fixtures from `base.extend`. */
const TYPE_TO_ENTITY: Record<string, string> = {
  TestType: 'test', TestAPI: 'test', SuiteAPI: 'describe', TestContext: 'context', SuiteContext: 'context',
  TestFunction: 'it', SuiteFunction: 'describe', ExpectStatic: 'expect', Expect: 'expect', JestExpect: 'expect',
};

/** Whether a type may make a binding a runner entity (see computeIdentity): unknowns, runner types, anything a runner declares. */
function mayBeRunnerType(type: TS.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Instantiable)) return true;
  const parts = type.isUnionOrIntersection() ? type.types : [type];
  return parts.some((part) => {
    if (part.flags & ts.TypeFlags.Instantiable) return true;
    const symbol = part.aliasSymbol ?? part.getSymbol();
    return !!symbol && (!!TYPE_TO_ENTITY[symbol.name] || !!declarationFramework(symbol));
  }) || !!(type.aliasSymbol && (TYPE_TO_ENTITY[type.aliasSymbol.name] || declarationFramework(type.aliasSymbol)));
}

export function frameworkFromPath(fileName: string): Framework | undefined {
  const f = fileName.replace(/\\/g, '/');
  if (f.includes('/node_modules/vitest/') || f.includes('/node_modules/@vitest/')) return 'vitest';
  if (f.includes('/node_modules/@jest/') || f.includes('/node_modules/@types/jest/') || f.includes('/node_modules/jest-circus/')) return 'jest';
  if (f.includes('/node_modules/@types/mocha/')) return 'mocha';
  if (f.includes('/node_modules/@types/node/test.d.ts') || f.includes('/node_modules/@types/node/ts5.6/test.d.ts')) return 'node-test';
  if (f.includes('/node_modules/@playwright/test/') || f.includes('/node_modules/playwright/types/')) return 'playwright';
  if (f.includes('/node_modules/@types/chai/') || f.includes('/node_modules/chai/') || f.includes('/node_modules/@types/chai-as-promised/')) return 'chai';
  return undefined;
}

function declarationFramework(symbol: TS.Symbol | undefined): Framework | undefined {
  const decl = symbol?.declarations?.[0];
  return decl ? frameworkFromPath(decl.getSourceFile().fileName) : undefined;
}

/** Root identifier and member names of a callee such as `test.describe.only`. */
export function calleeChain(expr: TS.Expression): { root: TS.Identifier; path: string[] } | undefined {
  const path: string[] = [];
  let current: TS.Expression = expr;
  for (;;) {
    if (ts.isPropertyAccessExpression(current)) {
      path.unshift(current.name.text);
      current = current.expression;
    } else if (ts.isElementAccessExpression(current) && ts.isStringLiteralLike(current.argumentExpression)) {
      path.unshift(current.argumentExpression.text); // test['only'], test[`only`]
      current = current.expression;
    } else if (ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) {
      current = current.expression;
    } else if (ts.isIdentifier(current)) {
      return { root: current, path };
    } else {
      return undefined;
    }
  }
}

/**
 * Like calleeChain, but the chain may pass through calls of curried modifiers (`it.each(table)`,
 * it.each`table`, `it.skipIf(cond)`, `it.runIf(cond).only`). A curried modifier must be called,
 * and only curried modifiers may be: `it.each('title', fn)` and `foo()('title', fn)` are no registrations.
 */
export function registrationChain(expr: TS.Expression): { root: TS.Identifier; path: string[]; curried: boolean } | undefined {
  const path: string[] = [];
  let curried = false;
  let pendingCall = false;
  let current: TS.Expression = expr;
  for (;;) {
    if (ts.isCallExpression(current) || ts.isTaggedTemplateExpression(current)) {
      if (pendingCall) return undefined;
      pendingCall = true;
      curried = true;
      current = ts.isCallExpression(current) ? current.expression : current.tag;
      continue;
    }
    let name: string | undefined;
    if (ts.isPropertyAccessExpression(current)) {
      name = current.name.text;
      current = current.expression;
    } else if (ts.isElementAccessExpression(current) && ts.isStringLiteralLike(current.argumentExpression)) {
      name = current.argumentExpression.text;
      current = current.expression;
    } else if (ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) {
      current = current.expression;
      continue;
    } else if (ts.isIdentifier(current)) {
      return pendingCall ? undefined : { root: current, path, curried };
    } else {
      return undefined;
    }
    // An inline fixture chain (`test.extend({...})('name', fn)`, `test.extend({...}).fails(...)`) is the test function again.
    if (name === 'extend' && pendingCall) {
      pendingCall = false;
      continue;
    }
    if (CURRIED_MODIFIERS.has(name) !== pendingCall) return undefined;
    pendingCall = false;
    path.unshift(name);
  }
}

export function isFunctionLike(node: TS.Node | undefined): node is FunctionLike {
  return !!node && (ts.isArrowFunction(node) || ts.isFunctionExpression(node));
}

/**
 * The per-file test model: which calls register suites, tests, hooks and steps, for which runner,
 * and where fake timers are installed. Built once per analysis; holds compiler nodes, so it must
 * never outlive the analysis that built it.
 */
export class TestModel {
  readonly blocks: TestBlock[] = [];
  readonly roots: TestBlock[] = [];
  readonly frameworks = new Set<Framework>();
  private readonly blockByCallback = new Map<TS.Node, TestBlock>();
  private readonly fakeTimerInstalls: TS.CallExpression[] = [];
  private readonly identityCache = new Map<TS.Symbol, RunnerIdentity | null>();
  /**
   * Local names that may denote a runner entity under a name of their own: imports (`import { test as it }`,
   * `import * as vitest`) and fixtures (`const myTest = test.extend(...)`). The checker decides; this only filters.
   */
  private readonly importedRunnerNames = new Set<string>();

  constructor(
    readonly sourceFile: TS.SourceFile,
    readonly checker: TS.TypeChecker,
  ) {
    this.collectImportAliases();
    this.collectExtendedFixtures(sourceFile);
    this.visit(sourceFile, undefined);
  }

  /** Resolves an identifier to the runner entity it denotes, through imports, globals and types. */
  resolveRunner(identifier: TS.Identifier): RunnerIdentity | undefined {
    // In a script (no import/export) a top-level `const it = ...` clashes with a runner's global declaration and
    // the checker resolves to the global; at run time the file is a module and the local binding wins.
    if (this.scriptTopLevelNames().has(identifier.text)) return undefined;
    const symbol = this.checker.getSymbolAtLocation(identifier);
    if (!symbol) {
      return GLOBAL_FALLBACK_NAMES.has(identifier.text) ? { framework: 'unknown', name: identifier.text } : undefined;
    }
    const cached = this.identityCache.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    const identity = this.computeIdentity(identifier, symbol);
    this.identityCache.set(symbol, identity ?? null);
    return identity;
  }

  private topLevelNames: Set<string> | undefined;

  private scriptTopLevelNames(): Set<string> {
    if (this.topLevelNames) return this.topLevelNames;
    const names = new Set<string>();
    if (!ts.isExternalModule(this.sourceFile)) {
      for (const statement of this.sourceFile.statements) {
        if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) {
            // `const test = require('node:test')` is the runner itself (CommonJS files are scripts to the checker).
            const initializer = declaration.initializer?.getText(this.sourceFile) ?? '';
            if (ts.isIdentifier(declaration.name) && !/\brequire\s*\(/.test(initializer)) names.add(declaration.name.text);
          }
        } else if ((ts.isFunctionDeclaration(statement) && statement.body) || ts.isClassDeclaration(statement)) {
          if (!statement.name) continue;
          names.add(statement.name.text);
        }
      }
    }
    this.topLevelNames = names;
    return names;
  }

  private computeIdentity(identifier: TS.Identifier, symbol: TS.Symbol): RunnerIdentity | undefined {
    let target = symbol;
    if (symbol.flags & ts.SymbolFlags.Alias) {
      try {
        target = this.checker.getAliasedSymbol(symbol);
      } catch {
        return undefined;
      }
    }
    const declarations = target.declarations ?? [];
    if (declarations.length === 0) return symbol.flags & ts.SymbolFlags.Alias ? unresolvedImportIdentity(symbol) : undefined;
    // The project's own declaration files count as user code: `declare global { const test: typeof import('@playwright/test').test }`.
    const declaredInUserCode = declarations.some((d) => {
      const file = d.getSourceFile();
      return !file.isDeclarationFile || !/[\\/]node_modules[\\/]/.test(file.fileName);
    });
    const framework = declaredInUserCode ? undefined : declarations.map((d) => frameworkFromPath(d.getSourceFile().fileName)).find(Boolean);
    if (framework) {
      // `import * as vitest from 'vitest'`: the namespace itself; its members are the entities.
      if (target.flags & ts.SymbolFlags.ValueModule && declarations.every((d) => ts.isSourceFile(d) || ts.isModuleDeclaration(d))) {
        return { framework, name: NAMESPACE };
      }
      // The exported name, not the declaration's: vitest exports `globalExpect as expect`.
      let name = importedName(symbol) ?? target.name;
      if (name === 'default' || name === 'export=') {
        const declName = (declarations[0] as { name?: TS.Node }).name;
        name = declName && ts.isIdentifier(declName) ? declName.text : 'test';
      }
      if (framework === 'node-test' && name === 'suite') name = 'describe';
      return { framework, name };
    }
    if (!declaredInUserCode) return undefined;
    // A user function or class is never a runner entity, and asking for its type would infer its return type from
    // its body (a quarter of a check's time on suites that call many helpers).
    if (declarations.every((d) => ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d) || ts.isMethodDeclaration(d))) return undefined;
    // An unannotated callback parameter whose every possible contextual type (read from the declared signatures of
    // the call it is passed to) is no runner type: no entity, and no need to resolve that call (`qb` in `x.where((qb) => ...)`).
    const [declaration] = declarations;
    if (declarations.length === 1 && declaration && ts.isParameter(declaration) && ts.isIdentifier(declaration.name)) {
      const contextual = lightCallbackParameterTypes(declaration, this.checker) ?? possibleCallbackParameterTypes(declaration, this.checker);
      if (contextual?.every((type) => !mayBeRunnerType(type))) return undefined;
    }
    // `const query = db.selectFrom('person')...`: a chain whose every possible type is no runner type is no entity,
    // and the chain with its callbacks need not be typed.
    if (declarations.length === 1 && declaration && ts.isVariableDeclaration(declaration)) {
      const possible = possibleCallConstTypes(identifier, this.checker);
      if (possible?.every((type) => !mayBeRunnerType(type))) return undefined;
    }
    // A user binding (Playwright `base.extend`, vitest `test.extend`, a node:test `t` parameter): judge by its type.
    const type = this.checker.getTypeAtLocation(identifier);
    const typeSymbol = type.aliasSymbol ?? type.getSymbol();
    const typeFramework = declarationFramework(typeSymbol);
    if (typeFramework && typeSymbol && TYPE_TO_ENTITY[typeSymbol.name]) {
      return { framework: typeFramework, name: TYPE_TO_ENTITY[typeSymbol.name]! };
    }
    // `const { it } = require('mocha')` in a TypeScript file, or in JavaScript that the checker reads as a value.
    return declarations.length === 1 && declaration ? requireBindingIdentity(declaration) : undefined;
  }

  private collectImportAliases(): void {
    for (const statement of this.sourceFile.statements) {
      // `const t = require('node:test')`, `const { test: check } = require('node:test')`.
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const elements = ts.isObjectBindingPattern(declaration.name) ? declaration.name.elements : [declaration];
          for (const element of elements) {
            if (ts.isIdentifier(element.name) && requireBindingIdentity(element)) this.importedRunnerNames.add(element.name.text);
          }
        }
        continue;
      }
      if (!ts.isImportDeclaration(statement)) continue;
      const bindings = statement.importClause;
      if (bindings?.name) this.importedRunnerNames.add(bindings.name.text);
      const named = bindings?.namedBindings;
      if (named && ts.isNamedImports(named)) {
        for (const element of named.elements) this.importedRunnerNames.add(element.name.text);
      } else if (named && ts.isNamespaceImport(named)) {
        this.importedRunnerNames.add(named.name.text);
      }
    }
  }

  /** Names bound to `<something>.extend(...)` (vitest `test.extend`, Playwright `base.extend`), at any depth. */
  private collectExtendedFixtures(node: TS.Node): void {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      let init: TS.Expression = node.initializer;
      while (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression)) {
        if (init.expression.name.text === 'extend') {
          this.importedRunnerNames.add(node.name.text);
          break;
        }
        init = init.expression.expression; // base.extend(a).extend(b)
      }
    }
    ts.forEachChild(node, (child) => this.collectExtendedFixtures(child));
  }

  /** Cheap syntactic filter before asking the checker. */
  private mayBeRunnerCall(root: TS.Identifier, path: string[]): boolean {
    if (GLOBAL_FALLBACK_NAMES.has(root.text) || this.importedRunnerNames.has(root.text)) return true;
    const first = path[0];
    return first !== undefined && (SUITE_NAMES.has(first) || TEST_NAMES.has(first) || first in HOOK_NAMES || first === 'step' || first === 'extend');
  }

  /** Classifies a call as a suite/test/hook/step registration, or undefined. */
  classify(call: TS.CallExpression): Omit<TestBlock, 'parent' | 'children'> | undefined {
    const callee: TS.Expression = call.expression;
    // it.each(table)(title, fn), it.skipIf(cond)(title, fn), it.each`table`(title, fn), it.runIf(cond).only(title, fn)
    const chain = registrationChain(callee);
    if (!chain || !this.mayBeRunnerCall(chain.root, chain.path)) return undefined;
    const identity = this.resolveRunner(chain.root);
    if (!identity || identity.framework === 'chai') return undefined;

    // A namespace import (`vitest.describe`) contributes no segment of its own.
    const segments = identity.name === NAMESPACE ? chain.path : [identity.name, ...chain.path];
    if (segments.length === 0) return undefined;
    const modifiers: string[] = [];
    let base: string | undefined;
    for (const [index, segment] of segments.entries()) {
      if (index > 0 && MODIFIERS.has(segment)) {
        modifiers.push(segment);
        continue;
      }
      if (index === 0 && identity.name === 'context' && identity.framework === 'node-test') continue;
      if (SUITE_NAMES.has(segment) || TEST_NAMES.has(segment) || segment in HOOK_NAMES || segment === 'step') {
        // A modifier may not sit between two kind names (`it.only.describe` is not a thing).
        base = segment;
      } else {
        return undefined;
      }
    }
    if (!base) return undefined;
    if (base.startsWith('f') && base !== 'fail') modifiers.push('only');
    if (base.startsWith('x')) modifiers.push('skip');
    const hook = HOOK_NAMES[base];
    // `step` only exists on Playwright's test; `context` only in mocha (node:test t.context is not a fn).
    if (base === 'step' && identity.framework !== 'playwright') return undefined;
    const kind: BlockKind = hook ? 'hook' : base === 'step' ? 'step' : SUITE_NAMES.has(base) ? 'suite' : 'test';
    if (base === 'context' && identity.framework !== 'mocha' && identity.framework !== 'unknown') return undefined;

    const callback = call.arguments.find(isFunctionLike);
    const first = call.arguments[0];
    const title = first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined;
    return {
      kind,
      ...(hook ? { hook } : {}),
      framework: identity.framework,
      call,
      calleeText: chain.curried ? [chain.root.text, ...chain.path].join('.') : callee.getText(this.sourceFile),
      modifiers,
      ...(title !== undefined ? { title } : {}),
      ...(callback ? { callback } : {}),
    };
  }

  private visit(node: TS.Node, parent: TestBlock | undefined): void {
    if (ts.isCallExpression(node)) {
      const classified = this.classify(node);
      if (classified) {
        const block: TestBlock = { ...classified, ...(parent ? { parent } : {}), children: [] };
        this.blocks.push(block);
        this.frameworks.add(block.framework);
        (parent ? parent.children : this.roots).push(block);
        if (block.callback) this.blockByCallback.set(block.callback, block);
        ts.forEachChild(node, (child) => this.visit(child, block.callback && isAncestorOrSelf(block.callback, child) ? block : parent));
        return;
      }
      if (isFakeTimerInstall(node, this.checker)) this.fakeTimerInstalls.push(node);
    }
    ts.forEachChild(node, (child) => this.visit(child, parent));
  }

  /** The block whose callback is this function, if any. */
  blockOfCallback(fn: TS.Node): TestBlock | undefined {
    return this.blockByCallback.get(fn);
  }

  /** Innermost block whose callback (directly or through nested functions) contains the node. */
  enclosingBlock(node: TS.Node): TestBlock | undefined {
    for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
      const block = this.blockByCallback.get(current);
      if (block) return block;
    }
    return undefined;
  }

  /**
   * The runner of the test, hook or step around the node; outside any (a helper the tests call, such as a
   * `buildFastify(t)` registering `t.after(...)`), the file's only runner, if it has one.
   */
  frameworkAt(node: TS.Node): Framework | undefined {
    const block = this.enclosingBlock(node);
    if (block) return block.framework;
    return this.frameworks.size === 1 ? [...this.frameworks][0] : undefined;
  }

  /** Where the code runs: in a test/hook/step/suite callback, a helper function, or module top level. */
  contextOf(node: TS.Node): CodeContext {
    for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
      const block = this.blockByCallback.get(current);
      if (block) return block.kind;
      if (ts.isFunctionLike(current) && !ts.isTypeNode(current)) return 'helper';
    }
    return 'module';
  }

  /** Whether fake timers are installed for the code at this node (file level, an enclosing hook, or the same test). */
  fakeTimersActiveAt(node: TS.Node): boolean {
    if (this.fakeTimerInstalls.length === 0) return false;
    const block = this.enclosingBlock(node);
    const scopes = new Set<TestBlock | undefined>();
    for (let b = block; b; b = b.parent) scopes.add(b);
    for (const install of this.fakeTimerInstalls) {
      const owner = this.enclosingBlock(install);
      if (!owner) return true;
      if (scopes.has(owner)) {
        // Inside the same test, hook or step, only an install that runs first counts; a suite body runs before its tests.
        if (owner.kind === 'suite' || install.getStart(this.sourceFile) < node.getStart(this.sourceFile)) return true;
        continue;
      }
      // Installed in a before-hook of an enclosing suite (or a top-level before-hook).
      const before = owner.hook === 'beforeEach' || owner.hook === 'beforeAll';
      if (before && (owner.parent === undefined || scopes.has(owner.parent))) return true;
    }
    return false;
  }
}

function isAncestorOrSelf(ancestor: TS.Node, node: TS.Node): boolean {
  for (let current: TS.Node | undefined = node; current; current = current.parent) {
    if (current === ancestor) return true;
  }
  return false;
}

/** Libraries whose `install` installs fake timers, also when the workspace is the library's own repository. */
const FAKE_TIMER_LIBRARIES = new Set(['@sinonjs/fake-timers', 'sinon', '@playwright/test', 'playwright', 'playwright-core']);

/**
 * vi/jest/sinon useFakeTimers, @sinonjs/fake-timers install, node:test mock.timers.enable, Playwright page.clock.install.
 * With a checker, the generic names (`timers.enable`, `clock.install`) only count when a library declares them
 * (or nothing does, in untyped code): a user object with an `enable()` method installs nothing. A fake-timer
 * library's own tests call it from its sources, which are no declaration files but are still that library.
 */
export function isFakeTimerInstall(call: TS.CallExpression, checker?: TS.TypeChecker): boolean {
  const chain = calleeChain(call.expression);
  if (!chain) return false;
  const names = [chain.root.text, ...chain.path];
  const last = names[names.length - 1];
  const previous = names[names.length - 2];
  // A helper of the user's own named useFakeTimers installs them too: trusted by name.
  if (last === 'useFakeTimers') return true;
  const generic =
    (last === 'enable' && previous === 'timers')
    || (last === 'install' && (previous === 'clock' || previous === 'FakeTimers' || previous === 'fakeTimers'))
    || (last === 'setSystemTime' && previous === 'clock');
  if (!generic) return false;
  if (!checker) return true;
  const member = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : chain.root;
  const symbol = checker.getSymbolAtLocation(member);
  const declarations = symbol?.declarations ?? [];
  return declarations.length === 0 || declarations.some((d) => d.getSourceFile().isDeclarationFile || FAKE_TIMER_LIBRARIES.has(packageOfDeclaration(d) ?? ''));
}

/** Runner modules by import specifier, for imports the checker cannot resolve (see unresolvedImportIdentity). */
const FRAMEWORK_OF_MODULE: Record<string, Framework> = {
  vitest: 'vitest', '@jest/globals': 'jest', '@playwright/test': 'playwright', mocha: 'mocha', 'node:test': 'node-test',
};

/**
 * An import from a runner module that does not resolve to typings (an unbuilt or self-hosted runner, a workspace
 * without node_modules): the specifier alone says which runner's API the binding is. Rules that need no types still
 * work through it; those that need types see error types and stay silent.
 */
function unresolvedImportIdentity(symbol: TS.Symbol): RunnerIdentity | undefined {
  const declaration = symbol.declarations?.[0];
  if (!declaration) return undefined;
  let node: TS.Node | undefined = declaration;
  while (node && !ts.isImportDeclaration(node)) node = node.parent;
  // In JavaScript, `const { it } = require('mocha')` binds an alias as an import does.
  if (!node) return requireBindingIdentity(declaration);
  if (!ts.isStringLiteral(node.moduleSpecifier) || node.importClause?.isTypeOnly) return undefined;
  const framework = FRAMEWORK_OF_MODULE[node.moduleSpecifier.text];
  if (!framework) return undefined;
  if (ts.isNamespaceImport(declaration)) return { framework, name: NAMESPACE };
  let name: string;
  if (ts.isImportSpecifier(declaration)) {
    if (declaration.isTypeOnly) return undefined;
    name = (declaration.propertyName ?? declaration.name).text;
  } else if (ts.isImportClause(declaration)) {
    name = 'test'; // `import test from 'node:test'`, the only runner with a default export of its test function
  } else {
    return undefined;
  }
  if (framework === 'node-test' && name === 'suite') name = 'describe';
  return { framework, name };
}

/**
 * A CommonJS `const` binding of a runner module's export, named by the module specifier alone: `const { describe, it } =
 * require('node:test')`, `const { test: it } = require('node:test')`, `const it = require('mocha').it`, `const test =
 * require('node:test')` (node:test's module is its `test` function), `const mocha = require('mocha')` (a namespace).
 * What the unresolved import is for an ES module (see unresolvedImportIdentity): the checker cannot say when the
 * module has no typings (`node:test` without @types/node), nor in a TypeScript file, where `require` returns `any`.
 */
function requireBindingIdentity(declaration: TS.Declaration): RunnerIdentity | undefined {
  let property: string | undefined;
  let variable: TS.VariableDeclaration;
  if (ts.isBindingElement(declaration)) {
    const pattern = declaration.parent;
    const key = declaration.propertyName ?? declaration.name;
    if (declaration.dotDotDotToken || !ts.isObjectBindingPattern(pattern) || !ts.isVariableDeclaration(pattern.parent) || !ts.isIdentifier(key)) return undefined;
    property = key.text;
    variable = pattern.parent;
  } else if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
    variable = declaration;
  } else {
    return undefined;
  }
  // A `let` or `var` binding may be given another value later; an import binding, like a `const`, cannot.
  if (!ts.isVariableDeclarationList(variable.parent) || !(variable.parent.flags & ts.NodeFlags.Const)) return undefined;
  let initializer = variable.initializer && skipParentheses(variable.initializer);
  if (initializer && ts.isPropertyAccessExpression(initializer) && property === undefined && ts.isIdentifier(initializer.name)) {
    property = initializer.name.text;
    initializer = skipParentheses(initializer.expression);
  }
  const specifier = initializer && requiredModule(initializer);
  const framework = specifier && FRAMEWORK_OF_MODULE[specifier.text];
  if (!framework || declaresRequire(declaration.getSourceFile())) return undefined;
  if (property === undefined) return framework === 'node-test' ? { framework, name: 'test' } : { framework, name: NAMESPACE };
  return { framework, name: framework === 'node-test' && property === 'suite' ? 'describe' : property };
}

/** The file declares a `require` of its own at its top level (then `require('mocha')` need not load mocha). */
function declaresRequire(sourceFile: TS.SourceFile): boolean {
  return sourceFile.statements.some((statement) =>
    ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === 'require')
    || (ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === 'require'))
    || (ts.isImportDeclaration(statement) && !!statement.importClause && /\brequire\b/.test(statement.importClause.getText(sourceFile))));
}

/** For a binding created by `import { x as y }`, the name the module exports (`x`). */
function importedName(symbol: TS.Symbol): string | undefined {
  const declaration = symbol.declarations?.[0];
  if (!declaration || !ts.isImportSpecifier(declaration)) return undefined;
  return (declaration.propertyName ?? declaration.name).text;
}
