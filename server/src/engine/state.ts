import { ts, type TS } from './typescript.js';
import { calleeChain, isFunctionLike, type TestBlock, type TestModel } from './testModel.js';
import { declaringModule } from './resources.js';
import { isAnyOrUnknown, skipOuterExpressions } from './typeUtils.js';

/**
 * The state model: module- and suite-scope mutable state of a test file (let bindings, arrays, maps, sets,
 * objects, class instances, module-scope mocks and the exports of `vi.mock`/`jest.mock`ed modules, mocha's
 * shared `this` context) and, for each, who writes it, who reads it and who resets it.
 *
 * Writes are recognised by their form only where the form is certain: assignments, `++`/`--`, `delete`,
 * `Object.assign`, mutating methods of lib's Array/Map/Set (typed by the checker), mock implementation setters.
 * A method call we cannot classify is a read (it makes no writer), and an "opaque" access in a hook (the state
 * passed to a call, a method of a user type) counts as a possible reset: the model never invents a write and
 * never misses a reset it cannot see into. State written from a helper function (whose callers we do not
 * follow) or exported from the file is `unknown`: rules make no finding for it.
 *
 * Built lazily once per analysis (memoised on the test model, which lives exactly as long as the analysis).
 */

/** What a test can observe of a state: its value, or (for mocks) the implementation or the call history. */
export type StateFacet = 'value' | 'mock-implementation' | 'mock-calls';

export type StateKind = 'binding' | 'this-property' | 'mock';

/** Where an access runs. */
export type AccessSite =
  /** In a test, hook or step callback (or a function nested in one). */
  | 'block'
  /** Directly in a suite body or at module top level: collection time, before any test. */
  | 'init'
  /** In a function that is no block callback and sits outside every test and hook (a helper). */
  | 'helper';

export interface StateAccess {
  node: TS.Node;
  facet: StateFacet;
  kind: 'read' | 'write';
  /** The write replaces the whole facet or key (`x = ...`, `map.clear()`, `arr.length = 0`, `fn.mockReset()`). */
  reinit: boolean;
  /** The access hands the state to code we cannot see into (a call argument, a user method): in a hook, a possible reset. */
  opaque: boolean;
  /** First property of the state touched (`user` of `state.user = x`); `*` for the whole state. */
  key: string;
  site: AccessSite;
  /** The innermost block (test, hook, step, suite) whose callback contains the access. */
  block: TestBlock | undefined;
  /** Runs whenever its block runs: not under a condition, a loop, a catch or a nested callback. */
  unconditional: boolean;
  /** The innermost loop around the access when the access runs in every iteration of it (nothing else conditional in between). */
  loop?: TS.IterationStatement;
  /** Runs however the block ends: in `finally`, or a teardown registered from the block (`onTestFinished`, `t.after`). */
  guaranteed: boolean;
  /** How the access reads, for messages: `push`, `mockResolvedValue`, `toHaveBeenCalledTimes`, `=`. */
  how: string;
  /** An assignment of a value the block saved in a local (`config.mode = saved`): puts the state back. */
  restoresSaved?: boolean;
  /** Keys a read does not see after all: `{ ...config, version: 'x' }` reads every key of `config` but `version`. */
  except?: string[];
  /** The read is (part of) what an assertion checks: `expect(count).toBe(2)`, `assert.equal(x, 1)`. */
  asserted?: boolean;
}

export interface SharedState {
  kind: StateKind;
  /** For messages: `count`, `this.user`, `api.load`. */
  name: string;
  /** The declaration (binding), the import (mock), or the first access (this-property). */
  declaration: TS.Node;
  /** The suite whose body declares it; undefined for module scope (and for mocha `this`, see `ctxSuite`). */
  scope: TestBlock | undefined;
  accesses: StateAccess[];
  /** Why the model cannot tell who writes it; rules make no finding for unknown state. */
  unknown?: string;
}

/** A reset of every mock (`vi.clearAllMocks()`, `jest.resetAllMocks()`) and the facets it resets. */
export interface MockResetAll {
  node: TS.CallExpression;
  block: TestBlock | undefined;
  facets: StateFacet[];
}

