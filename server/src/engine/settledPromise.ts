import { ts, type TS } from './typescript.js';
import { forEachOwnNode, isAnyOrUnknown, isAsyncFunction, isThenable, skipOuterExpressions } from './typeUtils.js';

/**
 * A call of a function whose own source does its work synchronously and hands back an already-settled promise
 * for an async interface (apollo's `InMemoryCache.reset()`: `this.init(); ...; return Promise.resolve();`, an
 * in-memory fake store). Not `async`, every `return` is `Promise.resolve()` of a non-thenable: nothing is left to
 * wait for and the promise cannot reject (an error is thrown synchronously, in the test's own flow). Declarations
 * without a body (typings, abstract methods, interfaces) say nothing: undefined.
 */
export function returnsSettledPromise(call: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(call)) return false;
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (!declaration || ts.isJSDocSignature(declaration) || !('body' in declaration) || !declaration.body) return false;
  if (isAsyncFunction(declaration) || (declaration as TS.FunctionLikeDeclaration).asteriskToken) return false;
  const body = declaration.body as TS.ConciseBody;
  if (!ts.isBlock(body)) return isResolvedValue(body, checker);
  let returns = 0;
  let settled = true;
  forEachOwnNode(body, (node) => {
    if (!settled || !ts.isReturnStatement(node)) return;
    returns++;
    if (!node.expression || !isResolvedValue(node.expression, checker)) settled = false;
  });
  return settled && returns > 0;
}

/** `Promise.resolve()` or `Promise.resolve(value)` with a value that is no thenable (a thenable would be adopted). */
function isResolvedValue(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const { expression: target, name } = node.expression;
  if (!ts.isIdentifier(target) || target.text !== 'Promise' || name.text !== 'resolve' || node.arguments.length > 1) return false;
  const argument = node.arguments[0];
  return !argument || (!isAnyOrUnknown(checker.getTypeAtLocation(argument)) && !isThenable(checker, argument));
}
