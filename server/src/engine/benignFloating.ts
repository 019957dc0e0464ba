import { ts, type TS } from './typescript.js';
import { enclosingFunction, syntaxIndex } from './discardedValues.js';
import type { SleepFinder } from './sleeps.js';
import type { TestBlock, TestModel } from './testModel.js';
import { isAssertionChain } from './assertions.js';
import { forEachOwnNode, isAsyncFunction, resolveAlias, skipOuterExpressions } from './typeUtils.js';

// Unawaited promises that cannot hurt the test: nothing can reject, or the test synchronises on their
// work through another handle. floating-promise asks these before it reports.

/** Timer scheduling of the runtime: calling them cannot throw (their callbacks run later, on their own). */
const TIMER_FUNCTIONS = new Set(['setTimeout', 'setImmediate', 'queueMicrotask']);

function isLibraryGlobal(identifier: TS.Identifier, checker: TS.TypeChecker): boolean {
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(identifier));
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile);
}

/**
 * `new Promise((resolve) => setTimeout(() => resolve('done'), 10))`, `new Promise((r) => { release = r; })`:
 * an executor that never touches a reject function and calls nothing but its resolve and the runtime's timers
 * (no call that could throw, no `new`, no `throw`) makes a promise that cannot reject.
 */
function executorCannotReject(node: TS.NewExpression, checker: TS.TypeChecker): boolean {
  if (!ts.isIdentifier(node.expression) || node.expression.text !== 'Promise' || !isLibraryGlobal(node.expression, checker)) return false;
  const executor = node.arguments?.[0];
  if (!executor || (!ts.isArrowFunction(executor) && !ts.isFunctionExpression(executor)) || isAsyncFunction(executor)) return false;
  const [resolveParam, rejectParam] = executor.parameters;
  if (executor.parameters.length > 2 || (resolveParam && !ts.isIdentifier(resolveParam.name))) return false;
  const resolveSymbol = resolveParam && checker.getSymbolAtLocation(resolveParam.name);
  const rejectSymbol = rejectParam && ts.isIdentifier(rejectParam.name) ? checker.getSymbolAtLocation(rejectParam.name) : undefined;
  if (rejectParam && !rejectSymbol) return false;
  let safe = true;
  const visit = (child: TS.Node): void => {
    if (!safe) return;
    if (ts.isThrowStatement(child) || ts.isNewExpression(child) || ts.isAwaitExpression(child) || ts.isYieldExpression(child)) {
      safe = false;
      return;
    }
    if (ts.isIdentifier(child) && rejectSymbol && checker.getSymbolAtLocation(child) === rejectSymbol) {
      safe = false;
      return;
    }
    if (ts.isCallExpression(child)) {
      const callee = skipOuterExpressions(child.expression);
      const toResolve = ts.isIdentifier(callee) && !!resolveSymbol && checker.getSymbolAtLocation(callee) === resolveSymbol;
      const toTimer = ts.isIdentifier(callee) && TIMER_FUNCTIONS.has(callee.text) && isLibraryGlobal(callee, checker);
      if (!toResolve && !toTimer) {
        safe = false;
        return;
      }
    }
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(executor.body, visit);
  return safe;
}

/**
 * `promisify(setImmediate)()`, `util.promisify(setTimeout)(100)`: Node's timers promisified with util.promisify (their
 * custom promisified forms) only ever resolve.
 */
function isPromisifiedTimerCall(node: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(node) || node.arguments.length > 2) return false;
  const factory = skipOuterExpressions(node.expression);
  if (!ts.isCallExpression(factory) || factory.arguments.length !== 1) return false;
  // Resolved through the call, so `const utilPromisify = require('util').promisify` counts too.
  const promisify = checker.getResolvedSignature(factory)?.declaration;
  if (!promisify || ts.isJSDocSignature(promisify) || !promisify.getSourceFile().isDeclarationFile || promisify.name?.getText() !== 'promisify') return false;
  const timer = skipOuterExpressions(factory.arguments[0]!);
  const timerName = ts.isIdentifier(timer) ? timer : ts.isPropertyAccessExpression(timer) ? timer.name : undefined;
  if (!timerName || (timerName.text !== 'setTimeout' && timerName.text !== 'setImmediate')) return false;
  const timerDeclarations = resolveAlias(checker, checker.getSymbolAtLocation(timerName))?.declarations ?? [];
  return timerDeclarations.length > 0 && timerDeclarations.every((d) => d.getSourceFile().isDeclarationFile);
}

