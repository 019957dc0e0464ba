import { ts, type TS } from './typescript.js';
import { assertionChainOf } from './assertions.js';
import { enclosingFunction, syntaxIndex, type DiscardedValue } from './discardedValues.js';
import type { TestModel } from './testModel.js';
import { isAsyncFunction, skipOuterExpressions } from './typeUtils.js';

/**
 * Fire-and-forget through one object whose results the test then consumes in order: a render or observable stream
 * (`getCurrentSnapshot().refetch()` then `await takeSnapshot()`, `renderStream.getCurrentRender().snapshot.fetchMore()`
 * then `await renderStream.takeRender()`), a reader (`write()` then `await read()`). The later awaited take is the
 * synchronisation the test relies on, and an error of the floated call shows up in what it takes.
 */

/** Names of calls that wait for the next thing a handle produces. */
const TAKES = /^(take|waitFor(?!Timeout)|read|next|once|drain|closed|finished|peek)/;

/** Root identifier of a receiver chain: `a` in `a.b().c[0].d()`. */
function rootIdentifier(expression: TS.Expression): TS.Identifier | undefined {
  let current = skipOuterExpressions(expression);
  for (let depth = 0; depth < 32; depth++) {
    if (ts.isAwaitExpression(current)) current = skipOuterExpressions(current.expression);
    else if (ts.isCallExpression(current)) current = skipOuterExpressions(current.expression);
    else if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) current = skipOuterExpressions(current.expression);
    else break;
  }
  return ts.isIdentifier(current) ? current : undefined;
}

/**
 * What a receiver stands for: its root variable; for a `const` made from another object, that object's root
 * (`const [execute] = renderStream.getCurrentSnapshot()` stands for `renderStream`); for a destructured `const`, the
 * declaration it was destructured in (`const { takeSnapshot, getCurrentSnapshot } = await renderToStream(...)`: both
 * stand for the same stream).
 */
function handleKeys(expression: TS.Expression, checker: TS.TypeChecker): Set<object> {
  const keys = new Set<object>();
  const root = rootIdentifier(expression);
  const symbol = root && checker.getSymbolAtLocation(root);
  if (!symbol) return keys;
  keys.add(symbol);
  let declaration: TS.Node | undefined = symbol.valueDeclaration;
  if (!declaration) return keys;
  let destructured = false;
  while (ts.isBindingElement(declaration) || ts.isObjectBindingPattern(declaration) || ts.isArrayBindingPattern(declaration)) {
    destructured = true;
    declaration = declaration.parent;
  }
  if (!ts.isVariableDeclaration(declaration) || !declaration.initializer || !ts.isVariableDeclarationList(declaration.parent)
    || !(declaration.parent.flags & ts.NodeFlags.Const)) return keys;
  if (destructured) keys.add(declaration);
  const origin = rootIdentifier(declaration.initializer);
  // The origin is an object the value came from (`renderStream.x()`), not the function that made it (`render(...)`).
  const fromMember = origin && skipOuterExpressions(declaration.initializer) !== origin && !isPlainCall(declaration.initializer);
  const originSymbol = fromMember ? checker.getSymbolAtLocation(origin) : undefined;
  if (originSymbol) keys.add(originSymbol);
  return keys;
}

/** `f(...)` or `await f(...)` with `f` an identifier: a factory call, whose result shares nothing with `f`. */
function isPlainCall(expression: TS.Expression): boolean {
  let inner = skipOuterExpressions(expression);
  if (ts.isAwaitExpression(inner)) inner = skipOuterExpressions(inner.expression);
  return ts.isCallExpression(inner) && ts.isIdentifier(skipOuterExpressions(inner.expression));
}

/** The take call an awaited expression waits on: `await x.takeRender()`, `await takeSnapshot()`, `await expect(takeSnapshot()).resolves...`. */
function awaitedTake(awaited: TS.AwaitExpression, model: TestModel, checker: TS.TypeChecker): TS.CallExpression | undefined {
  let inner = skipOuterExpressions(awaited.expression);
  if (ts.isCallExpression(inner) && assertionChainOf(inner, model, checker)?.style === 'expect') {
    // The subject of the assertion chain: `expect(subject)`.
    let current: TS.Expression = inner;
    for (let depth = 0; depth < 16; depth++) {
      current = skipOuterExpressions(current);
      if (ts.isCallExpression(current)) {
        const callee = skipOuterExpressions(current.expression);
        if (ts.isIdentifier(callee) && callee.text === 'expect') {
          const subject = current.arguments[0];
          if (!subject) return undefined;
          inner = skipOuterExpressions(subject);
          break;
        }
        current = callee;
      } else if (ts.isPropertyAccessExpression(current)) {
        current = current.expression;
      } else {
        return undefined;
      }
    }
  }
  if (!ts.isCallExpression(inner)) return undefined;
  const callee = skipOuterExpressions(inner.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name && TAKES.test(name) ? inner : undefined;
}

/** The function whose control flow the floated value belongs to (for a timer or listener callback, the one around it). */
function owningFunction(value: DiscardedValue): TS.SignatureDeclaration | undefined {
  return enclosingFunction(value.kind === 'callback' && value.callback ? value.callback : value.expression);
}

/** Whether a floated call's handle is consumed later by an awaited take in the same function (see above). */
export function consumedLaterFromSameHandle(value: DiscardedValue, model: TestModel, checker: TS.TypeChecker): boolean {
  const expression = value.expression;
  if (!ts.isCallExpression(expression)) return false;
  const floated = handleKeys(expression.expression, checker);
  if (floated.size === 0) return false;
  const fn = owningFunction(value);
  if (!fn || !isAsyncFunction(fn)) return false;
  const after = expression.getEnd();
  for (const awaited of syntaxIndex(model).awaits) {
    if (awaited.getStart() < after || enclosingFunction(awaited) !== fn) continue;
    const take = awaitedTake(awaited, model, checker);
    if (!take) continue;
    for (const key of handleKeys(take.expression, checker)) if (floated.has(key)) return true;
  }
  return false;
}
