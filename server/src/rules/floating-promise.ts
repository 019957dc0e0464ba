import { ts, type TS } from '../engine/typescript.js';
import { assertionChainOf, isAssertionChain } from '../engine/assertions.js';
import {
  isDrivenByFakeTimers, isHandlerReply, isOnPerTestObjectUnderFakeTimers, isQueuedMicrotask, isRecorderOnPromiseAwaitedLater, isRecorderOnUnrejectablePromise, isSettledByLaterTimerAdvance, isStreamProducerReadLater, isThenImplementationPlumbing,
} from '../engine/benignFloating.js';
import {
  awaitAllEdits, awaitEdits, describeExpression, discardedValues, enclosingFunction, handsOn, ignoresReturnValue, isInsideAsyncFunction, keepsThenableResult,
  referencesOf, rejectionOutcome, syntaxIndex, type DiscardedValue,
} from '../engine/discardedValues.js';
import { doneParameter, mentionsParameter } from '../engine/doneParameter.js';
import { calledAsyncFunction, expectedSynchronousThrow } from '../engine/expectedThrow.js';
import {
  callsBeyondSignature, floatsAtNodeTestModuleLevel, isFactoryThenable, isTimerChain, mapsToUnfittingCalls, returnsItsArgument,
} from '../engine/floatingExemptions.js';
import { packageOfDeclaration } from '../engine/packageOf.js';
import { returnsSettledPromise } from '../engine/settledPromise.js';
import { statedDeliberate } from '../engine/statedIntent.js';
import { consumedLaterFromSameHandle } from '../engine/streamWaits.js';
import { runsInTestCode, sleepFinder, unawaitedSleep } from '../engine/sleeps.js';
import { calleeChain, type TestBlock, type TestModel } from '../engine/testModel.js';
import {
  isAnyOrUnknown, isArrayOfThenables, isAsyncFunction, isPromiseType, isThenable, isThenableType, resolveAlias, returnsVoid, skipOuterExpressions,
  skipParentheses,
} from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

/** `p.catch(h)` or `p.then(ok, fail)`: a rejection handler is attached by this call. */
function attachesRejectionHandler(call: TS.CallExpression & { expression: TS.PropertyAccessExpression }): boolean {
  const method = call.expression.name.text;
  return (method === 'catch' && call.arguments.length >= 1) || (method === 'then' && call.arguments.length >= 2);
}

/**
 * A chain with a rejection handler anywhere along it (`p.catch(() => {})`, `p.catch(log).finally(done)`,
 * `p.then(ok, fail).then(next)`): what the handler catches cannot surface as a lost rejection.
 */
function handlesRejection(expression: TS.Expression): boolean {
  let current = skipOuterExpressions(expression);
  for (let depth = 0; depth < 64 && ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression); depth++) {
    if (attachesRejectionHandler(current as TS.CallExpression & { expression: TS.PropertyAccessExpression })) return true;
    current = skipOuterExpressions(current.expression.expression);
  }
  return false;
}

/**
 * `deferred.resolve(value)` / `deferred.reject(error)`: settling a test's own deferred. Helpers often
 * return a "settled and flushed" promise from these, but the call's job is done synchronously and the
 * test synchronises on what the deferred feeds (`await waitFor(...)`, `await tick()`). `Promise.reject(x)`
 * is no settling call and stays a finding.
 */
function settlesDeferred(expression: TS.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const { name, expression: target } = expression.expression;
  if (name.text !== 'resolve' && name.text !== 'reject') return false;
  return !(ts.isIdentifier(target) && target.text === 'Promise');
}

/** node:test `t.test(...)`: a subtest registered on the test context `t`. */
function isNodeSubtest(block: TestBlock, model: TestModel): boolean {
  if (block.framework !== 'node-test' || block.kind !== 'test') return false;
  const chain = calleeChain(block.call.expression);
  return !!chain && model.resolveRunner(chain.root)?.name === 'context';
}

/** React's hook names: `useEffect`, `React.useCallback`, a custom `useLoader`. */
const HOOK_NAME = /^use[A-Z0-9]/;

function isJsx(node: TS.Expression): boolean {
  const inner = skipParentheses(node);
  if (ts.isJsxElement(inner) || ts.isJsxSelfClosingElement(inner) || ts.isJsxFragment(inner)) return true;
  return ts.isConditionalExpression(inner) && (isJsx(inner.whenTrue) || isJsx(inner.whenFalse));
}