/**
 * Whether the promise an expression stands for cannot reject: an unrejectable `new Promise(...)` written inline
 * or held in a `const`, the `promise` of a `Promise.withResolvers()` whose `reject` is never taken out, or a
 * promisified Node timer.
 */
function cannotReject(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const node = skipOuterExpressions(expression);
  if (ts.isNewExpression(node)) return executorCannotReject(node, checker);
  if (isPromisifiedTimerCall(node, checker)) return true;
  if (!ts.isIdentifier(node)) return false;
  const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
  if (!declaration) return false;
  if (ts.isVariableDeclaration(declaration)) {
    const list = declaration.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || !declaration.initializer) return false;
    const initializer = skipOuterExpressions(declaration.initializer);
    return ts.isNewExpression(initializer) && executorCannotReject(initializer, checker);
  }
  if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
    const pattern = declaration.parent;
    const variable = pattern.parent;
    if (!ts.isVariableDeclaration(variable) || !variable.initializer) return false;
    const list = variable.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return false;
    const propertyOf = (element: TS.BindingElement): string | undefined => {
      const name = element.propertyName ?? element.name;
      return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
    };
    if (propertyOf(declaration) !== 'promise') return false;
    if (pattern.elements.some((element) => element.dotDotDotToken || propertyOf(element) !== 'promise' && propertyOf(element) !== 'resolve')) return false;
    const call = skipOuterExpressions(variable.initializer);
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'withResolvers') return false;
    const owner = call.expression.expression;
    return ts.isIdentifier(owner) && owner.text === 'Promise' && isLibraryGlobal(owner, checker);
  }
  return false;
}

/** An expression that cannot throw: literals, identifiers, templates of identifiers. */
function cannotThrow(expression: TS.Expression): boolean {
  const node = skipOuterExpressions(expression);
  if (ts.isIdentifier(node) || ts.isLiteralExpression(node) || node.kind === ts.SyntaxKind.TrueKeyword
    || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => ts.isIdentifier(skipOuterExpressions(span.expression)));
  return false;
}

/**
 * `(value) => { resolved = value; }`, `() => (done = true)`: a then-callback that only records into locals of
 * the test (plain assignments to identifiers of simple values). It cannot throw, so it adds no rejection.
 */
function onlyRecords(callback: TS.Expression): boolean {
  const fn = skipOuterExpressions(callback);
  if ((!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) || isAsyncFunction(fn)) return false;
  const parameters = new Set<string>();
  for (const parameter of fn.parameters) {
    if (!ts.isIdentifier(parameter.name)) return false;
    parameters.add(parameter.name.text);
  }
  const isRecord = (expression: TS.Expression): boolean => {
    const node = skipOuterExpressions(expression);
    return ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && ts.isIdentifier(node.left) && !parameters.has(node.left.text) && cannotThrow(node.right);
  };
  if (!ts.isBlock(fn.body)) return isRecord(fn.body);
  return fn.body.statements.length > 0
    && fn.body.statements.every((statement) => ts.isExpressionStatement(statement) && isRecord(statement.expression));
}

/**
 * `Promise.resolve().then(() => { log.push('P1'); })`: a microtask queued on a promise that is already resolved, the
 * idiom for "run this after the current job" (tests of timer and microtask ordering). It settles at the next microtask
 * checkpoint, before anything the test awaits later resumes, so only a throw of its callbacks could be lost, and
 * callbacks that assert nothing (and throw nothing) leave no failure to lose. Written directly in a test or hook, the
 * test must still yield afterwards (a later `await` or `return`), or it could end first.
 */