const ARRAY_MUTATORS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);
const MAP_SET_MUTATORS = new Set(['set', 'add', 'delete', 'clear']);
const MUTABLE_LIB_TYPES = new Set(['Array', 'Map', 'Set', 'WeakMap', 'WeakSet']);
/** Persistent mock implementation setters (the `Once` forms are used up by one call and are not tracked). */
const IMPLEMENTATION_SETTERS = new Set(['mockReturnValue', 'mockResolvedValue', 'mockRejectedValue', 'mockImplementation', 'mockReturnThis']);
/** Assertions whose result depends on every call the mock ever got (positive and negated forms). */
const COUNT_MATCHERS = new Set([
  'toHaveBeenCalledTimes', 'toBeCalledTimes', 'toHaveBeenCalledOnce', 'toHaveBeenCalledExactlyOnceWith',
  'toHaveBeenNthCalledWith', 'nthCalledWith', 'toHaveReturnedTimes', 'toReturnTimes', 'toHaveNthReturnedWith', 'nthReturnedWith',
]);
/** Assertions that the mock was called (in this test, when the history is clean). */
const CALLED_MATCHERS = new Set([
  'toHaveBeenCalled', 'toBeCalled', 'toHaveBeenCalledWith', 'toBeCalledWith', 'toHaveBeenLastCalledWith', 'lastCalledWith',
  'toHaveReturned', 'toReturn', 'toHaveReturnedWith', 'toReturnWith', 'toHaveLastReturnedWith', 'lastReturnedWith',
  ...COUNT_MATCHERS,
]);
const MOCK_HISTORY_PROPERTIES = new Set(['calls', 'results', 'instances', 'contexts', 'invocationCallOrder', 'settledResults']);
/** mocha's own members of the test context: not user state. */
const MOCHA_CONTEXT_MEMBERS = new Set(['timeout', 'slow', 'skip', 'retries', 'currentTest', 'test', 'runnable', 'done', 'enableTimeouts']);
/** Callees that only look at a value: handing state to them is a read, never a possible reset. */
const LOOKING_CALLEES = /^(?:expect|assert|should|console|JSON|Math|String|Number|Boolean|Array|Promise|chai|t|Object\.(?:keys|values|entries|freeze|isFrozen)|structuredClone)$/;

/** Per analysis: every module- or suite-scope state of the file, with its accesses. */
export class StateModel {
  readonly states: SharedState[] = [];
  readonly mockResets: MockResetAll[] = [];
  /** Suites (undefined: the whole file) whose tests run serially by design: Playwright `describe.configure({ mode: 'serial' })`, `describe.serial`. */
  readonly serialScopes = new Set<TestBlock | undefined>();
  private readonly bySymbol = new Map<TS.Symbol, SharedState>();
  private readonly thisStates = new Map<string, SharedState>();
  private readonly mockedSpecifiers = new Set<string>();
  private readonly mockedNamespaces = new Map<TS.Symbol, Map<string, SharedState>>();