/** A function that renders JSX (a component): a JSX concise body or a `return <jsx/>` of its own. */
function returnsJsx(fn: TS.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!ts.isBlock(body)) return isJsx(body);
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || (ts.isFunctionLike(node) && node !== fn) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression && isJsx(node.expression)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/**
 * Whether the node runs inside UI code defined in the test rather than in the test's own control
 * flow: a JSX event handler (`onClick={() => save()}`), a hook callback (`useEffect(() => { load(); })`)
 * or a component body. The UI framework calls these and never awaits them; tests synchronise with
 * the effects through the DOM (`waitFor`, `findBy...`), so a promise floated there is the
 * application's business, not a flaky-test risk.
 */
function isInUiCode(node: TS.Node, model: TestModel, rendersJsx: Map<TS.Node, boolean>): boolean {
  for (let current = node.parent; current && !ts.isSourceFile(current); current = current.parent) {
    if (!ts.isArrowFunction(current) && !ts.isFunctionExpression(current) && !ts.isFunctionDeclaration(current)) continue;
    if (model.blockOfCallback(current)) return false;
    const parent = current.parent;
    if (ts.isJsxExpression(parent) && ts.isJsxAttribute(parent.parent)) return true;
    if (ts.isCallExpression(parent) && parent.arguments.includes(current as TS.Expression)) {
      const callee = parent.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name && HOOK_NAME.test(name)) return true;
    }
    // Memoised per function: every floating value in a large helper would otherwise walk it again.
    let renders = rendersJsx.get(current);
    if (renders === undefined) rendersJsx.set(current, (renders = returnsJsx(current)));
    if (renders) return true;
  }
  return false;
}

/**
 * `act(() => anyValue)`: React's `act` returns void for a void callback and a promise otherwise; an
 * `any` callback result picks the promise overload, so whether a promise comes back is unknown: no
 * finding. A callee whose every signature returns a promise (`waitFor`) stays a finding.
 */
function isThenableOnlyThroughAny(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression)) return false;
  const awaited = checker.getAwaitedType(checker.getTypeAtLocation(expression));
  if (!awaited || !isAnyOrUnknown(awaited)) return false;
  const signatures = checker.getTypeAtLocation(expression.expression).getCallSignatures();
  if (signatures.every((s) => isThenableType(checker, s.getReturnType(), expression))) return false;
  return expression.arguments.some((arg) => {
    if ((!ts.isArrowFunction(arg) && !ts.isFunctionExpression(arg)) || isAsyncFunction(arg)) return false;
    const signature = checker.getSignatureFromDeclaration(arg);
    return !!signature && isAnyOrUnknown(checker.getReturnTypeOfSignature(signature));
  });
}

/** The method a call expression calls (`end` in `request(app).get('/').end(cb)`). */
function methodName(expression: TS.Expression): string | undefined {
  return ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression) ? expression.expression.name.text : undefined;
}

type Completion = { kind: 'callback' } | { kind: 'drops-rejection-before-done'; done: string };

/**
 * Callback-style completion on a thenable builder: supertest's `request(app).get('/').end(cb)` and
 * `.expect(200, done)`, anything handing the test's `done` on. The builder's promise is beside the point
 * (awaiting `.end(cb)` would even send the request twice). `p.then(() => done())` is the exception: its
 * rejection is dropped, so done is never called and the test times out instead of failing.
 */
function callbackCompletion(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): Completion | undefined {
  const method = methodName(expression);
  const call = expression as TS.CallExpression;
  if (method === 'end' && call.arguments.length > 0) return { kind: 'callback' };
  const block = model.enclosingBlock(expression);
  const done = block && doneParameter(block);
  if (!done || !mentionsParameter(expression, done, checker)) return undefined;
  // node:test fails the test a rejection comes from (it tracks the async context): the test fails, it does not time out.
  const dropsRejection = method === 'then' && call.arguments.length === 1 && block.framework !== 'node-test';
  return dropsRejection ? { kind: 'drops-rejection-before-done', done: done.name.text } : { kind: 'callback' };
}

function addAwait(value: DiscardedValue, sourceFile: TS.SourceFile, asArray: boolean): Fix[] {
  if (value.kind !== 'statement' || !isInsideAsyncFunction(value.expression)) return [];
  const edits = asArray ? awaitAllEdits(value.expression, sourceFile) : awaitEdits(value.expression, sourceFile);
  // Awaiting a `waitFor...` promise before the action that triggers it would wait until the timeout.
  const callee = ts.isCallExpression(value.expression) ? calleeChain(value.expression.expression) : undefined;
  const waitsForEvent = !!callee && /^waitFor/.test(callee.path[callee.path.length - 1] ?? callee.root.text);
  return [{ title: asArray ? 'Add await Promise.all(...)' : 'Add await', edits, safe: !waitsForEvent }];
}

const ERROR_FIRST = /^err(or)?$/i;

