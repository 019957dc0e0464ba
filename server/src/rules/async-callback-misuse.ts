import { ts, type TS } from '../engine/typescript.js';
import { isAssertionChain } from '../engine/assertions.js';
import { describeExpression, isInsideAsyncFunction, rejectionOutcome, syntaxIndex } from '../engine/discardedValues.js';
import { lightParameterTypes } from '../engine/lightCalls.js';
import { isFunctionLike, type Framework, type TestModel } from '../engine/testModel.js';
import { forEachOwnNode, isAnyOrUnknown, isAsyncFunction, isThenable, isThenableType, parametersWithoutThis, returnsValue, skipParentheses } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

/** Emitter APIs whose listeners are called and forgotten (Node EventEmitter, DOM EventTarget, Playwright). */
const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
/** Schedulers that call their callback later and drop its result. */
const TIMER_FUNCTIONS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'nextTick']);
/** Receivers of the global timer functions (`globalThis.setTimeout`, `process.nextTick`). */
const TIMER_RECEIVERS = new Set(['globalThis', 'window', 'global', 'self', 'process', 'timers']);
/** Typed `() => void`, yet awaits a returned promise at runtime. */
const AWAITS_DESPITE_VOID = new Set(['finally']);

/** Array methods whose callback is a predicate: a promise is always truthy, so an async predicate never decides. */
const PREDICATE_METHODS = new Set(['filter', 'every', 'some', 'find', 'findIndex', 'findLast', 'findLastIndex']);

type CallbackSite = 'forEach' | 'executor' | 'listener' | 'timer' | 'other';
/** Positions other than call arguments where a void-returning function is expected. */
type HandlerSite = { kind: 'property' | 'jsx' | 'variable' | 'override'; name: string };

/** What an async function that never awaits can still get wrong: an assertion whose failure becomes a rejection. */
type SyncAsync = { assertion: TS.Node } | 'harmless' | undefined;

/**
 * An async function with no `await` (nor `for await`/`await using`) of its own that returns no promise runs to
 * completion before its caller moves on: it cannot outlive the caller. Its only risk is a throw, which rejects the
 * promise nobody handles instead of failing where it happened; an assertion inside it is such a throw.
 * undefined: it awaits or returns a promise (a real async callback).
 */
function syncAsyncBody(fn: TS.SignatureDeclaration & { body?: TS.Node }, model: TestModel, checker: TS.TypeChecker): SyncAsync {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return isThenable(checker, body) ? undefined : assertionIn(body, model, checker);
  let awaits = false;
  forEachOwnNode(body, (node) => {
    if (awaits) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) awaits = true;
    else if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) awaits = true;
    else if (ts.isReturnStatement(node) && node.expression && isThenable(checker, node.expression)) awaits = true;
  });
  return awaits ? undefined : assertionIn(body, model, checker);
}

function assertionIn(body: TS.Node, model: TestModel, checker: TS.TypeChecker): SyncAsync {
  let assertion: TS.Node | undefined;
  const consider = (node: TS.Node): void => {
    if (assertion || !ts.isExpressionStatement(node)) return;
    let expression = skipParentheses(node.expression);
    if (ts.isAwaitExpression(expression)) expression = skipParentheses(expression.expression);
    if (ts.isCallExpression(expression) && isAssertionChain(expression, model, checker)) assertion = expression;
  };
  if (ts.isBlock(body)) forEachOwnNode(body, consider);
  else if (ts.isCallExpression(body) && isAssertionChain(body, model, checker)) assertion = body;
  return assertion ? { assertion } : 'harmless';
}

function syncAsyncMessage(what: string, executor: boolean): string {
  return executor
    ? `${what} never awaits, so it finishes before the promise is built; but an assertion failing inside it rejects the async function's own promise, not the one being built, which then never settles: the test times out instead of failing with the assertion. Remove \`async\`.`
    : `${what} never awaits, so it cannot outlive its caller; but an assertion failing inside it rejects a promise nobody handles: the failure surfaces as an unhandled rejection (blamed on whichever test is running, or lost) instead of failing this test. Remove \`async\`.`;
}

/** Name of the called function or method (`forEach` in `a.b.forEach(...)`). */
function calleeName(callee: TS.Expression): TS.Identifier | TS.PrivateIdentifier | undefined {
  const inner = skipParentheses(callee);
  if (ts.isIdentifier(inner)) return inner;
  if (ts.isPropertyAccessExpression(inner)) return inner.name;
  return undefined;
}