  constructor(readonly model: TestModel, readonly checker: TS.TypeChecker) {
    if (model.blocks.length === 0) return;
    const { sourceFile } = model;
    this.collectMockedModules(sourceFile);
    this.collectBindings(sourceFile.statements, undefined);
    for (const block of model.blocks) {
      if (block.kind === 'suite' && block.callback && ts.isBlock(block.callback.body)) this.collectBindings(block.callback.body.statements, block);
      if (block.kind === 'suite' && block.modifiers.includes('serial') && block.framework === 'playwright') this.serialScopes.add(block);
    }
    if (this.bySymbol.size === 0 && this.mockedNamespaces.size === 0 && !model.frameworks.has('mocha') && !model.frameworks.has('unknown')) {
      this.visitForResetsOnly(sourceFile);
      return;
    }
    const names = new Set<string>();
    for (const symbol of this.bySymbol.keys()) names.add(symbol.name);
    for (const symbol of this.mockedNamespaces.keys()) names.add(symbol.name);
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node) && names.has(node.text)) this.visitIdentifier(node);
      else if (node.kind === ts.SyntaxKind.ThisKeyword) this.visitThis(node as TS.ThisExpression);
      else if (ts.isCallExpression(node)) this.visitCall(node);
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }

  // ------------------------------------------------------------------------------------------
  // Candidates

  /** `vi.mock('./api')` / `jest.mock('./api')` at top level: the specifiers whose imports are mocks. */
  private collectMockedModules(sourceFile: TS.SourceFile): void {
    for (const statement of sourceFile.statements) {
      if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
      const call = statement.expression;
      const chain = calleeChain(call.expression);
      const first = call.arguments[0];
      if (!chain || chain.path.length !== 1 || !['mock', 'doMock'].includes(chain.path[0]!) || !first || !ts.isStringLiteralLike(first)) continue;
      if (!this.isMockRunner(chain.root)) continue;
      this.mockedSpecifiers.add(first.text);
    }
    if (this.mockedSpecifiers.size === 0) return;
    for (const statement of sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !this.mockedSpecifiers.has(statement.moduleSpecifier.text)) continue;
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) continue;
      if (clause.name) {
        // A default export may be an object of mocked functions (`axios.get.mockResolvedValue`): its members are mocks too.
        this.addMock(clause.name, statement);
        const symbol = this.checker.getSymbolAtLocation(clause.name);
        if (symbol) this.mockedNamespaces.set(symbol, new Map());
      }
      const named = clause.namedBindings;
      if (named && ts.isNamedImports(named)) {
        for (const element of named.elements) if (!element.isTypeOnly) this.addMock(element.name, statement);
      } else if (named && ts.isNamespaceImport(named)) {
        const symbol = this.checker.getSymbolAtLocation(named.name);
        if (symbol) this.mockedNamespaces.set(symbol, new Map());
      }
    }
  }

  private addMock(name: TS.Identifier, declaration: TS.Node): void {
    const symbol = this.checker.getSymbolAtLocation(name);
    if (!symbol || this.bySymbol.has(symbol)) return;
    const state: SharedState = { kind: 'mock', name: name.text, declaration, scope: undefined, accesses: [] };
    this.states.push(state);
    this.bySymbol.set(symbol, state);
  }

  private collectBindings(statements: TS.NodeArray<TS.Statement>, scope: TestBlock | undefined): void {
    for (const statement of statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isObjectBindingPattern(declaration.name)) {
          // `const { load } = vi.hoisted(() => ({ load: vi.fn() }))`: mocks made before the module mocks; other destructured values are plain bindings.
          const init = declaration.initializer && skipOuterExpressions(declaration.initializer);
          const hoisted = !!init && ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'hoisted'
            && ts.isIdentifier(init.expression.expression) && this.isMockRunner(init.expression.expression);
          for (const element of declaration.name.elements) {
            if (!ts.isIdentifier(element.name) || element.dotDotDotToken) continue;
            const symbol = this.checker.getSymbolAtLocation(element.name);
            if (!symbol || this.bySymbol.has(symbol)) continue;
            const state: SharedState = { kind: hoisted ? 'mock' : 'binding', name: element.name.text, declaration: element, scope, accesses: [] };
            if (exported) state.unknown = 'exported: other modules may write it';
            this.states.push(state);
            this.bySymbol.set(symbol, state);
          }
          continue;
        }
        if (!ts.isIdentifier(declaration.name)) continue;
        const symbol = this.checker.getSymbolAtLocation(declaration.name);
        if (!symbol || this.bySymbol.has(symbol)) continue;
        const init = declaration.initializer && skipOuterExpressions(declaration.initializer);
        // `const m = vi.mocked(load)`: another name for the mocked import's state.
        const mockedTarget = init && this.mockedArgument(init);
        if (mockedTarget) {
          const target = this.stateOfExpression(mockedTarget);
          if (target?.kind === 'mock') {
            this.bySymbol.set(symbol, target);
            continue;
          }
        }
        const isMock = !!init && ts.isCallExpression(init) && this.createsMock(init);
        const state: SharedState = { kind: isMock ? 'mock' : 'binding', name: declaration.name.text, declaration, scope, accesses: [] };
        if (exported) state.unknown = 'exported: other modules may write it';
        this.states.push(state);
        this.bySymbol.set(symbol, state);
      }
    }
  }

  private isMockRunner(root: TS.Identifier): boolean {
    if (root.text !== 'vi' && root.text !== 'jest') return false;
    const identity = this.model.resolveRunner(root);
    return !!identity && (identity.name === 'vi' || identity.name === 'jest') && (identity.framework === 'vitest' || identity.framework === 'jest' || identity.framework === 'unknown');
  }

  /** `vi.fn()`, `jest.fn(impl)`, `vi.spyOn(o, 'm')` and chains on them (`vi.fn().mockReturnValue(1)`). */
  private createsMock(call: TS.CallExpression): boolean {
    let current: TS.Expression = call;
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      const receiver = skipOuterExpressions(current.expression.expression);
      if (ts.isIdentifier(receiver) && ['fn', 'spyOn'].includes(current.expression.name.text)) return this.isMockRunner(receiver);
      current = receiver;
    }
    return false;
  }

  /** `vi.mocked(x)` / `jest.mocked(x)` -> `x`. */
  private mockedArgument(expression: TS.Expression): TS.Expression | undefined {
    if (!ts.isCallExpression(expression) || expression.arguments.length === 0) return undefined;
    const callee = expression.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'mocked' || !ts.isIdentifier(callee.expression)) return undefined;
    return this.isMockRunner(callee.expression) ? skipOuterExpressions(expression.arguments[0]!) : undefined;
  }

  /** The state an expression denotes as a whole: a candidate binding, or a property of a mocked namespace import. */
  private stateOfExpression(expression: TS.Expression): SharedState | undefined {
    const node = skipOuterExpressions(expression);
    if (ts.isIdentifier(node)) {
      const symbol = this.checker.getSymbolAtLocation(node);
      return symbol ? this.bySymbol.get(symbol) : undefined;
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const symbol = this.checker.getSymbolAtLocation(node.expression);
      const members = symbol && this.mockedNamespaces.get(symbol);
      if (!members) return undefined;
      const name = `${node.expression.text}.${node.name.text}`;
      let state = members.get(node.name.text);
      if (!state) {
        state = { kind: 'mock', name, declaration: node, scope: undefined, accesses: [] };
        members.set(node.name.text, state);
        this.states.push(state);
      }
      return state;
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Accesses

  private visitIdentifier(identifier: TS.Identifier): void {
    const parent = identifier.parent;
    // Declarations, property names and import specifiers are no accesses.
    if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === identifier) return;
    if ((ts.isPropertyAccessExpression(parent) && parent.name === identifier) || ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return;
    if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === identifier) return;
    if (ts.isTypeQueryNode(parent) || ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return;
    const symbol = ts.isShorthandPropertyAssignment(parent) ? this.checker.getShorthandAssignmentValueSymbol(parent) : this.checker.getSymbolAtLocation(identifier);
    if (!symbol) return;
    const namespaceMembers = this.mockedNamespaces.get(symbol);
    if (namespaceMembers) {
      // `api.load`: the state is the member.
      if (ts.isPropertyAccessExpression(parent) && parent.expression === identifier) {
        const state = this.stateOfExpression(parent);
        if (state) this.classify(state, this.unwrapMocked(parent));
        return;
      }
      if (!this.bySymbol.has(symbol)) return;
    }
    const state = this.bySymbol.get(symbol);
    if (!state) return;
    this.classify(state, state.kind === 'mock' ? this.unwrapMocked(identifier) : identifier);
  }

  /** `vi.mocked(load)` / `jest.mocked(api.load)` stand for the mock itself. */
  private unwrapMocked(expression: TS.Expression): TS.Expression {
    const call = expression.parent;
    return ts.isCallExpression(call) && call.arguments[0] === expression && this.mockedArgument(call) ? call : expression;
  }

  private visitThis(node: TS.ThisExpression): void {
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== node || MOCHA_CONTEXT_MEMBERS.has(access.name.text)) return;
    // mocha's context: `this` of a test or hook registered with a function expression.
    let fn: TS.Node | undefined = node.parent;
    while (fn && !(ts.isFunctionLike(fn) && !ts.isArrowFunction(fn))) fn = fn.parent;
    if (!fn || !ts.isFunctionExpression(fn)) return;
    const block = this.model.blockOfCallback(fn);
    if (!block || (block.kind !== 'test' && block.kind !== 'hook') || (block.framework !== 'mocha' && block.framework !== 'unknown')) return;
    const name = `this.${access.name.text}`;
    let state = this.thisStates.get(name);
    if (!state) {
      state = { kind: 'this-property', name, declaration: access, scope: undefined, accesses: [] };
      this.thisStates.set(name, state);
      this.states.push(state);
    }
    this.classify(state, access);
  }

  /** Resets of every mock, and Playwright's serial mode. */
  private visitCall(call: TS.CallExpression): void {
    const chain = calleeChain(call.expression);
    if (!chain) return;
    const last = chain.path[chain.path.length - 1];
    if (chain.path.length === 1 && this.isMockRunner(chain.root)) {
      const facets: StateFacet[] | undefined = last === 'clearAllMocks' ? ['mock-calls']
        : last === 'resetAllMocks' || last === 'restoreAllMocks' ? ['mock-calls', 'mock-implementation'] : undefined;
      if (facets) this.mockResets.push({ node: call, block: this.model.enclosingBlock(call), facets });
      return;
    }
    if (last === 'configure' && chain.path.length === 2 && chain.path[0] === 'describe') {
      const options = call.arguments[0];
      const identity = this.model.resolveRunner(chain.root);
      if (!identity || (identity.framework !== 'playwright' && identity.framework !== 'unknown') || !options || !ts.isObjectLiteralExpression(options)) return;
      const serial = options.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'mode' && ts.isStringLiteralLike(p.initializer) && p.initializer.text === 'serial');
      if (serial) this.serialScopes.add(this.model.enclosingBlock(call));
    }
  }

  private visitForResetsOnly(sourceFile: TS.SourceFile): void {
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node)) this.visitCall(node);
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }

  /** Where an access runs: its block, and whether a function that is no block callback lies in between. */
  private siteOf(node: TS.Node): { site: AccessSite; block: TestBlock | undefined; unconditional: boolean; guaranteed: boolean; loop?: TS.IterationStatement } {
    let viaFunction = false;
    let unconditional = true;
    let loop: TS.IterationStatement | undefined;
    let guaranteed = false;
    let child: TS.Node = node;
    for (let current: TS.Node | undefined = node.parent; current; child = current, current = current.parent) {
      const block = isFunctionLike(current) ? this.model.blockOfCallback(current) : undefined;
      if (block) {
        if (block.kind === 'suite') return { site: viaFunction ? 'helper' : 'init', block, unconditional, guaranteed };
        return { site: 'block', block, unconditional, guaranteed, ...(loop ? { loop } : {}) };
      }
      if (ts.isFunctionLike(current)) {
        viaFunction = true;
        // A callback handed straight to a call (`em.transactional(async (em) => { x = ... })`, `act(() => ...)`) runs
        // as part of that call, as far as the order of its own statements goes; any other function may never run.
        const call = current.parent;
        if (!(call && ts.isCallExpression(call) && call.arguments.includes(current as TS.Expression))) unconditional = false;
        // A teardown registered from the test: onTestFinished(() => ...), t.after(() => ...).
        if (call && ts.isCallExpression(call) && /^(?:onTestFinished|after|afterEach|teardown|addCleanup|cleanup)$/.test(calleeChain(call.expression)?.path.at(-1) ?? calleeChain(call.expression)?.root.text ?? '')) guaranteed = true;
        continue;
      }
      if (ts.isTryStatement(current) && current.finallyBlock === child) guaranteed = true;
      if (!loop && unconditional && !viaFunction && ts.isIterationStatement(current, false) && current.statement === child) loop = current;
      if ((ts.isIfStatement(current) && current.expression !== child) || ts.isIterationStatement(current, false) || ts.isCaseClause(current) || ts.isDefaultClause(current) || ts.isCatchClause(current)
        || (ts.isConditionalExpression(current) && current.condition !== child)
        || (ts.isBinaryExpression(current) && current.right === child && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(current.operatorToken.kind))) {
        unconditional = false;
      }
    }
    return { site: viaFunction ? 'helper' : 'init', block: undefined, unconditional, guaranteed };
  }

  private add(state: SharedState, node: TS.Node, facet: StateFacet, kind: 'read' | 'write', key: string, how: string, options: { reinit?: boolean; opaque?: boolean; except?: string[] } = {}): StateAccess {
    const site = this.siteOf(node);
    const access: StateAccess = { node, facet, kind, key, how, reinit: options.reinit ?? false, opaque: options.opaque ?? false, ...site, ...(options.except ? { except: options.except } : {}) };
    if (kind === 'read' && insideAssertion(node)) access.asserted = true;
    state.accesses.push(access);
    if (site.site === 'helper' && kind === 'write' && !state.unknown) state.unknown = 'written in a helper function whose callers are not followed';
    return access;
  }

  /** `x.mode = saved` where `saved` is a local of the same test or hook that copied the state (`const saved = x.mode`). */
  private assignsSavedLocal(assignment: TS.BinaryExpression, block: TestBlock | undefined): boolean {
    const value = skipOuterExpressions(assignment.right);
    const callback = block?.callback;
    if (!ts.isIdentifier(value) || !callback) return false;
    const declaration = this.checker.getSymbolAtLocation(value)?.valueDeclaration;
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    if (declaration.getStart() < callback.getStart() || declaration.getEnd() > callback.getEnd()) return false;
    return rootName(declaration.initializer) === rootName(assignment.left);
  }

  /** Classifies one access of a state, `root` being the expression that denotes the state as a whole. */
  private classify(state: SharedState, root: TS.Expression): void {
    // Climb the property path: `state.user.name` -> key `user`.
    let top: TS.Expression = root;
    let key = '*';
    let depth = 0;
    for (;;) {
      const parent = top.parent;
      if (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isTypeAssertionExpression(parent)) {
        top = parent;
        continue;
      }
      if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === top) {
        // A method call ends the path: `arr.push(x)` is a call on `arr`.
        if (ts.isCallExpression(parent.parent) && parent.parent.expression === parent) break;
        const name = ts.isPropertyAccessExpression(parent) ? parent.name.text : ts.isStringLiteralLike(parent.argumentExpression) || ts.isNumericLiteral(parent.argumentExpression) ? parent.argumentExpression.text : undefined;
        if (depth === 0) key = name ?? '*';
        depth++;
        top = parent;
        if (state.kind === 'mock' && depth === 1 && name === 'mock') {
          // `fn.mock.calls`: the call history.
          this.add(state, top, 'mock-calls', 'read', '*', 'mock.calls');
          return;
        }
        continue;
      }
      break;
    }
    const parent = top.parent;
    // Assignments.
    if (ts.isBinaryExpression(parent) && parent.left === top && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const plain = parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
      if (depth === 0) {
        const reinit = plain;
        this.add(state, parent, 'value', 'write', '*', plain ? '=' : parent.operatorToken.getText(), { reinit });
        // A new binding value is a new mock: implementation and history start over.
        if (state.kind === 'mock' && plain) for (const facet of ['mock-implementation', 'mock-calls'] as const) this.add(state, parent, facet, 'write', '*', '=', { reinit: true });
      } else {
        const lengthReset = depth === 1 && key === 'length' && plain;
        // A plain assignment sets what it names afresh, whatever was there (`a.b.c = v` re-initialises that path of key `b`).
        const access = this.add(state, parent, 'value', 'write', lengthReset ? '*' : key, plain ? '=' : parent.operatorToken.getText(), { reinit: plain });
        if (plain && this.assignsSavedLocal(parent, access.block)) access.restoresSaved = true;
      }
      return;
    }
    if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) {
      this.add(state, parent, 'value', 'write', key, parent.operator === ts.SyntaxKind.PlusPlusToken ? '++' : '--');
      return;
    }
    if (ts.isDeleteExpression(parent) && depth > 0) {
      this.add(state, parent, 'value', 'write', key, 'delete');
      return;
    }
    // A destructuring assignment target (`[a, b] = pair`): the binding gets a new value.
    if (depth === 0 && ts.isArrayLiteralExpression(parent) && ts.isBinaryExpression(parent.parent) && parent.parent.left === parent && parent.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      this.add(state, parent.parent, 'value', 'write', '*', '=', { reinit: true });
      return;
    }
    // Method calls on the state (or on one of its properties).
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === top && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      const call = parent.parent;
      const method = ts.isPropertyAccessExpression(parent) ? parent.name.text : undefined;
      if (state.kind === 'mock' && depth === 0 && method) {
        if (IMPLEMENTATION_SETTERS.has(method)) {
          this.add(state, call, 'mock-implementation', 'write', '*', method, { reinit: true });
          return;
        }
        if (method === 'mockClear') {
          this.add(state, call, 'mock-calls', 'write', '*', method, { reinit: true });
          return;
        }
        if (method === 'mockReset' || method === 'mockRestore') {
          this.add(state, call, 'mock-calls', 'write', '*', method, { reinit: true });
          this.add(state, call, 'mock-implementation', 'write', '*', method, { reinit: true });
          return;
        }
        if (/Once$/.test(method) || method === 'mockName' || method === 'getMockName' || method === 'getMockImplementation') return;
      }
      if (method && (ARRAY_MUTATORS.has(method) || MAP_SET_MUTATORS.has(method)) && this.isMutableLibValue(top)) {
        const reinit = method === 'clear' || (method === 'splice' && call.arguments.length === 1 && ts.isNumericLiteral(call.arguments[0]!) && call.arguments[0]!.text === '0');
        this.add(state, call, 'value', 'write', key, method, { reinit });
        return;
      }
      // Any other method: a read, and (a user type's method) possibly more.
      // `server.dispatchEvent()` reads what that method reads: not a property another test set (`server.send = fn`).
      this.add(state, call, 'value', 'read', depth === 0 && method ? `${method}()` : key, method ?? 'call', { opaque: !this.isLibValue(top) });
      if (state.kind === 'mock' && depth === 0 && (method === 'call' || method === 'apply')) this.mockCalled(state, call, method);
      return;
    }
    // Calls of the mock itself.
    if (state.kind === 'mock' && depth === 0 && ts.isCallExpression(parent) && parent.expression === top) {
      this.mockCalled(state, parent, 'call');
      return;
    }
    // `nock('http://x')`, `knex('table')`: a call of the state reads what the function reads, not a property another test set on it.
    if (depth === 0 && ts.isCallExpression(parent) && parent.expression === top) {
      this.add(state, parent, 'value', 'read', '()', 'call');
      return;
    }
    // `{ ...config, version: 'x' }`: a copy of every key but those the literal sets after the spread.
    if (ts.isSpreadAssignment(parent) && ts.isObjectLiteralExpression(parent.parent)) {
      const properties = parent.parent.properties;
      const except = properties.slice(properties.indexOf(parent) + 1).flatMap((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? [p.name.text] : []));
      this.add(state, top, 'value', 'read', key, 'spread', except.length > 0 ? { except } : {});
      return;
    }
    // The state as a call argument.
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(top)) {
      const chain = calleeChain(parent.expression);
      const calleeText = chain ? [chain.root.text, ...chain.path].join('.') : '';
      if ((calleeText === 'Object.assign' || calleeText === 'Object.defineProperty' || calleeText === 'Object.defineProperties') && parent.arguments![0] === top) {
        this.add(state, parent, 'value', 'write', key, calleeText);
        return;
      }
      if (state.kind === 'mock' && depth === 0 && ts.isCallExpression(parent) && chain && (chain.root.text === 'expect' && chain.path.length === 0)) {
        this.mockAssertion(state, parent);
        return;
      }
      const looking = !!chain && (LOOKING_CALLEES.test(chain.root.text) || LOOKING_CALLEES.test(calleeText) || /^assert/.test(chain.root.text) || chain.path[0] === 'assert');
      this.add(state, top, 'value', 'read', key, 'argument', { opaque: !looking });
      return;
    }
    this.add(state, top, 'value', 'read', key, 'read');
  }

  /** The mock is called here: its history grows (a write) and its implementation runs (a read). */
  private mockCalled(state: SharedState, node: TS.Node, how: string): void {
    this.add(state, node, 'mock-calls', 'write', '*', how);
    this.add(state, node, 'mock-implementation', 'read', '*', how);
  }

  /** `expect(mock).not.toHaveBeenCalledTimes(1)`: what the assertion observes of the mock. */
  private mockAssertion(state: SharedState, expectCall: TS.CallExpression): void {
    let negated = false;
    let current: TS.Node = expectCall;
    let matcher: string | undefined;
    while (ts.isPropertyAccessExpression(current.parent) && current.parent.expression === current) {
      const name = current.parent.name.text;
      current = current.parent;
      if (name === 'not') {
        negated = !negated;
        continue;
      }
      matcher = name;
      break;
    }
    if (!matcher || !ts.isCallExpression(current.parent) || current.parent.expression !== current) {
      this.add(state, expectCall, 'value', 'read', '*', 'expect');
      return;
    }
    const assertion = current.parent;
    if (!CALLED_MATCHERS.has(matcher)) {
      this.add(state, assertion, 'value', 'read', '*', matcher);
      return;
    }
    if (negated || COUNT_MATCHERS.has(matcher)) this.add(state, assertion, 'mock-calls', 'read', '*', `${negated ? 'not.' : ''}${matcher}`);
    // A positive call assertion is evidence the mock was called in this test (unless its count is zero).
    const zero = matcher.endsWith('Times') && assertion.arguments[0] && ts.isNumericLiteral(assertion.arguments[0]) && assertion.arguments[0].text === '0';
    // The implementation read sits on `expect(mock)`, so that a leaked call history and a leaked implementation are two findings.
    if (!negated && !zero) {
      this.add(state, assertion, 'mock-calls', 'write', '*', matcher);
      this.add(state, expectCall, 'mock-implementation', 'read', '*', matcher);
    }
  }

  /** Whether the expression's type is lib's Array/Map/Set/WeakMap/WeakSet (a tuple or a union of them counts). */
  private isMutableLibValue(expression: TS.Expression): boolean {
    const type = this.checker.getTypeAtLocation(expression);
    if (isAnyOrUnknown(type)) return false;
    const parts = type.isUnion() ? type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))) : [type];
    if (parts.length === 0 || parts.length > 8) return false;
    return parts.every((part) => {
      if (this.checker.isArrayType(part) || this.checker.isTupleType(part)) return true;
      const symbol = part.getSymbol();
      return !!symbol && MUTABLE_LIB_TYPES.has(symbol.name) && (symbol.declarations ?? []).some((d) => declaringModule(d) === 'lib');
    });
  }

  /** Whether methods of the value are lib's (strings, arrays, promises ...): their calls are plain reads. */
  private isLibValue(expression: TS.Expression): boolean {
    const type = this.checker.getTypeAtLocation(expression);
    if (isAnyOrUnknown(type)) return false;
    if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike)) return true;
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) return true;
    const symbol = type.getSymbol();
    return !!symbol && (symbol.declarations ?? []).some((d) => declaringModule(d) === 'lib');
  }
}