/** A function type whose first parameter is an error (`(err, result) => void`): a Node-style callback. */
function isErrorFirstCallbackType(type: TS.Type, at: TS.Node, checker: TS.TypeChecker): boolean {
  return type.getNonNullableType().getCallSignatures().some((signature) => {
    const first = signature.getParameters()[0];
    if (!first) return false;
    if (ERROR_FIRST.test(first.getName())) return true;
    const firstType = checker.getTypeOfSymbolAtLocation(first, at).getNonNullableType();
    return firstType.getSymbol()?.getName() === 'Error';
  });
}

/**
 * A callback-style call on an API that also has a promise form: `server.close(cb)`, `fs.readFile(p, cb)`,
 * `model.save((err) => ...)`. With a trailing callback the library returns nothing at run time, whatever
 * signature the checker picked (a `void & Promise<T>` return, or a promise overload because the callback's
 * type fitted it too). Evidence: the picked return type includes `void`, or the trailing argument is a
 * Node-style callback that a void-returning overload of the callee accepts at that position.
 */
function isCallbackStyleCall(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression) || expression.arguments.length === 0) return false;
  const last = expression.arguments[expression.arguments.length - 1]!;
  if (ts.isSpreadElement(last) || ts.isLiteralExpression(last) || ts.isObjectLiteralExpression(last)) return false;
  const lastType = checker.getTypeAtLocation(last);
  if (lastType.getCallSignatures().length === 0) return false;
  const resolved = checker.getResolvedSignature(expression);
  const returned = resolved?.getReturnType();
  if (returned?.isIntersection() && returned.types.some((t) => (t.flags & ts.TypeFlags.Void) !== 0)) return true;
  // An inline Node-style callback (`(err, data) => ...`) passed beyond the promise signature's parameters
  // (plain JavaScript calling an API whose typings only declare the promise form).
  const declaration = resolved?.declaration;
  const takesRest = !!declaration && !ts.isJSDocSignature(declaration) && declaration.parameters.some((p) => !!p.dotDotDotToken);
  if (resolved && !takesRest && expression.arguments.length > resolved.getParameters().length
    && (ts.isArrowFunction(last) || ts.isFunctionExpression(last))) {
    const first = last.parameters[0]?.name;
    if (first && ts.isIdentifier(first) && ERROR_FIRST.test(first.text)) return true;
  }
  const index = expression.arguments.length - 1;
  // A dual API that returns its promise and takes an error-first callback as well (ioredis: `get(key, callback?:
  // Callback<T>): Promise<T>`): given the callback, it hands the error to it, and the callback is how the test waits.
  const picked = resolved?.getParameters()[index];
  if (picked && (ts.isArrowFunction(last) || ts.isFunctionExpression(last) || ts.isIdentifier(last))
    && isErrorFirstCallbackType(checker.getTypeOfSymbolAtLocation(picked, expression), expression, checker)) return true;
  const overloads = checker.getTypeAtLocation(expression.expression).getCallSignatures();
  return overloads.some((signature) => {
    if (!returnsVoid(signature)) return false;
    const parameter = signature.getParameters()[index];
    if (!parameter) return false;
    const parameterType = checker.getTypeOfSymbolAtLocation(parameter, expression);
    return isErrorFirstCallbackType(parameterType, expression, checker) || isErrorFirstCallbackType(lastType, expression, checker);
  });
}

/**
 * APIs whose documented use is not to await them, keyed by the package that declares them (a user method
 * of the same name stays a finding):
 * - fastify `register(plugin)`: plugins load in order when the instance is awaited, `ready()` or `listen()`
 *   (https://fastify.dev/docs/latest/Reference/Plugins/); awaiting each `register` is optional.
 */
const NOT_AWAITED_BY_DESIGN: ReadonlyArray<{ packageName: string; member: string }> = [
  { packageName: 'fastify', member: 'register' },
];

function isNotAwaitedByDesign(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const member = expression.expression.name.text;
  const candidates = NOT_AWAITED_BY_DESIGN.filter((entry) => entry.member === member);
  if (candidates.length === 0) return false;
  const declaration = checker.getResolvedSignature(expression)?.declaration
    ?? checker.getSymbolAtLocation(expression.expression.name)?.declarations?.[0];
  if (!declaration) return false;
  const owner = packageOfDeclaration(declaration);
  return candidates.some((entry) => entry.packageName === owner);
}

/**
 * `knownSafeCalls` entries (`"evaluate"`, `"@playwright/test#evaluate"`): calls the user leaves unawaited on
 * purpose, like typescript-eslint's allowForKnownSafeCalls. The outermost call of the statement is matched.
 */