export function isQueuedMicrotask(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): boolean {
  const callbacks: TS.Expression[] = [];
  let node: TS.Expression = skipOuterExpressions(expression);
  while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'then' && node.arguments.length === 1) {
    callbacks.push(node.arguments[0]!);
    node = skipOuterExpressions(node.expression.expression);
  }
  if (callbacks.length === 0 || !isResolvedLibraryPromise(node, checker)) return false;
  if (!callbacks.every((callback) => assertsNothing(callback, model, checker))) return false;
  const fn = enclosingFunction(expression);
  const body = fn && (fn as { body?: TS.Node }).body;
  if (!fn || !model.blockOfCallback(fn) || !body) return true;
  let yieldsLater = false;
  forEachOwnNode(body, (n) => {
    if ((ts.isAwaitExpression(n) || (ts.isReturnStatement(n) && n.expression)) && n.getStart() > expression.getEnd()) yieldsLater = true;
  });
  return yieldsLater;
}

/** `Promise.resolve()` (or of a literal) of the standard library's Promise: already fulfilled, it cannot reject. */
function isResolvedLibraryPromise(node: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'resolve') return false;
  const argument = node.arguments[0];
  if (node.arguments.length > 1 || (argument && !(ts.isLiteralExpression(argument) || argument.kind === ts.SyntaxKind.TrueKeyword || argument.kind === ts.SyntaxKind.FalseKeyword || argument.kind === ts.SyntaxKind.NullKeyword))) return false;
  const receiver = skipOuterExpressions(node.expression.expression);
  const named = ts.isIdentifier(receiver) ? receiver : ts.isPropertyAccessExpression(receiver) && ts.isIdentifier(receiver.expression) && receiver.expression.text === 'globalThis' ? receiver.name : undefined;
  if (!named || named.text !== 'Promise') return false;
  const declarations = resolveAlias(checker, checker.getSymbolAtLocation(named))?.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile);
}

/**
 * A non-async function literal with no assertion and no `throw` anywhere in it (nested callbacks included), or a
 * spy without an implementation (`spy`, `spies[0]` for `const spies = [sinon.spy(), sinon.spy()]`).
 */
