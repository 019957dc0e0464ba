import { ts } from 'ts-morph';
import { describeExpression, isInsideAsyncFunction, syntaxIndex } from '../engine/discardedValues.js';
import { isFunctionLike } from '../engine/testModel.js';
import { isAnyOrUnknown, isAsyncFunction, isThenableType, returnsValue, skipParentheses } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

/** Emitter APIs whose listeners are called and forgotten (Node EventEmitter, DOM EventTarget, Playwright). */
const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
/** Schedulers that call their callback later and drop its result. */
const TIMER_FUNCTIONS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'nextTick']);
/** Receivers of the global timer functions (`globalThis.setTimeout`, `process.nextTick`). */
const TIMER_RECEIVERS = new Set(['globalThis', 'window', 'global', 'self', 'process', 'timers']);
/** Typed `() => void`, yet awaits a returned promise at runtime. */
const AWAITS_DESPITE_VOID = new Set(['finally']);

type CallbackSite = 'forEach' | 'executor' | 'listener' | 'timer' | 'other';

/** Name of the called function or method (`forEach` in `a.b.forEach(...)`). */
function calleeName(callee: ts.Expression): ts.Identifier | ts.PrivateIdentifier | undefined {
  const inner = skipParentheses(callee);
  if (ts.isIdentifier(inner)) return inner;
  if (ts.isPropertyAccessExpression(inner)) return inner.name;
  return undefined;
}

function declaredInLibrary(node: ts.Node, checker: ts.TypeChecker): boolean {
  const declarations = checker.getSymbolAtLocation(node)?.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile);
}