function declaredInLibrary(node: TS.Node, checker: TS.TypeChecker): boolean {
  const declarations = checker.getSymbolAtLocation(node)?.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile);
}

/** The callback is a function (literal or reference) that returns a promise; `undefined` when unsure. */
function promiseReturningFunction(arg: TS.Expression, checker: TS.TypeChecker): 'async' | 'returns-promise' | undefined {
  if (isFunctionLike(arg)) {
    if (arg.asteriskToken) return undefined;
    if (isAsyncFunction(arg)) return 'async';
    // A concise arrow returning a promise is floating-promise's finding (its body is a dropped value).
    if (!ts.isBlock(arg.body)) return undefined;
    // Cheap syntax filter before inferring the return type: a promise can only come back from a `return x`.
    if (!returnsValue(arg)) return undefined;
    const signature = checker.getSignatureFromDeclaration(arg);
    return signature && isThenableType(checker, signature.getReturnType(), arg) ? 'returns-promise' : undefined;
  }
  if (ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg)) {
    const signatures = checker.getTypeAtLocation(arg).getCallSignatures();
    return signatures.length > 0 && signatures.every((s) => isThenableType(checker, s.getReturnType(), arg)) ? 'returns-promise' : undefined;
  }
  return undefined;
}

/**
 * Another overload of the callee takes a callback at this position that may return something (a promise):
 * the checker picked the void one only because any function is assignable to a void callback, and the API
 * has a form made for async callbacks. Unsure: no finding.
 */
function anotherOverloadAcceptsResult(call: TS.CallExpression | TS.NewExpression, index: number, checker: TS.TypeChecker): boolean {
  const calleeType = checker.getTypeAtLocation(call.expression);
  const signatures = ts.isNewExpression(call) ? calleeType.getConstructSignatures() : calleeType.getCallSignatures();
  if (signatures.length < 2) return false;
  return signatures.some((signature) => {
    const parameter = signature.getParameters()[index];
    if (!parameter) return false;
    const type = checker.getTypeOfSymbolAtLocation(parameter, call);
    return type.getNonNullableType().getCallSignatures().some((s) => (s.getReturnType().flags & ts.TypeFlags.Void) === 0);
  });
}

/** The call result is thrown away: `cb();`, `void cb();`. */
function isDroppedCall(call: TS.CallExpression): boolean {
  let outer: TS.Node = call;
  while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
  return ts.isExpressionStatement(outer.parent) || ts.isVoidExpression(outer.parent);
}

/**
 * The callee is a function of the workspace whose body may wait for what the callback returns: the parameter
 * is called where its result is used (`await cb()`, `return cb()`, `act(() => cb())`) or handed on (`act(cb)`).
 * Its `() => void` type is then only loose typing (react-router's `assertNavigation(container, resolve)` awaits
 * `act(() => resolve())`). A callee that only ever calls it as a statement (`cb();`) drops the promise.
 * Unsure (no body, rest or destructured parameter): true, so no finding.
 */