function assertsNothing(callback: TS.Expression, model: TestModel, checker: TS.TypeChecker): boolean {
  const fn = skipOuterExpressions(callback);
  if (isBareSpyReference(fn, checker)) return true;
  if ((!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) || isAsyncFunction(fn)) return false;
  let asserts = false;
  const visit = (n: TS.Node): void => {
    if (asserts) return;
    if (ts.isThrowStatement(n) || (ts.isCallExpression(n) && isAssertionChain(n, model, checker))) asserts = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return !asserts;
}

/** `sinon.spy()`, `sinon.stub()`, `vi.fn()`, `jest.fn()` with no implementation: calling it records the call, nothing else. */
function isBareSpyCall(node: TS.Expression): boolean {
  const call = skipOuterExpressions(node);
  if (!ts.isCallExpression(call) || call.arguments.length > 0 || !ts.isPropertyAccessExpression(call.expression)) return false;
  const receiver = call.expression.expression;
  const name = call.expression.name.text;
  return ts.isIdentifier(receiver) && ((receiver.text === 'sinon' && (name === 'spy' || name === 'stub')) || ((receiver.text === 'vi' || receiver.text === 'jest') && name === 'fn'));
}

/** `spy` or `spies[i]`, a `const` holding a bare spy (isBareSpyCall) or an array literal of them. */
function isBareSpyReference(node: TS.Expression, checker: TS.TypeChecker): boolean {
  const element = ts.isElementAccessExpression(node);
  const reference = element ? skipOuterExpressions(node.expression) : node;
  if (!ts.isIdentifier(reference)) return false;
  const declaration = checker.getSymbolAtLocation(reference)?.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return false;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return false;
  const initializer = skipOuterExpressions(declaration.initializer);
  if (!element) return isBareSpyCall(initializer);
  return ts.isArrayLiteralExpression(initializer) && initializer.elements.length > 0 && initializer.elements.every(isBareSpyCall);
}

/**
 * `deferred.then((value) => { resolved = value; })` on a promise that cannot reject (a timer-resolved or
 * test-resolved deferred): the chain cannot reject either, and the callback only records the value into a
 * local the test reads later. No rejection can be lost and nothing outside the test's locals changes.
 */
export function isRecorderOnUnrejectablePromise(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const source = recordedPromise(expression);
  return source !== undefined && cannotReject(source, checker);
}

/** `source.then(recorder)` with a callback that only records (onlyRecords): the promise it is chained on. */
function recordedPromise(expression: TS.Expression): TS.Expression | undefined {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  if (node.expression.name.text !== 'then' || node.arguments.length !== 1 || !onlyRecords(node.arguments[0]!)) return undefined;
  return node.expression.expression;
}

/**
 * The same promise written twice: the same variable or property path (`runner.promise`), or `Promise.all(p)` over the
 * same one (a new combined promise, but it rejects exactly when the awaited one does).
 */
function samePromiseReference(a: TS.Expression, b: TS.Expression, checker: TS.TypeChecker): boolean {
  const x = skipOuterExpressions(a);
  const y = skipOuterExpressions(b);
  if (ts.isIdentifier(x) && ts.isIdentifier(y)) {
    const symbol = checker.getSymbolAtLocation(x);
    return symbol !== undefined && symbol === checker.getSymbolAtLocation(y);
  }
  if (x.kind === ts.SyntaxKind.ThisKeyword && y.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(x) && ts.isPropertyAccessExpression(y)) return x.name.text === y.name.text && samePromiseReference(x.expression, y.expression, checker);
  if (ts.isCallExpression(x) && ts.isCallExpression(y) && x.arguments.length === 1 && y.arguments.length === 1) {
    const combinator = (call: TS.CallExpression) =>
      ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression) && call.expression.expression.text === 'Promise' ? call.expression.name.text : undefined;
    const name = combinator(x);
    return (name === 'all' || name === 'allSettled') && name === combinator(y) && samePromiseReference(x.arguments[0]!, y.arguments[0]!, checker);
  }
  return false;
}

/**
 * `runner.promise.then(() => { finished = true; })` and, later in the same function, `await runner.promise`: the
 * callback only records that the work finished (the test asserts the flag before and after), and the test waits for
 * the promise itself, where a rejection fails it. The chain adds no rejection of its own and the test does not end
 * before it settles. A callback that does more (an assertion) stays a finding: its failure would be lost.
 */
export function isRecorderOnPromiseAwaitedLater(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): boolean {
  const source = recordedPromise(expression);
  if (!source) return false;
  const node = skipOuterExpressions(expression);
  const fn = enclosingFunction(node);
  return syntaxIndex(model).awaits.some((awaited) => awaited.getStart() > node.getEnd() && enclosingFunction(awaited) === fn && samePromiseReference(awaited.expression, source, checker));
}

/** Web streams and Node streams, by the name of their type. */
const WRITE_SIDE = new Set(['WritableStreamDefaultWriter', 'WritableStream', 'TransformStream', 'ReadableStreamDefaultController', 'Writable', 'Duplex', 'Transform', 'PassThrough']);
const READ_SIDE = new Set(['ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStream', 'Readable', 'Duplex', 'Transform', 'PassThrough', 'Response']);

function typeNameOf(node: TS.Expression, checker: TS.TypeChecker): string | undefined {
  const type = checker.getTypeAtLocation(node).getNonNullableType();
  return (type.aliasSymbol ?? type.getSymbol())?.getName();
}

function involvesStream(call: TS.CallExpression, checker: TS.TypeChecker): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const receiver = typeNameOf(callee.expression, checker);
    if (receiver && WRITE_SIDE.has(receiver)) return true;
  }
  return call.arguments.some((argument) => {
    const name = typeNameOf(argument, checker);
    return !!name && (WRITE_SIDE.has(name) || READ_SIDE.has(name));
  });
}