function isKnownSafeCall(expression: TS.Expression, checker: TS.TypeChecker, entries: readonly string[] | undefined): boolean {
  if (!entries?.length || !ts.isCallExpression(expression)) return false;
  const callee = skipOuterExpressions(expression.expression);
  const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!nameNode) return false;
  const name = nameNode.text;
  let owner: string | null | undefined = null;
  for (const entry of entries) {
    const hash = entry.lastIndexOf('#');
    if ((hash === -1 ? entry : entry.slice(hash + 1)) !== name) continue;
    if (hash === -1) return true;
    if (owner === null) {
      const symbol = resolveAlias(checker, checker.getSymbolAtLocation(nameNode));
      const declaration = checker.getResolvedSignature(expression)?.declaration ?? symbol?.declarations?.[0];
      owner = declaration ? packageOfDeclaration(declaration) : undefined;
    }
    if (owner === entry.slice(0, hash)) return true;
  }
  return false;
}

/**
 * A thenable that is no promise, returned by a chaining method (`reply.code(200).send(body)`,
 * `reply.header(k, v)`: fastify's reply returns itself and has a `then`). Like typescript-eslint's default
 * (`checkThenables: false`), such a value is no floating promise: nothing runs because it is awaited.
 * Thenables that do their work when awaited (a supertest request, a query builder) come from calls that
 * return something other than their receiver and stay findings.
 */
function returnsItsReceiver(call: TS.CallExpression & { expression: TS.PropertyAccessExpression }, checker: TS.TypeChecker): boolean {
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (declaration && !ts.isJSDocSignature(declaration) && declaration.type && ts.isThisTypeNode(declaration.type)) return true;
  const receiver = checker.getTypeAtLocation(call.expression.expression);
  const result = checker.getTypeAtLocation(call);
  if (receiver === result) return true;
  // Another instantiation of the same generic interface (`reply.send()` returns `FastifyReply<...>` with other type arguments).
  const symbol = result.getSymbol();
  return !!symbol && !result.isUnionOrIntersection() && symbol === receiver.getSymbol() && !!(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class));
}

function isChainingThenable(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  if (isPromiseType(checker.getTypeAtLocation(expression))) return false;
  let current: TS.Expression = expression;
  for (let depth = 0; depth < 32; depth++) {
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) break;
    if (!returnsItsReceiver(current as TS.CallExpression & { expression: TS.PropertyAccessExpression }, checker)) {
      // The chain passes through a call that made the thenable (`request(app).post('/')`): built here and
      // never awaited, a lazy request or query that never runs. Unless it is the expression itself, which is no chaining call.
      return false;
    }
    current = skipOuterExpressions(current.expression.expression);
  }
  // The chain starts from an existing object (`reply`, `this.reply`): the calls act on it at once.
  return !ts.isCallExpression(current) && !ts.isNewExpression(current);
}

/**
 * Inside a `new Promise((resolve, reject) => ...)` executor, a chain that settles the executor's promise
 * (`sleep(n).then(() => resolve(x))`) is the executor's own plumbing: whoever awaits the new promise waits for it.
 */