function userCalleeMayUseResult(call: TS.CallExpression | TS.NewExpression, index: number, checker: TS.TypeChecker): boolean {
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (!declaration || ts.isJSDocSignature(declaration) || declaration.getSourceFile().isDeclarationFile) return false;
  const body = (declaration as { body?: TS.Node }).body;
  if (!body) return false;
  const parameters = parametersWithoutThis(declaration.parameters);
  if (call.arguments?.slice(0, index + 1).some(ts.isSpreadElement)) return true;
  const parameter = parameters[index];
  if (!parameter || parameter.dotDotDotToken || !ts.isIdentifier(parameter.name)) return true;
  const name = parameter.name;
  const symbol = checker.getSymbolAtLocation(name);
  if (!symbol) return true;
  let usesResult = false;
  const visit = (node: TS.Node): void => {
    if (usesResult) return;
    if (ts.isShorthandPropertyAssignment(node) && node.name.text === name.text) {
      usesResult = true; // `{ cb }` hands it on
      return;
    }
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && checker.getSymbolAtLocation(node) === symbol) {
      let reference: TS.Node = node;
      while (ts.isParenthesizedExpression(reference.parent)) reference = reference.parent;
      const parent = reference.parent;
      if (!(ts.isCallExpression(parent) && parent.expression === reference && isDroppedCall(parent))) usesResult = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return usesResult;
}

/**
 * Playwright's `page.on('dialog', async (dialog) => ...)`, its documented pattern: the page stays blocked until
 * the dialog is handled, so the test cannot move on before the listener's work is done.
 */
const PLAYWRIGHT_FILE = /\/node_modules\/(?:playwright-core|playwright|@playwright\/test)\//;

function isPlaywrightDialogListener(call: TS.CallExpression, nameNode: TS.Node, checker: TS.TypeChecker): boolean {
  const event = call.arguments[0];
  if (!event || !ts.isStringLiteralLike(event) || event.text !== 'dialog') return false;
  const declarations = checker.getSymbolAtLocation(nameNode)?.declarations ?? [];
  return declarations.some((d) => PLAYWRIGHT_FILE.test(d.getSourceFile().fileName.replace(/\\/g, '/')));
}

/** Every callable part of the expected parameter type returns `void` (or also `any`, for library listeners). */
function expectsVoidCallback(arg: TS.Expression, checker: TS.TypeChecker, allowAny: boolean): boolean {
  const contextual = checker.getContextualType(arg);
  if (!contextual || isAnyOrUnknown(contextual)) return false;
  const parts = contextual.getNonNullableType();
  const types = parts.isUnion() ? parts.types : [parts];
  if (types.some(isAnyOrUnknown)) return false;
  const signatures = types.flatMap((t) => t.getCallSignatures());
  if (signatures.length === 0) return false;
  return signatures.every((s) => {
    const flags = s.getReturnType().flags;
    return (flags & ts.TypeFlags.Void) !== 0 || (allowAny && (flags & ts.TypeFlags.Any) !== 0);
  });
}

/**
 * expectsVoidCallback(arg, checker, false) is false for the argument whichever candidate signature the checker picks,
 * read from the declared signatures without resolving the call. A parameter inferred from the argument alone takes
 * the argument's own type, which returns a promise wherever this rule asks.
 */
function neverExpectsVoidCallback(call: TS.CallExpression, index: number, checker: TS.TypeChecker): boolean {
  const types = lightParameterTypes(call, index, checker);
  return !!types && types.every((type) => {
    if (type === null || type === 'inferred-from-argument' || isAnyOrUnknown(type)) return true;
    const parts = type.getNonNullableType();
    const members = parts.isUnion() ? parts.types : [parts];
    if (members.some(isAnyOrUnknown)) return true;
    const signatures = members.flatMap((t) => t.getCallSignatures());
    return signatures.length === 0 || !signatures.every((s) => (s.getReturnType().flags & ts.TypeFlags.Void) !== 0);
  });
}

function isGlobalPromise(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  return ts.isIdentifier(expression) && expression.text === 'Promise' && declaredInLibrary(expression, checker);
}

function isTimerCall(call: TS.CallExpression, name: string, checker: TS.TypeChecker): boolean {
  if (!TIMER_FUNCTIONS.has(name)) return false;
  const callee = skipParentheses(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const receiver = skipParentheses(callee.expression);
    if (!ts.isIdentifier(receiver) || !TIMER_RECEIVERS.has(receiver.text)) return false;
    if (name === 'nextTick' && receiver.text !== 'process') return false;
  } else if (name === 'nextTick') {
    return false;
  }
  const nameNode = calleeName(callee);
  return !!nameNode && declaredInLibrary(nameNode, checker);
}

/** The receiver of `receiver.forEach(...)` is an array or tuple (so `.map` exists and means the same). */
function isArrayReceiver(call: TS.CallExpression, checker: TS.TypeChecker): boolean {
  const callee = skipParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken) return false;
  const type = checker.getTypeAtLocation(callee.expression);
  if (isAnyOrUnknown(type)) return false;
  if (checker.isArrayType(type) || checker.isTupleType(type)) return true;
  return type.getSymbol()?.name === 'ReadonlyArray';
}

/** How to call the receiver of `receiver.forEach(...)` in a message or fix title: its text when short, else `items`. */
function receiverLabel(call: TS.CallExpression | undefined, sourceFile: TS.SourceFile): string {
  const callee = call && skipParentheses(call.expression);
  if (!callee || !ts.isPropertyAccessExpression(callee)) return 'items';
  const label = describeExpression(callee.expression, sourceFile);
  return label.length <= 30 ? label : 'items';
}