/** Whether the node sits in the arguments of an assertion call (expect, assert.*, t.assert.*, chai should/assert). */
function insideAssertion(node: TS.Node): boolean {
  for (let current: TS.Node = node; current.parent && !ts.isStatement(current) && !ts.isFunctionLike(current); current = current.parent) {
    const parent = current.parent;
    if (!ts.isCallExpression(parent) || !parent.arguments.includes(current as TS.Expression)) continue;
    const chain = calleeChain(parent.expression);
    if (chain && (/^(?:expect|assert|should)$/.test(chain.root.text) || /^assert/.test(chain.root.text) || chain.path[0] === 'assert' || (chain.root.text === 't' && /^(?:equal|strictEqual|deepEqual|deepStrictEqual|ok|is|same|notEqual)$/.test(chain.path[0] ?? '')))) return true;
  }
  return false;
}

/** The identifier (or `this`) a property path starts from: `clients` of `clients.sqlite3.x`, `{ ...timers }` -> `timers`. */
function rootName(expression: TS.Expression): string | undefined {
  let node = skipOuterExpressions(expression);
  if (ts.isObjectLiteralExpression(node) && node.properties.length === 1 && ts.isSpreadAssignment(node.properties[0]!)) node = skipOuterExpressions(node.properties[0].expression);
  while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) node = skipOuterExpressions(node.expression);
  if (ts.isIdentifier(node)) return node.text;
  return node.kind === ts.SyntaxKind.ThisKeyword ? 'this' : undefined;
}

const memo = new WeakMap<TestModel, StateModel>();

/** The state model of the analysis the test model belongs to. */
export function stateModel(model: TestModel): StateModel {
  let state = memo.get(model);
  if (!state) memo.set(model, (state = new StateModel(model, model.checker)));
  return state;
}