function isExecutorPlumbing(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  for (let current: TS.Node = expression.parent; !ts.isSourceFile(current); current = current.parent) {
    if (!ts.isArrowFunction(current) && !ts.isFunctionExpression(current)) continue;
    const parent = current.parent;
    if (!ts.isNewExpression(parent) || parent.arguments?.[0] !== current) continue;
    if (!ts.isIdentifier(parent.expression) || parent.expression.text !== 'Promise') continue;
    const settlers = new Set<TS.Symbol>();
    for (const parameter of current.parameters.slice(0, 2)) {
      const symbol = ts.isIdentifier(parameter.name) ? checker.getSymbolAtLocation(parameter.name) : undefined;
      if (symbol) settlers.add(symbol);
    }
    let mentions = false;
    const visit = (node: TS.Node): void => {
      if (mentions) return;
      if (ts.isIdentifier(node)) {
        const symbol = checker.getSymbolAtLocation(node);
        if (symbol && settlers.has(symbol)) mentions = true;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(expression);
    if (mentions) return true;
  }
  return false;
}

/** Methods that release a resource: left floating at the end of a test or in teardown, an open-handle risk. */
const RELEASES = new Set(['close', 'destroy', 'stop', 'disconnect', 'quit', 'shutdown', 'terminate', 'dispose', 'kill']);

/**
 * `server.close()` floating as the last statement of a test, or anywhere in an after-hook: real, but minor
 * (the runner or the next test usually outlasts it); its own message and an info severity.
 */
function releaseAtTeardown(value: DiscardedValue, model: TestModel): 'test' | 'hook' | 'elsewhere' | undefined {
  if (value.kind !== 'statement' || !value.statement) return undefined;
  const method = methodName(value.expression);
  if (!method || !RELEASES.has(method)) return undefined;
  const block = model.enclosingBlock(value.expression);
  if (!block) return undefined;
  if (block.kind === 'hook' && (block.hook === 'afterEach' || block.hook === 'afterAll')) return 'hook';
  const body = block.callback?.body;
  if (block.kind === 'test' && body && ts.isBlock(body) && body.statements[body.statements.length - 1] === value.statement) return 'test';
  // Anywhere else in test code (a request callback closing its client): the same minor risk.
  return block.kind === 'suite' ? undefined : 'elsewhere';
}

/** Calls whose names say they wait on a handle's work (`page.waitForResponse`, `reader.read()`, `once(...)`). */
const WAITS_ON_HANDLE = /^(waitFor(?!Timeout)|read|next|once|drain|closed|finished)/;

/**
 * The handles an awaited receiver stands for: its root variable and, one step back, the root of the `const`
 * it was made from (`const reader = api.responseReadable.getReader()` stands for `reader` and `api`).
 */
function handleSymbols(receiver: TS.Expression, checker: TS.TypeChecker): Set<TS.Symbol> {
  const symbols = new Set<TS.Symbol>();
  const root = receiverRoot(receiver);
  const symbol = root && checker.getSymbolAtLocation(root);
  if (!symbol) return symbols;
  symbols.add(symbol);
  const declaration = symbol.valueDeclaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer
    && ts.isVariableDeclarationList(declaration.parent) && declaration.parent.flags & ts.NodeFlags.Const) {
    const origin = receiverRoot(declaration.initializer);
    const originSymbol = origin && checker.getSymbolAtLocation(origin);
    if (originSymbol) symbols.add(originSymbol);
  }
  return symbols;
}

/**
 * A receiver and the handles it wraps: `app` for `let app = new PlaywrightFixture(fixture, page)` stands for `app`
 * and `page` (a page object built from the page), when the variable is never reassigned.
 */
function wrappedHandles(symbol: TS.Symbol, checker: TS.TypeChecker): Set<TS.Symbol> {
  const handles = new Set<TS.Symbol>([symbol]);
  const declaration = symbol.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return handles;
  const initializer = skipOuterExpressions(declaration.initializer);
  if (!ts.isNewExpression(initializer)) return handles;
  const reassigned = referencesOf(declaration as TS.VariableDeclaration & { name: TS.Identifier }, checker).some((reference) => {
    const parent = reference.parent;
    return ts.isBinaryExpression(parent) && parent.left === reference
      && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
  });
  if (reassigned) return handles;
  for (const argument of initializer.arguments ?? []) {
    const inner = skipOuterExpressions(argument);
    const wrapped = ts.isIdentifier(inner) ? checker.getSymbolAtLocation(inner) : undefined;
    if (wrapped) handles.add(wrapped);
  }
  return handles;
}

function receiverRoot(expression: TS.Expression): TS.Identifier | undefined {
  let current = skipOuterExpressions(expression);
  for (let depth = 0; depth < 32; depth++) {
    if (ts.isCallExpression(current)) current = skipOuterExpressions(current.expression);
    else if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) current = skipOuterExpressions(current.expression);
    else if (ts.isAwaitExpression(current)) current = skipOuterExpressions(current.expression); // `(await page.$(sel))?.click()`
    else break;
  }
  return ts.isIdentifier(current) ? current : undefined;
}

/**
 * Deliberate fire-and-forget on a handle the same function later waits on: `page.evaluate(() => fetch(u))`
 * then `await page.waitForResponse(u)`, `writer.write(chunk)` then `await writer.closed`. The later wait
 * is the synchronisation the test relies on.
 */
function awaitedLaterOnSameHandle(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const root = receiverRoot(expression.expression.expression);
  const symbol = root && checker.getSymbolAtLocation(root);
  if (!symbol) return false;
  const handles = wrappedHandles(symbol, checker);
  const fn = enclosingFunction(expression);
  for (const awaited of syntaxIndex(model).awaits) {
    if (awaited.getStart() < expression.getEnd() || enclosingFunction(awaited) !== fn) continue;
    const inner = skipOuterExpressions(awaited.expression);
    const target = ts.isCallExpression(inner) ? inner.expression : inner;
    if (!ts.isPropertyAccessExpression(target) || !WAITS_ON_HANDLE.test(target.name.text)) continue;
    const awaitedHandles = handleSymbols(target.expression, checker);
    if ([...handles].some((handle) => awaitedHandles.has(handle))) return true;
  }
  return false;
}