/** `items.forEach(async ...)` as a statement of an async function becomes `await Promise.all(items.map(async ...))`. */
function promiseAllFix(call: TS.CallExpression, sourceFile: TS.SourceFile, checker: TS.TypeChecker): Fix[] {
  const callee = skipParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isExpressionStatement(call.parent)) return [];
  if (!isInsideAsyncFunction(call) || !isArrayReceiver(call, checker)) return [];
  const start = call.getStart(sourceFile);
  return [{
    title: `Use await Promise.all(${receiverLabel(call, sourceFile)}.map(...))`,
    // The statement now completes only after every callback settled, and rejects with the first failure.
    safe: false,
    edits: [
      { start, end: start, newText: 'await Promise.all(' },
      { start: callee.name.getStart(sourceFile), end: callee.name.getEnd(), newText: 'map' },
      { start: call.getEnd(), end: call.getEnd(), newText: ')' },
    ],
  }];
}

/**
 * `resolvesEnclosing`: a timer callback that calls the `resolve` of the promise around it (see callsEnclosingResolve).
 * `framework`: the runner of the test the callback is in (what becomes of a rejection, see rejectionOutcome).
 */
function message(site: CallbackSite, kind: 'async' | 'returns-promise', calleeLabel: string, arrayReceiver: string | undefined, resolvesEnclosing: boolean, framework: Framework | undefined): string {
  const what = kind === 'async' ? 'Async callback' : 'Callback returning a promise';
  switch (site) {
    case 'forEach':
      return `\`forEach\` does not wait for async callbacks: the test moves on, or ends, before they finish, and ${rejectionOutcome(framework, 'their rejections', true)}. ${arrayReceiver ? `Use \`for...of\` with \`await\`, or \`await Promise.all(${arrayReceiver}.map(...))\`.` : 'Use `for...of` with `await` over the entries.'}`;
    case 'executor':
      return 'Async Promise executor: an error thrown after its first `await` never rejects the promise, so the test hangs or passes without the check. Await the async work directly instead of wrapping it in `new Promise`.';
    case 'listener':
      return `${what} passed to \`${calleeLabel}\`: the emitter does not wait for the promise it returns, so an assertion failing in it becomes an unhandled rejection instead of failing the test (which then fails late, elsewhere, or by timeout), and unless the test waits for a signal from it, the test can end before the assertion runs. Await the event instead (\`await once(emitter, 'event')\`, \`page.waitForEvent(...)\`), or catch errors inside the listener.`;
    case 'timer':
      if (resolvesEnclosing) {
        return `${what} passed to \`${calleeLabel}\`: the test waits for it through the enclosing promise's \`resolve\`, but an error it throws (after an \`await\`) is an unhandled rejection and \`resolve\` is never called, so the test times out instead of failing. Await the delay instead (\`await setTimeout(ms)\` from \`node:timers/promises\`), then do the work.`;
      }
      return `${what} passed to \`${calleeLabel}\`: nothing waits for it, so the test can end before it runs, and its rejection is unhandled. Await the delay instead (\`await setTimeout(ms)\` from \`node:timers/promises\`), then do the work.`;
    case 'other':
      return `${what} passed to \`${calleeLabel}\`, which expects a callback returning \`void\`: nothing waits for the promise it returns, so an assertion failing in it becomes an unhandled rejection instead of failing the test (which then fails late, elsewhere, or by timeout), and unless the test waits for a signal from it, the test can move on, or end, before the assertion runs. Use a promise-based API and await it, or keep the callback synchronous.`;
  }
}

/**
 * `await new Promise((resolve) => { setTimeout(async () => { ...; resolve(); }); })`: the timer callback settles the
 * promise the test waits for, so the test does not end before it runs (it hangs when the callback fails instead).
 */
function callsEnclosingResolve(timerCall: TS.CallExpression | TS.NewExpression, callback: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!isFunctionLike(callback)) return false;
  let executor: TS.Node | undefined = timerCall.parent;
  while (executor && !((ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) && ts.isNewExpression(executor.parent) && executor.parent.arguments?.[0] === executor && isGlobalPromise(executor.parent.expression, checker))) executor = executor.parent;
  const resolveName = executor && (ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) ? executor.parameters[0]?.name : undefined;
  const resolveSymbol = resolveName && ts.isIdentifier(resolveName) ? checker.getSymbolAtLocation(resolveName) : undefined;
  if (!resolveSymbol) return false;
  let calls = false;
  const visit = (node: TS.Node): void => {
    if (calls) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && checker.getSymbolAtLocation(node.expression) === resolveSymbol) calls = true;
    else ts.forEachChild(node, visit);
  };
  visit(callback.body);
  return calls;
}