const READ_METHODS = /^(read|text|json|arrayBuffer|blob|bytes|toArray)$/;

/** `await reader.read()`, `await response.text()`, `for await (const chunk of readable)`: a read the test waits on. */
function isAwaitedRead(node: TS.Node, checker: TS.TypeChecker): boolean {
  if (ts.isForOfStatement(node) && node.awaitModifier) {
    const name = typeNameOf(node.expression, checker);
    return !!name && READ_SIDE.has(name);
  }
  if (!ts.isAwaitExpression(node)) return false;
  const inner = skipOuterExpressions(node.expression);
  if (!ts.isCallExpression(inner)) return false;
  const callee = skipOuterExpressions(inner.expression);
  if (ts.isPropertyAccessExpression(callee) && READ_METHODS.test(callee.name.text)) {
    const name = typeNameOf(callee.expression, checker);
    if (name && READ_SIDE.has(name)) return true;
  }
  // `await drainStream(readable)`: a helper consuming a readable the test holds.
  return inner.arguments.some((argument) => {
    const name = typeNameOf(argument, checker);
    return !!name && READ_SIDE.has(name) && !WRITE_SIDE.has(name);
  });
}

/**
 * `(async () => { await writer.write(chunk); writer.close(); })()` written as a statement, with the enclosing
 * function awaiting a read of a stream afterwards: a deliberate producer feeding a stream the test reads. The
 * test waits for the data the producer writes (and a failing write errors the stream the reader awaits), so
 * the producer is not left behind unnoticed. Producers that assert something themselves stay findings: an
 * assertion failing there would be a lost rejection, not a test failure.
 */
export function isStreamProducerReadLater(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) || node.arguments.length > 0) return false;
  const fn = skipOuterExpressions(node.expression);
  if ((!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) || !isAsyncFunction(fn) || !ts.isBlock(fn.body)) return false;
  let writes = false;
  let asserts = false;
  forEachOwnNode(fn.body, (child) => {
    if (asserts || !ts.isCallExpression(child)) return;
    const callee = skipOuterExpressions(child.expression);
    const root = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.getText().split('.')[0] : '';
    if (/^(expect|assert|should|t)$/.test(root ?? '')) asserts = true;
    else if (!writes && involvesStream(child, checker)) writes = true;
  });
  if (!writes || asserts) return false;
  const owner = enclosingFunction(node);
  const body = owner && 'body' in owner ? owner.body : undefined;
  if (!body) return false;
  const end = node.getEnd();
  let reads = false;
  forEachOwnNode(body, (child) => {
    if (!reads && child.getStart() >= end && isAwaitedRead(child, checker)) reads = true;
  });
  return reads;
}

/** Fake-timer advances that flush promise callbacks between timers (the `...Async` forms, sinon's `tickAsync`). */
const ASYNC_TIMER_ADVANCE = /^(advanceTimersByTimeAsync|advanceTimersToNextTimerAsync|runAllTimersAsync|runOnlyPendingTimersAsync|tickAsync|runAllAsync|runToLastAsync|nextAsync)$/;

function containsTimerAdvance(node: TS.Node, depth = 0): boolean {
  if (depth > 12) return false;
  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    if (ts.isPropertyAccessExpression(callee) && ASYNC_TIMER_ADVANCE.test(callee.name.text)) return true;
  }
  return ts.forEachChild(node, (child) => (containsTimerAdvance(child, depth + 1) ? true : undefined)) ?? false;
}

/**
 * `queryClient.prefetchQuery({ queryFn: () => sleep(10).then(() => 'data') }); await vi.advanceTimersByTimeAsync(10);`
 * under vitest fake timers: the test starts the work on purpose and drives it to the end with the fake clock
 * (async advances run the timers and flush promise callbacks in between), so it does not move on before the work
 * settles; a rejection would be reported by vitest as an unhandled error that fails the run. Other runners do
 * not fail on an unhandled rejection reliably and keep the finding.
 */