/** What a promise floating at this node risks, by the runner of the test it floats in (see rejectionOutcome). */
function riskAt(node: TS.Node, model: TestModel, plural = false): string {
  const outcome = rejectionOutcome(model.frameworkAt(node), plural ? 'rejections' : 'a rejection', plural);
  return `the test can move on, or end, before ${plural ? 'they settle' : 'it settles'}, and ${outcome}`;
}

function check(context: RuleContext): void {
  // Child-process scripts, servers and fixtures under test/ register no test, suite or hook: not test code.
  if (context.model.blocks.length === 0) return;
  const registrations = new Map<TS.Node, TestBlock>();
  for (const block of context.model.blocks) registrations.set(block.call, block);
  const rendersJsx = new Map<TS.Node, boolean>();
  for (const value of discardedValues(context.model)) {
    try {
      checkValue(value, context, registrations, rendersJsx);
    } catch (error) {
      // A type the checker cannot walk (its own recursion limit on a recursive generic) is an unknown: no
      // finding for this value, the rule goes on with the others.
      if (!(error instanceof RangeError)) throw error;
    }
  }
  for (const declaration of syntaxIndex(context.model).initializedVariables) {
    try {
      checkStoredPromise(declaration, context);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
}

/**
 * `expect(ref).toBeDefined()`: a synchronous matcher on the promise object itself (no `.resolves`/`.rejects`). An
 * assertion that is itself thenable (chai-as-promised's `expect(ref).to.eventually.be.rejectedWith(E)`) waits for the
 * promise's outcome instead, as async-assertion counts it.
 */
function isSyncExpectOf(reference: TS.Identifier, model: TestModel, checker: TS.TypeChecker): boolean {
  const call = reference.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== reference) return false;
  if (assertionChainOf(call, model, checker)?.style !== 'expect') return false;
  let top: TS.Node = call;
  for (let depth = 0; depth < 16; depth++) {
    const parent: TS.Node = top.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === top) {
      if (parent.name.text === 'resolves' || parent.name.text === 'rejects') return false;
    } else if (!(ts.isCallExpression(parent) && parent.expression === top)) {
      break;
    }
    top = parent;
  }
  return !isThenable(checker, top as TS.Expression);
}

/**
 * `const el = screen.findByText('x'); expect(el).toBeDefined();`: a promise stored in a local of a test and
 * never awaited, returned or handed on. Only real promises (not thenable builders) and only `const`s.
 */
function checkStoredPromise(
  declaration: TS.VariableDeclaration & { name: TS.Identifier; initializer: TS.Expression },
  { sourceFile, checker, model, report }: RuleContext,
): void {
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent)) return;
  const initializer = skipOuterExpressions(declaration.initializer);
  // Syntax first: only calls and `new` make promises worth tracking; the checker only for test code.
  if (!ts.isCallExpression(initializer) && !ts.isNewExpression(initializer)) return;
  if (!runsInTestCode(declaration, model)) return;
  const references = referencesOf(declaration, checker);
  const syncChecks = references.filter((reference) => isSyncExpectOf(reference, model, checker));
  if (references.some((reference) => !syncChecks.includes(reference) && handsOn(reference))) return;
  if (references.length > syncChecks.length && syncChecks.length === 0) {
    // Only looked at (`if (p)`, `p === q`, `p.length`): an unknown use; no finding.
    return;
  }
  if (isAssertionChain(initializer, model, checker) || model.blocks.some((block) => block.call === initializer)) return;
  // `Response | Promise<Response>` may well be the sync value (the test's own `expect(res).instanceOf(Response)` says so).
  const type = checker.getTypeAtLocation(initializer).getNonNullableType();
  const parts = type.isUnion() ? type.types : [type];
  if (!parts.every((part) => isPromiseType(part)) || !isThenable(checker, initializer) || isThenableOnlyThroughAny(initializer, checker)) return;
  if (isCallbackStyleCall(initializer, checker)) return;
  const label = describeExpression(initializer, sourceFile);
  const name = declaration.name.text;
  const fixes = isInsideAsyncFunction(declaration) ? [{ title: 'Add await', safe: true, edits: awaitEdits(initializer, sourceFile) }] : [];
  report({
    node: initializer,
    message: syncChecks.length > 0
      ? `Promise from \`${label}\` is stored in \`${name}\` and only checked with \`expect(${name})\`: the assertion sees the promise object, not its value, and nothing awaits it, so ${riskAt(initializer, model)}. Await it where it is stored.`
      : `Promise from \`${label}\` is stored in \`${name}\` but never awaited, returned or handed on: ${riskAt(initializer, model)}. Await it.`,
    fixes,
  });
}

/** Calls that take a fake implementation: what it floats is the fake's business, like the code it replaces. */
const MOCK_IMPLEMENTATION = new Set(['fn', 'mockImplementation', 'mockImplementationOnce', 'callsFake', 'mockReturnValue', 'mockResolvedValue']);