/** Where to underline: the function's head (`async (x) =>`, `async function (x)`), or the reference. */
function reportRange(arg: TS.Expression, sourceFile: TS.SourceFile): { start: number; end: number } {
  const start = arg.getStart(sourceFile);
  if (ts.isArrowFunction(arg)) return { start, end: arg.equalsGreaterThanToken.getEnd() };
  if (ts.isFunctionExpression(arg)) return { start, end: arg.body.getStart(sourceFile) + 1 };
  return { start, end: arg.getEnd() };
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  const registrations = new Set<TS.Node>(model.blocks.map((b) => b.call));

  const inspect = (node: TS.CallExpression | TS.NewExpression): void => {
    const args = node.arguments;
    if (!args || args.length === 0 || registrations.has(node)) return;
    const nameNode = calleeName(node.expression);
    const name = nameNode && ts.isIdentifier(nameNode) ? nameNode.text : undefined;
    if (name && AWAITS_DESPITE_VOID.has(name)) return;

    for (const [index, rawArg] of args.entries()) {
      const arg = skipParentheses(rawArg);
      // Cheapest first: only function literals and plain references can be callbacks worth a type check.
      if (!isFunctionLike(arg) && !ts.isIdentifier(arg) && !ts.isPropertyAccessExpression(arg)) continue;
      // Before typing the argument (a variable's type may need a whole query chain): a plain call whose declared
      // parameter there is no void-returning callback ends in the last branch below without a finding.
      if (ts.isCallExpression(node) && !(name && (LISTENER_METHODS.has(name) || (index === 0 && (TIMER_FUNCTIONS.has(name) || PREDICATE_METHODS.has(name)))))
        && neverExpectsVoidCallback(node, index, checker)) continue;
      const kind = promiseReturningFunction(arg, checker);
      if (!kind) continue;

      // `items.filter(async ...)`: the predicate's promise is always truthy, whatever it awaits.
      if (name && PREDICATE_METHODS.has(name) && index === 0 && ts.isCallExpression(node) && isArrayReceiver(node, checker)) {
        report({
          ...reportRange(arg, sourceFile),
          message: `${kind === 'async' ? 'Async predicate' : 'Predicate returning a promise'} passed to \`${name}\`: it returns a promise, which is always truthy, so ${PREDICATE_EFFECT[name]} whatever the check finds. Resolve the values first (\`await Promise.all(...)\`), then ${name} with a synchronous predicate.`,
        });
        continue;
      }

      let site: CallbackSite;
      if (ts.isNewExpression(node)) {
        if (index !== 0 || !isGlobalPromise(node.expression, checker)) {
          if (!expectsVoidCallback(arg, checker, false) || anotherOverloadAcceptsResult(node, index, checker)) continue;
          if (userCalleeMayUseResult(node, index, checker)) continue;
          site = 'other';
        } else {
          // A plain executor's return value is ignored, and a throw in it rejects the promise: nothing to report.
          if (kind !== 'async') continue;
          site = 'executor';
        }
      } else if (name && index === 0 && isTimerCall(node, name, checker)) {
        site = 'timer';
      } else if (name && LISTENER_METHODS.has(name) && nameNode && declaredInLibrary(nameNode, checker)) {
        if (!expectsVoidCallback(arg, checker, true) || isPlaywrightDialogListener(node, nameNode, checker)) continue;
        site = 'listener';
      } else {
        if (!expectsVoidCallback(arg, checker, false) || anotherOverloadAcceptsResult(node, index, checker)) continue;
        if (userCalleeMayUseResult(node, index, checker)) continue;
        site = name === 'forEach' ? 'forEach' : 'other';
      }

      const calleeLabel = describeExpression(node.expression, sourceFile);
      const syncAsync = kind === 'async' && isFunctionLike(arg) ? syncAsyncBody(arg, model, checker) : undefined;
      if (syncAsync === 'harmless') continue;
      if (syncAsync) {
        // Only where the caller runs it inside the test's own flow (forEach, an executor) does removing `async`
        // turn the failure into one of the test; a listener's or timer's throw would be uncaught either way.
        if (site !== 'forEach' && site !== 'executor') continue;
        report({
          ...reportRange(arg, sourceFile),
          message: syncAsyncMessage(site === 'executor' ? 'This async Promise executor' : `This async callback passed to \`${calleeLabel}\``, site === 'executor'),
          severity: 'info',
          fixes: removeAsyncFix(arg, sourceFile),
        });
        continue;
      }

      // A listener or handler the caller drops (a request handler, an event listener) is often awaited through a
      // signal it sends (the response, an event): the test then does not end first. What is wrong in any case is
      // an assertion in it, whose failure becomes an unhandled rejection. Without one: unsure, no finding.
      if ((site === 'listener' || site === 'other') && kind === 'async' && isFunctionLike(arg) && assertionIn(arg.body, model, checker) === 'harmless') continue;
      // node:test fails the test an unhandled rejection comes from (it tracks the async context): nothing is lost.
      if ((site === 'listener' || site === 'other') && model.enclosingBlock(node)?.framework === 'node-test') continue;

      const call = ts.isCallExpression(node) ? node : undefined;
      const arrayReceiver = site === 'forEach' && call && isArrayReceiver(call, checker) ? receiverLabel(call, sourceFile) : undefined;
      const fixes = site === 'forEach' && call && kind === 'async' && index === 0 ? promiseAllFix(call, sourceFile, checker) : [];
      report({
        ...reportRange(arg, sourceFile),
        message: message(site, kind, describeExpression(node.expression, sourceFile), arrayReceiver, site === 'timer' && callsEnclosingResolve(node, arg, checker), model.frameworkAt(node)),
        fixes,
      });
    }
  };

  for (const call of syntaxIndex(model).callsWithArguments) inspect(call);
  inspectHandlers(sourceFile, checker, model, report);
}