export function isSettledByLaterTimerAdvance(expression: TS.Expression, model: TestModel): boolean {
  const block = model.enclosingBlock(expression);
  if (!block || block.framework !== 'vitest' || !model.fakeTimersActiveAt(expression)) return false;
  const owner = enclosingFunction(expression);
  const body = owner && 'body' in owner ? owner.body : undefined;
  if (!body) return false;
  const end = expression.getEnd();
  let advanced = false;
  forEachOwnNode(body, (child) => {
    if (!advanced && ts.isAwaitExpression(child) && child.getStart() >= end && containsTimerAdvance(child.expression)) advanced = true;
  });
  return advanced;
}

/** Whether a function node is a thenable's `then` being implemented: `x.then = (cb) => ...`, `{ then(cb) {...} }`, `then: (cb) => ...`. */
function implementsThen(fn: TS.Node): boolean {
  if (ts.isMethodDeclaration(fn)) return ts.isIdentifier(fn.name) && fn.name.text === 'then';
  let value: TS.Node = fn;
  while (ts.isParenthesizedExpression(value.parent) || ts.isAsExpression(value.parent) || ts.isSatisfiesExpression(value.parent)) value = value.parent;
  const parent = value.parent;
  if (ts.isPropertyAssignment(parent) && parent.initializer === value) return ts.isIdentifier(parent.name) && parent.name.text === 'then';
  if (ts.isBinaryExpression(parent) && parent.right === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(parent.left);
    return ts.isPropertyAccessExpression(left) && left.name.text === 'then';
  }
  return false;
}

/**
 * `promise.then = (cb) => { cb?.('server data'); }`: a fake thenable calling the callbacks it was given. What those
 * callbacks return is the business of whoever awaits the thenable, as in a real `then`.
 */
export function isThenImplementationPlumbing(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node)) return false;
  const callee = skipOuterExpressions(node.expression);
  if (!ts.isIdentifier(callee)) return false;
  const declaration = checker.getSymbolAtLocation(callee)?.valueDeclaration;
  if (!declaration || !ts.isParameter(declaration)) return false;
  return implementsThen(declaration.parent);
}

/** The call a `.then(...)`/`.catch(...)`/`.finally(...)` chain starts from (`sleep(10)` in `sleep(10).then(() => 'x')`). */
function chainRoot(expression: TS.Expression): TS.Expression {
  let current = skipOuterExpressions(expression);
  for (let depth = 0; depth < 16; depth++) {
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) break;
    if (!/^(then|catch|finally)$/.test(current.expression.name.text)) break;
    current = skipOuterExpressions(current.expression.expression);
  }
  return current;
}

/** `() => sleep(10).then(() => 'data')`: a function whose result first waits on a timer. */
function waitsOnTimer(node: TS.Expression, finder: SleepFinder): boolean {
  const fn = skipOuterExpressions(node);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  let result: TS.Expression | undefined;
  if (!ts.isBlock(fn.body)) result = fn.body;
  else if (fn.body.statements.length === 1 && ts.isReturnStatement(fn.body.statements[0]!)) result = fn.body.statements[0].expression;
  if (!result) return false;
  const duration = finder.sleepOf(chainRoot(result), new Map(), 0);
  return !!duration && duration.ms !== 0;
}

/**
 * `executeMutation(client, { mutationFn: () => sleep(10).then(() => 5) })` under vitest fake timers: the work the test
 * hands in waits on a fake timer, so it can only go on when the test advances the clock. Left behind, it never
 * settles (vitest drops pending fake timers with the real ones restored); advanced later, the advance drives it.
 * Either way nothing lands at a random moment.
 */