/** The callback is a function (literal or reference) that returns a promise; `undefined` when unsure. */
function promiseReturningFunction(arg: ts.Expression, checker: ts.TypeChecker): 'async' | 'returns-promise' | undefined {
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
function anotherOverloadAcceptsResult(call: ts.CallExpression | ts.NewExpression, index: number, checker: ts.TypeChecker): boolean {
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
function isDroppedCall(call: ts.CallExpression): boolean {
  let outer: ts.Node = call;
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
function userCalleeMayUseResult(call: ts.CallExpression | ts.NewExpression, index: number, checker: ts.TypeChecker): boolean {
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (!declaration || ts.isJSDocSignature(declaration) || declaration.getSourceFile().isDeclarationFile) return false;
  const body = (declaration as { body?: ts.Node }).body;
  if (!body) return false;
  const parameters = declaration.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
  if (call.arguments?.slice(0, index + 1).some(ts.isSpreadElement)) return true;
  const parameter = parameters[index];
  if (!parameter || parameter.dotDotDotToken || !ts.isIdentifier(parameter.name)) return true;
  const name = parameter.name;
  const symbol = checker.getSymbolAtLocation(name);
  if (!symbol) return true;
  let usesResult = false;
  const visit = (node: ts.Node): void => {
    if (usesResult) return;
    if (ts.isShorthandPropertyAssignment(node) && node.name.text === name.text) {
      usesResult = true; // `{ cb }` hands it on
      return;
    }
    if (ts.isIdentifier(node) && node !== name && checker.getSymbolAtLocation(node) === symbol) {
      let reference: ts.Node = node;
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

function isPlaywrightDialogListener(call: ts.CallExpression, nameNode: ts.Node, checker: ts.TypeChecker): boolean {
  const event = call.arguments[0];
  if (!event || !ts.isStringLiteralLike(event) || event.text !== 'dialog') return false;
  const declarations = checker.getSymbolAtLocation(nameNode)?.declarations ?? [];
  return declarations.some((d) => PLAYWRIGHT_FILE.test(d.getSourceFile().fileName.replace(/\\/g, '/')));
}

/** Every callable part of the expected parameter type returns `void` (or also `any`, for library listeners). */
function expectsVoidCallback(arg: ts.Expression, checker: ts.TypeChecker, allowAny: boolean): boolean {
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

function isGlobalPromise(expression: ts.Expression, checker: ts.TypeChecker): boolean {
  return ts.isIdentifier(expression) && expression.text === 'Promise' && declaredInLibrary(expression, checker);
}

function isTimerCall(call: ts.CallExpression, name: string, checker: ts.TypeChecker): boolean {
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
function isArrayReceiver(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  const callee = skipParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken) return false;
  const type = checker.getTypeAtLocation(callee.expression);
  if (isAnyOrUnknown(type)) return false;
  if (checker.isArrayType(type) || checker.isTupleType(type)) return true;
  return type.getSymbol()?.name === 'ReadonlyArray';
}

/** How to call the receiver of `receiver.forEach(...)` in a message or fix title: its text when short, else `items`. */
function receiverLabel(call: ts.CallExpression | undefined, sourceFile: ts.SourceFile): string {
  const callee = call && skipParentheses(call.expression);
  if (!callee || !ts.isPropertyAccessExpression(callee)) return 'items';
  const label = describeExpression(callee.expression, sourceFile);
  return label.length <= 30 ? label : 'items';
}

/** `items.forEach(async ...)` as a statement of an async function becomes `await Promise.all(items.map(async ...))`. */
function promiseAllFix(call: ts.CallExpression, sourceFile: ts.SourceFile, checker: ts.TypeChecker): Fix[] {
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

function message(site: CallbackSite, kind: 'async' | 'returns-promise', calleeLabel: string, arrayReceiver: string | undefined): string {
  const what = kind === 'async' ? 'Async callback' : 'Callback returning a promise';
  switch (site) {
    case 'forEach':
      return `\`forEach\` does not wait for async callbacks: the test moves on, or ends, before they finish, and their rejections are lost. ${arrayReceiver ? `Use \`for...of\` with \`await\`, or \`await Promise.all(${arrayReceiver}.map(...))\`.` : 'Use `for...of` with `await` over the entries.'}`;
    case 'executor':
      return 'Async Promise executor: an error thrown after its first `await` never rejects the promise, so the test hangs or passes without the check. Await the async work directly instead of wrapping it in `new Promise`.';
    case 'listener':
      return `${what} passed to \`${calleeLabel}\`: the emitter does not wait for it, so the test can end before it finishes, and its rejection is unhandled. Await the event instead (\`await once(emitter, 'event')\`, \`page.waitForEvent(...)\`), or catch errors inside the listener.`;
    case 'timer':
      return `${what} passed to \`${calleeLabel}\`: nothing waits for it, so the test can end before it runs, and its rejection is unhandled. Await the delay instead (\`await setTimeout(ms)\` from \`node:timers/promises\`), then do the work.`;
    case 'other':
      return `${what} passed to \`${calleeLabel}\`, which expects a callback returning \`void\`: the test can move on, or end, before it finishes, and its rejection is unhandled. Use a promise-based API and await it, or keep the callback synchronous.`;
  }
}

/** Where to underline: the function's head (`async (x) =>`, `async function (x)`), or the reference. */
function reportRange(arg: ts.Expression, sourceFile: ts.SourceFile): { start: number; end: number } {
  const start = arg.getStart(sourceFile);
  if (ts.isArrowFunction(arg)) return { start, end: arg.equalsGreaterThanToken.getEnd() };
  if (ts.isFunctionExpression(arg)) return { start, end: arg.body.getStart(sourceFile) + 1 };
  return { start, end: arg.getEnd() };
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  const registrations = new Set<ts.Node>(model.blocks.map((b) => b.call));

  const inspect = (node: ts.CallExpression | ts.NewExpression): void => {
    const args = node.arguments;
    if (!args || args.length === 0 || registrations.has(node)) return;
    const nameNode = calleeName(node.expression);
    const name = nameNode && ts.isIdentifier(nameNode) ? nameNode.text : undefined;
    if (name && AWAITS_DESPITE_VOID.has(name)) return;

    for (const [index, rawArg] of args.entries()) {
      const arg = skipParentheses(rawArg);
      // Cheapest first: only function literals and plain references can be callbacks worth a type check.
      if (!isFunctionLike(arg) && !ts.isIdentifier(arg) && !ts.isPropertyAccessExpression(arg)) continue;
      const kind = promiseReturningFunction(arg, checker);
      if (!kind) continue;

      let site: CallbackSite;
      if (ts.isNewExpression(node)) {
        if (index !== 0 || !isGlobalPromise(node.expression, checker)) {
          if (!expectsVoidCallback(arg, checker, false) || anotherOverloadAcceptsResult(node, index, checker)) continue;
          if (userCalleeMayUseResult(node, index, checker)) continue;
          site = 'other';
        } else {
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

      const call = ts.isCallExpression(node) ? node : undefined;
      const arrayReceiver = site === 'forEach' && call && isArrayReceiver(call, checker) ? receiverLabel(call, sourceFile) : undefined;
      const fixes = site === 'forEach' && call && kind === 'async' && index === 0 ? promiseAllFix(call, sourceFile, checker) : [];
      report({
        ...reportRange(arg, sourceFile),
        message: message(site, kind, describeExpression(node.expression, sourceFile), arrayReceiver),
        fixes,
      });
    }
  };

  for (const call of syntaxIndex(model).callsWithArguments) inspect(call);
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