const PREDICATE_EFFECT: Record<string, string> = {
  filter: '`filter` keeps every element',
  every: '`every` is always true',
  some: '`some` is true for any non-empty array',
  find: '`find` returns the first element',
  findIndex: '`findIndex` returns 0 for any non-empty array',
  findLast: '`findLast` returns the last element',
  findLastIndex: '`findLastIndex` returns the last index',
};

/** Deletes the `async` keyword: the function never awaits and returns no promise, and its caller expects void. */
function removeAsyncFix(fn: TS.Node, sourceFile: TS.SourceFile): Fix[] {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn) && !ts.isMethodDeclaration(fn)) return [];
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && returnsValue(fn)) return [];
  const keyword = ts.getModifiers(fn)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  if (!keyword) return [];
  const text = sourceFile.text;
  let end = keyword.getEnd();
  while (end < text.length && /[ \t]/.test(text[end]!)) end++;
  return [{ title: 'Remove async', safe: true, edits: [{ start: keyword.getStart(sourceFile), end, newText: '' }] }];
}

/** Every call signature of the type returns `void` (and there is at least one). */
function allSignaturesVoid(type: TS.Type): boolean {
  if (isAnyOrUnknown(type)) return false;
  const parts = type.getNonNullableType();
  const types = parts.isUnion() ? parts.types : [parts];
  if (types.some(isAnyOrUnknown)) return false;
  const signatures = types.flatMap((t) => t.getCallSignatures());
  return signatures.length > 0 && signatures.every((s) => (s.getReturnType().flags & ts.TypeFlags.Void) !== 0);
}

/**
 * Where a void function is expected outside call arguments: an object property typed as a handler by a library
 * (`{ onSuccess: async () => ... }`), a JSX event attribute, a variable with a void function type, a method
 * overriding a void method. User-declared property types are loose typing too often (their callers may await):
 * only library declarations count there.
 */