export function isDrivenByFakeTimers(expression: TS.Expression, model: TestModel, finder: SleepFinder): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return false;
  const block = model.enclosingBlock(node);
  if (!block || block.framework !== 'vitest') return false;
  const supplies = (argument: TS.Expression): boolean => {
    const inner = skipOuterExpressions(argument);
    if (ts.isObjectLiteralExpression(inner)) {
      return inner.properties.some((property) => ts.isPropertyAssignment(property) && waitsOnTimer(property.initializer, finder));
    }
    return waitsOnTimer(inner, finder);
  };
  // Syntax first (an argument that is a sleeping function), then the fake-timer scopes.
  return (node.arguments ?? []).some(supplies) && model.fakeTimersActiveAt(node);
}

/** Calls that register a handler for later events (`page.route`, `emitter.on`); see also sleeps.ts. */
const HANDLER_REGISTRATION = /^(route|routeWebSocket|on|once|addListener|prependListener|prependOnceListener|addEventListener|handle)$/;

/**
 * `page.route(url, (route) => { route.continue(); })`: a handler registered for later events answering the event
 * through its own parameter (`route.continue()`, `route.fulfill(...)`). The handler runs outside the test's control
 * flow; the test synchronises on what the page does, and awaiting inside the handler would not change that.
 */
export function isHandlerReply(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const receiver = skipOuterExpressions(node.expression.expression);
  if (!ts.isIdentifier(receiver)) return false;
  const declaration = checker.getSymbolAtLocation(receiver)?.valueDeclaration;
  if (!declaration || !ts.isParameter(declaration)) return false;
  const fn = declaration.parent;
  if ((!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) || enclosingFunction(node) !== fn) return false;
  let argument: TS.Node = fn;
  while (ts.isParenthesizedExpression(argument.parent)) argument = argument.parent;
  const call = argument.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(argument as TS.Expression)) return false;
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  return HANDLER_REGISTRATION.test(name);
}

/** The variable a call's receiver chain starts from (`queryClient` in `queryClient.getQueryCache().find(...)`). */
function rootVariable(expression: TS.Expression): TS.Identifier | undefined {
  let current = skipOuterExpressions(expression);
  for (let depth = 0; depth < 32; depth++) {
    if (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) current = skipOuterExpressions(current.expression);
    else break;
  }
  return ts.isIdentifier(current) ? current : undefined;
}

/** Whether `symbol` is assigned inside the callback of a beforeEach hook (a fresh value for every test). */
function assignedInBeforeEach(symbol: TS.Symbol, hook: TestBlock, checker: TS.TypeChecker): boolean {
  const body = hook.callback?.body;
  if (!body) return false;
  let found = false;
  forEachOwnNode(body, (node) => {
    if (found || !ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
    const left = skipOuterExpressions(node.left);
    if (ts.isIdentifier(left) && checker.getSymbolAtLocation(left) === symbol) found = true;
  });
  return found;
}

/**
 * `queryClient.invalidateQueries({ queryKey })` under vitest fake timers, on a client made for this test (declared in
 * the test, or assigned afresh in a beforeEach around it): the work can wait on timers only through the fake clock
 * (dropped when the test restores real timers), it acts on an object no other test sees, and vitest fails the run
 * on an unhandled rejection. Nothing of it can land in another test at a random moment. A shared object (module
 * level, beforeAll) keeps the finding.
 */
export function isOnPerTestObjectUnderFakeTimers(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const root = rootVariable(node.expression.expression);
  if (!root) return false;
  const block = model.enclosingBlock(node);
  if (!block || block.framework !== 'vitest' || block.kind !== 'test') return false;
  const symbol = checker.getSymbolAtLocation(root);
  const declaration = symbol?.valueDeclaration;
  if (!symbol || !declaration || !ts.isVariableDeclaration(declaration)) return false;
  let perTest = model.enclosingBlock(declaration) === block;
  if (!perTest) {
    const scopes = new Set<TestBlock | undefined>([undefined]);
    for (let b = block.parent; b; b = b.parent) scopes.add(b);
    perTest = model.blocks.some((hook) => hook.kind === 'hook' && hook.hook === 'beforeEach' && scopes.has(hook.parent)
      && assignedInBeforeEach(symbol, hook, checker));
  }
  return perTest && model.fakeTimersActiveAt(node);
}
