import { ts, type TS } from './typescript.js';
import type { DiscardedValue } from './discardedValues.js';
import { sleepFinder } from './sleeps.js';
import type { TestModel } from './testModel.js';
import { isPromiseType, skipOuterExpressions } from './typeUtils.js';

/**
 * Floating thenables that are no floating promise of the test, found from what the call is (see each function).
 * Kept apart from the rule so each class stays small and testable.
 */

/**
 * A call of an overloaded function with arguments the signature the checker settled on does not accept (too many, or
 * of types it does not take): the checker found no overload for the call and fell back to a candidate, whose return
 * type says nothing about what the call returns. fastify's `app.ready(() => result.push(id))` matches neither `ready()` nor `ready(listener)` (the listener
 * returns a number) and comes back typed as the promise form. Unknown: no finding.
 */
export function callsBeyondSignature(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression)) return false;
  const signature = checker.getResolvedSignature(expression);
  const declaration = signature?.declaration;
  if (!signature || !declaration || ts.isJSDocSignature(declaration)) return false;
  if (declaration.parameters.some((p) => !!p.dotDotDotToken)) return false;
  // With one signature its return type stands whatever the arguments; only the choice between overloads is in doubt.
  if (checker.getTypeAtLocation(expression.expression).getCallSignatures().length < 2) return false;
  return expression.arguments.length > declaration.parameters.length
    || !argumentsFit(expression, signature, checker);
}

/** Whether every argument's type is assignable to its parameter's type (callbacks included). */
function argumentsFit(call: TS.CallExpression, signature: TS.Signature, checker: TS.TypeChecker): boolean {
  const parameters = signature.getParameters();
  return call.arguments.every((argument, index) => {
    const parameter = parameters[index];
    if (!parameter || ts.isSpreadElement(argument)) return true;
    const expected = checker.getTypeOfSymbolAtLocation(parameter, call);
    const actual = checker.getTypeAtLocation(argument);
    return checker.isTypeAssignableTo(actual, expected);
  });
}

/**
 * A call that hands back one of its arguments (its declared return type is the type parameter of that argument):
 * `Object.defineProperty(app, 'version', {...})`, `Object.freeze(app)`. The value is the object passed in, which
 * exists already; nothing new floats.
 */
export function returnsItsArgument(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression)) return false;
  const declaration = checker.getResolvedSignature(expression)?.declaration;
  if (!declaration || ts.isJSDocSignature(declaration) || !declaration.type || !ts.isTypeReferenceNode(declaration.type)) return false;
  const returned = declaration.type.typeName;
  if (!ts.isIdentifier(returned) || !declaration.typeParameters?.some((p) => p.name.text === returned.text)) return false;
  return declaration.parameters.some((parameter, index) => {
    const type = parameter.type;
    if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName) || type.typeName.text !== returned.text) return false;
    const argument = expression.arguments[index];
    const value = argument && skipOuterExpressions(argument);
    return !!value && (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) || value.kind === ts.SyntaxKind.ThisKeyword);
  });
}

/**
 * `sleep(500).then(() => socket.destroy())`: work scheduled after a fixed delay, `setTimeout` in promise form. The
 * sleep cannot reject, and what the callback does is scheduled work like a timer callback's, not a promise the
 * test forgot to await.
 */
export function isTimerChain(expression: TS.Expression, model: TestModel): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  if (expression.expression.name.text !== 'then' || expression.arguments.length !== 1) return false;
  const receiver = skipOuterExpressions(expression.expression.expression);
  if (!ts.isCallExpression(receiver) && !ts.isNewExpression(receiver)) return false;
  const duration = sleepFinder(model).sleepOf(receiver, new Map(), 0);
  return !!duration && duration.ms !== 0;
}

/**
 * A promise floated at module level of a node:test file (`setup()` calling an async function that registers the
 * tests): node:test runs tests registered later too, and a rejection outside any test fails the run. No test can
 * move on before it settles.
 */
export function floatsAtNodeTestModuleLevel(value: DiscardedValue, model: TestModel): boolean {
  if (value.kind !== 'statement' || model.contextOf(value.expression) !== 'module') return false;
  return model.frameworks.size > 0 && [...model.frameworks].every((f) => f === 'node-test');
}

/**
 * `Fastify({ bodyLimit: 1.3 })`, `fastify()`: a plain function call (no method chain) whose result is a thenable
 * that is no Promise (an instance with a `then` that starts its work only when awaited), called for what it does at
 * once (construction, option validation). Like typescript-eslint's default (`checkThenables: false`), no floating
 * promise: nothing was started that the test could move on from. A chain on it (`request(app).get('/')`) stays a finding.
 */
export function isFactoryThenable(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression) || !ts.isIdentifier(skipOuterExpressions(expression.expression))) return false;
  // `PromiseLike` alone (fastify's `SafePromiseLike`, a thenable instance) does not count here.
  return !isPromiseType(checker.getTypeAtLocation(expression).getNonNullableType(), { promiseLike: false });
}

/** `ids.map((id) => app.ready(() => list.push(id)))`: an array made of calls that fit no overload (see callsBeyondSignature). */
export function mapsToUnfittingCalls(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression) || expression.expression.name.text !== 'map') return false;
  const callback = expression.arguments[0];
  if (!callback || !ts.isArrowFunction(callback) || ts.isBlock(callback.body)) return false;
  return callsBeyondSignature(skipOuterExpressions(callback.body), checker);
}