function handlerSite(fn: TS.Node, checker: TS.TypeChecker): HandlerSite | undefined {
  const parent = fn.parent;
  if (ts.isMethodDeclaration(fn)) {
    if (!ts.isIdentifier(fn.name) && !ts.isStringLiteral(fn.name)) return undefined;
    const name = fn.name.text;
    if (ts.isObjectLiteralExpression(parent)) {
      const contextual = checker.getContextualType(parent);
      const property = contextual?.getNonNullableType().getProperty(name);
      if (!property || !declaredInDeclarationFiles(property)) return undefined;
      return allSignaturesVoid(checker.getTypeOfSymbolAtLocation(property, fn)) ? { kind: 'property', name } : undefined;
    }
    if (ts.isClassLike(parent)) {
      for (const clause of parent.heritageClauses ?? []) {
        for (const base of clause.types) {
          const property = checker.getTypeAtLocation(base).getProperty(name);
          if (property && allSignaturesVoid(checker.getTypeOfSymbolAtLocation(property, fn))) {
            return { kind: 'override', name: `${base.expression.getText()}.${name}` };
          }
        }
      }
    }
    return undefined;
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === fn) {
    if (!ts.isIdentifier(parent.name) && !ts.isStringLiteral(parent.name)) return undefined;
    const contextual = checker.getContextualType(parent.parent);
    const property = contextual?.getNonNullableType().getProperty(parent.name.text);
    if (!property || !declaredInDeclarationFiles(property)) return undefined;
    return allSignaturesVoid(checker.getTypeOfSymbolAtLocation(property, fn)) ? { kind: 'property', name: parent.name.text } : undefined;
  }
  if (ts.isJsxExpression(parent) && ts.isJsxAttribute(parent.parent)) {
    const contextual = checker.getContextualType(fn as TS.Expression);
    return contextual && allSignaturesVoid(contextual) ? { kind: 'jsx', name: parent.parent.name.getText() } : undefined;
  }
  if (ts.isVariableDeclaration(parent) && parent.initializer === fn && parent.type && ts.isIdentifier(parent.name)) {
    return allSignaturesVoid(checker.getTypeFromTypeNode(parent.type)) ? { kind: 'variable', name: parent.name.text } : undefined;
  }
  return undefined;
}

function declaredInDeclarationFiles(symbol: TS.Symbol): boolean {
  const declarations = symbol.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile);
}

function handlerMessage(site: HandlerSite): string {
  const where = site.kind === 'property' ? `as \`${site.name}\`, a handler typed to return \`void\``
    : site.kind === 'jsx' ? `to the \`${site.name}\` attribute, an event handler typed to return \`void\``
      : site.kind === 'variable' ? `in \`${site.name}\`, whose type returns \`void\``
        : `overriding \`${site.name}\`, which returns \`void\``;
  return `Async function ${where}: whoever calls it does not wait for the promise it returns, so an assertion failing in it becomes an unhandled rejection instead of failing the test (which then fails late, elsewhere, or by timeout), and unless the test waits for a signal from it, the test can move on, or end, before the assertion runs. Await the work where the test can see it (or wait for its effect), or keep the function synchronous.`;
}

function inspectHandlers(sourceFile: TS.SourceFile, checker: TS.TypeChecker, model: TestModel, report: RuleContext['report']): void {
  const visit = (node: TS.Node): void => {
    // Cheapest first: only async, non-generator functions in one of the handler positions reach the checker.
    const candidate = (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node))
      && !node.asteriskToken && isAsyncFunction(node) && node.body
      && (ts.isMethodDeclaration(node) || ts.isPropertyAssignment(node.parent) || ts.isJsxExpression(node.parent) || (ts.isVariableDeclaration(node.parent) && !!node.parent.type));
    if (candidate) {
      const site = handlerSite(node, checker);
      if (site) {
        const syncAsync = syncAsyncBody(node as TS.SignatureDeclaration & { body?: TS.Node }, model, checker);
        const start = node.getStart(sourceFile);
        const body = (node as { body: TS.Node }).body;
        const end = ts.isArrowFunction(node) ? node.equalsGreaterThanToken.getEnd() : body.getStart(sourceFile) + 1;
        if (syncAsync === undefined) {
          // As for listeners: the caller may wait for a signal the function sends; an assertion inside is wrong anyway.
          if (assertionIn(body, model, checker) !== 'harmless' && model.enclosingBlock(node)?.framework !== 'node-test') report({ start, end, message: handlerMessage(site) });
        }
        // A handler that never awaits: whoever calls it would get the throw as uncaught either way; no finding.
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
}

export const asyncCallbackMisuse: Rule = {
  meta: {
    id: 'async-callback-misuse',
    category: 'async-coordination',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports async functions passed where a callback returning void is expected (forEach, listeners, timers, Promise executors, callback APIs).',
      why: 'A caller that expects a void callback never waits for the promise an async callback returns: the test moves on and can finish before the work runs, and a rejection becomes an unhandled error that is lost or fails an unrelated test.',
      badExample: "it('saves all', async () => {\n  items.forEach(async (item) => {\n    await save(item);\n  });\n  expect(await count()).toBe(3);\n});",
      goodExample: "it('saves all', async () => {\n  for (const item of items) {\n    await save(item);\n  }\n  expect(await count()).toBe(3);\n});",
    },
  },
  check,
};