/** Inside a mock's implementation (`vi.fn((cb) => { Promise.resolve().then(() => cb()); })`, `stub.callsFake(...)`). */
function isInMockImplementation(node: TS.Node, model: TestModel): boolean {
  for (let current = node.parent; current && !ts.isSourceFile(current); current = current.parent) {
    if (!ts.isArrowFunction(current) && !ts.isFunctionExpression(current)) continue;
    if (model.blockOfCallback(current)) return false;
    const parent = current.parent;
    if (!ts.isCallExpression(parent) || !parent.arguments.includes(current)) continue;
    const callee = skipOuterExpressions(parent.expression);
    if (ts.isPropertyAccessExpression(callee) && MOCK_IMPLEMENTATION.has(callee.name.text)) return true;
  }
  return false;
}

function checkValue(value: DiscardedValue, { sourceFile, checker, model, report, settings }: RuleContext, registrations: Map<TS.Node, TestBlock>, rendersJsx: Map<TS.Node, boolean>): void {
  {
    const { expression } = value;
    if (value.kind === 'void') {
      // `await void x()` awaits undefined; a plain `void x()` is an explicit discard.
      if (!value.insideAwait || isAssertionChain(expression, model, checker) || !isThenable(checker, expression)) return;
      const voidStart = value.voidExpression!.getStart(sourceFile);
      report({
        node: value.voidExpression!,
        message: `\`await void ${describeExpression(expression, sourceFile)}\` awaits \`undefined\`, not the promise: ${riskAt(expression, model)}. Drop the \`void\`.`,
        fixes: [{ title: 'Drop void', safe: true, edits: [{ start: voidStart, end: expression.getStart(sourceFile), newText: '' }] }],
      });
      return;
    }
    // Cheap syntactic exclusions before the checker: literals, assignments, functions.
    if (ts.isLiteralExpression(expression) || ts.isFunctionLike(expression) || ts.isBinaryExpression(expression)) return;
    // A callback whose result its caller keeps (read from declared signatures) floats nothing: before typing its body.
    if (value.kind === 'callback' && keepsThenableResult(value.callback!, checker, model)) return;
    if (handlesRejection(expression)) return;
    if (isInUiCode(expression, model, rendersJsx) || settlesDeferred(expression) || isInMockImplementation(expression, model)) return;
    // Assertion chains (`expect(p).resolves...`) are async-assertion's findings; resolving their symbols is
    // much cheaper than typing the chain, and sync assertions are the most common statements in tests.
    if (isAssertionChain(expression, model, checker)) return;

    const thenable = isThenable(checker, expression);
    const array = !thenable && isArrayOfThenables(checker, expression);
    if (!thenable && !array) return;
    if (thenable && isThenableOnlyThroughAny(expression, checker)) return;
    if (value.kind === 'callback' && !ignoresReturnValue(value.callback!, checker, model)) return;

    const block = registrations.get(expression);
    if (block) {
      if (isNodeSubtest(block, model) && value.kind === 'statement') {
        report({
          node: expression,
          message: `Subtest \`${describeExpression(expression, sourceFile)}\` is not awaited: node:test cancels and fails it when the parent test ends first. Await it.`,
          fixes: addAwait(value, sourceFile, false),
        });
      }
      // Other registrations (node:test test()/describe() promises, Playwright steps excepted) are managed by the runner.
      if (block.kind !== 'step') return;
    }
    // `sleep(500);` in a test never rejects: fixed-sleep reports it when it was meant to wait (awaiting it
    // would only make it a fixed sleep); a 0 ms one or one under fake timers is dead code, no timing risk.
    if (thenable && unawaitedSleep(value, model)) return;
    // `try { agent.close({}); } catch (err) { assert.ok(...) }`, `assert.throws(() => x())`: the test expects a
    // synchronous throw, the promise of the success path is not what it is about.
    const throwExpected = expectedSynchronousThrow(expression);
    if (throwExpected) {
      if (throwExpected === 'try' && calledAsyncFunction(expression, checker)) {
        report({
          node: expression,
          message: `\`${describeExpression(expression, sourceFile)}\` calls an async function, which never throws synchronously: its error becomes a rejection that this \`catch\` never sees, so the assertions there never run, and ${rejectionOutcome(model.frameworkAt(expression), 'the rejection')}. Await it inside the \`try\`.`,
          fixes: addAwait(value, sourceFile, false),
        });
      }
      return;
    }
    if (thenable && (
      isCallbackStyleCall(expression, checker) || isNotAwaitedByDesign(expression, checker) || isChainingThenable(expression, checker)
      || isExecutorPlumbing(expression, checker) || awaitedLaterOnSameHandle(expression, model, checker)
      || isKnownSafeCall(expression, checker, settings?.knownSafeCalls)
      || isRecorderOnUnrejectablePromise(expression, checker) || isRecorderOnPromiseAwaitedLater(expression, model, checker)
      || isQueuedMicrotask(expression, model, checker)
      || isStreamProducerReadLater(expression, checker)
      || isSettledByLaterTimerAdvance(expression, model) || isThenImplementationPlumbing(expression, checker)
      || isDrivenByFakeTimers(expression, model, sleepFinder(model)) || isHandlerReply(expression, checker)
      || isOnPerTestObjectUnderFakeTimers(expression, model, checker)
      || statedDeliberate(value.statement, sourceFile) || consumedLaterFromSameHandle(value, model, checker)
      || returnsSettledPromise(expression, checker) || returnsItsArgument(expression, checker) || isTimerChain(expression, model)
      || floatsAtNodeTestModuleLevel(value, model) || callsBeyondSignature(expression, checker) || isFactoryThenable(expression, checker)
    )) return;
    if (array && mapsToUnfittingCalls(expression, checker)) return;

    const label = describeExpression(expression, sourceFile);
    if (value.asCondition) {
      if (!thenable) return;
      report({
        node: expression,
        message: `Promise from \`${label}\` is used as a condition: a promise is always truthy, so the condition never waits for its result, and ${riskAt(expression, model)}. Await it inside the condition: \`(await ${label})\`.`,
      });
      return;
    }
    if (thenable && value.kind === 'statement' && !value.insideAwait) {
      const completion = callbackCompletion(expression, model, checker);
      if (completion?.kind === 'callback') return;
      if (completion?.kind === 'drops-rejection-before-done') {
        const done = completion.done;
        report({
          node: expression,
          message: `Promise from \`${label}\` drops its rejection: \`${done}\` is then never called, and the test times out instead of failing. Pass the error on: \`.then(() => ${done}(), ${done})\`.`,
        });
        return;
      }
      const teardown = releaseAtTeardown(value, model);
      if (teardown) {
        const where = teardown === 'hook' ? ' in an after-hook' : teardown === 'test' ? ' at the end of the test' : '';
        report({
          node: expression,
          severity: 'info',
          message: `\`${label}\` is not awaited${where}: the test can end while the resource is still open (an open handle, or a port still in use by the next test), and ${rejectionOutcome(model.frameworkAt(expression), 'a failure to release it')}. Await it${teardown === 'elsewhere' ? ', or pass it a callback' : ''}.`,
          fixes: addAwait(value, sourceFile, false),
        });
        return;
      }
    }
    if (value.kind === 'callback') {
      report({
        node: expression,
        message: array
          ? `Promises from \`${label}\` are returned to a callback whose result is ignored: ${riskAt(expression, model, true)}. Await them outside the callback (\`for...of\` instead of \`forEach\`), or collect them and \`await Promise.all(...)\`.`
          : `Promise from \`${label}\` is returned to a callback whose result is ignored: ${riskAt(expression, model)}. Await it outside the callback (\`for...of\` instead of \`forEach\`), or collect the promises and \`await Promise.all(...)\`.`,
      });
    } else if (array) {
      report({
        node: expression,
        message: `Promises from \`${label}\` are not awaited: ${riskAt(expression, model, true)}. Await them with \`await Promise.all(...)\`.`,
        fixes: addAwait(value, sourceFile, true),
      });
    } else if (value.insideAwait) {
      report({
        node: expression,
        message: `Promise from \`${label}\` is dropped inside an awaited expression (only the last comma operand is awaited): ${riskAt(expression, model)}. Await it on its own.`,
        fixes: addAwait(value, sourceFile, false),
      });
    } else {
      report({
        node: expression,
        message: `Promise from \`${label}\` is not awaited: ${riskAt(expression, model)}. Await it (or return it).`,
        fixes: addAwait(value, sourceFile, false),
      });
    }
  }
}

export const floatingPromise: Rule = {
  meta: {
    id: 'floating-promise',
    category: 'async-coordination',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports promises in test code that are neither awaited, returned, voided nor given a rejection handler.',
      why: 'Nothing waits for a floating promise: the test (or the next step) runs on before it settles, so its effects land in a later test, and a rejection is lost or crashes an unrelated test as an unhandled rejection, depending on timing.',
      badExample: "test('submits', async ({ page }) => {\n  page.click('#submit');\n  await expect(page).toHaveURL('/done');\n});",
      goodExample: "test('submits', async ({ page }) => {\n  await page.click('#submit');\n  await expect(page).toHaveURL('/done');\n});",
    },
  },
  check,
};
