import { ts, type TS } from './typescript.js';
import { lightReturnTypes, lightReturnTypesUnresolved, returnsPrimitiveWhateverArguments, surelyWithoutThen } from './lightCalls.js';

export function isAnyOrUnknown(type: TS.Type): boolean {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
}

function unionParts(type: TS.Type): TS.Type[] {
  return type.isUnion() ? type.types : [type];
}

/**
 * A type is thenable when one of its union parts has a callable `then` (what `await` unwraps).
 * any/unknown/error types are never thenable: precision over recall.
 */
export function isThenableType(checker: TS.TypeChecker, type: TS.Type, at: TS.Node): boolean {
  if (isAnyOrUnknown(type)) return false;
  try {
    return hasCallableThen(checker, type, at);
  } catch (error) {
    // The checker's own recursion on a pathological recursive generic: unknown, so not thenable.
    if (error instanceof RangeError) return false;
    throw error;
  }
}

function hasCallableThen(checker: TS.TypeChecker, type: TS.Type, at: TS.Node): boolean {
  for (const part of unionParts(type)) {
    if (isAnyOrUnknown(part)) continue;
    const then = part.getProperty('then');
    if (!then) continue;
    const thenType = checker.getTypeOfSymbolAtLocation(then, at);
    if (thenType.getCallSignatures().length > 0) return true;
  }
  return false;
}

/**
 * Whether the type is a promise (`Promise<T>` from the standard library, or a class extending it): a
 * value whose work is under way, unlike a thenable builder or a chaining object with a `then`. The lib's
 * `PromiseLike` counts unless `promiseLike` is false. The walk over base types is bounded (depth and visited set).
 */
export function isPromiseType(type: TS.Type, { promiseLike = true }: { promiseLike?: boolean } = {}): boolean {
  const visited = new Set<TS.Type>();
  const walk = (current: TS.Type, depth: number): boolean => {
    if (depth > 8 || visited.has(current)) return false;
    visited.add(current);
    if (current.isUnionOrIntersection()) return current.types.some((part) => walk(part, depth + 1));
    const symbol = current.getSymbol();
    if (symbol && (symbol.name === 'Promise' || (promiseLike && symbol.name === 'PromiseLike'))
      && symbol.declarations?.some((d) => /\/lib\.[^/]*\.d\.ts$/.test(d.getSourceFile().fileName.replace(/\\/g, '/')))) {
      return true;
    }
    if (!(current.flags & ts.TypeFlags.Object) || !current.isClassOrInterface()) {
      const target = (current as TS.TypeReference).target;
      if (target && target !== current) return walk(target, depth + 1);
      return false;
    }
    return (current.getBaseTypes() ?? []).some((base) => walk(base, depth + 1));
  };
  return walk(type, 0);
}

/**
 * False when the call surely makes no value the predicate accepts, read from declared signatures (see lightCalls.ts):
 * cheapest first (no chain resolved), then with the signatures' own type parameters left open (a primitive result),
 * then resolving the chains the light path cannot read. True: ask the checker about the call itself.
 */
function lightThenable(checker: TS.TypeChecker, call: TS.CallExpression, accepts: (type: TS.Type) => boolean, surelyNot?: () => boolean): boolean {
  const cheap = lightReturnTypesUnresolved(call, checker);
  if (cheap) return cheap.some(accepts);
  if (returnsPrimitiveWhateverArguments(call, checker)) return false;
  if (surelyNot?.()) return false;
  const resolved = lightReturnTypes(call, checker);
  return !resolved || resolved.some(accepts);
}

/** A function's parameters without a declared `this`, which takes no argument (as Signature.getParameters leaves it out). */
export function parametersWithoutThis(parameters: readonly TS.ParameterDeclaration[]): TS.ParameterDeclaration[] {
  return parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
}

/** The text of a property name written as an identifier or a string literal (`then`, `'then'`); undefined otherwise. */
export function propertyNameText(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

/**
 * Expressions whose syntax alone says they make no thenable, so the checker is not asked: typing an array literal
 * of query-builder chains as a whole (kysely's `selectNoFrom((eb) => [eb.selectFrom(...)...])`) costs hundreds of
 * milliseconds, and its elements are asked about one by one where it matters (isArrayOfThenables).
 */
function neverThenable(node: TS.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.ArrayLiteralExpression:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateExpression:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassExpression:
    case ts.SyntaxKind.TypeOfExpression:
    case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.DeleteExpression:
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.PostfixUnaryExpression:
      return true;
    case ts.SyntaxKind.ObjectLiteralExpression:
      // `{ then() {...} }` is a thenable; a spread may bring a `then` along.
      return (node as TS.ObjectLiteralExpression).properties.every((p) => !ts.isSpreadAssignment(p) && p.name !== undefined && !ts.isComputedPropertyName(p.name) && propertyNameText(p.name) !== 'then');
    default:
      return false;
  }
}

/** Per checker (so per program), per node: several rules ask about the same expressions in one analysis. */
const thenableMemo = new WeakMap<TS.TypeChecker, WeakMap<TS.Node, boolean>>();

export function isThenable(checker: TS.TypeChecker, node: TS.Node): boolean {
  let memo = thenableMemo.get(checker);
  if (!memo) thenableMemo.set(checker, (memo = new WeakMap()));
  let thenable = memo.get(node);
  if (thenable === undefined) {
    if (neverThenable(node)) {
      memo.set(node, false);
      return false;
    }
    // A call whose every candidate signature returns a non-thenable type, whatever its arguments: no need to
    // resolve it (and to type its callbacks). Otherwise the checker's answer, as for any other expression.
    if (ts.isCallExpression(node) && !lightThenable(checker, node, (type) => isThenableType(checker, type, node), () => surelyWithoutThen(node, checker))) {
      memo.set(node, false);
      return false;
    }
    thenable = isThenableType(checker, checker.getTypeAtLocation(node), node);
    memo.set(node, thenable);
  }
  return thenable;
}

/** `Promise<T>[]`, `readonly Promise<T>[]` or a tuple of promises. */
export function isArrayOfThenables(checker: TS.TypeChecker, node: TS.Node): boolean {
  // `[a, b]`: an array of thenables when one of its elements is one (the literal's element type is their union).
  if (ts.isArrayLiteralExpression(node) && !node.elements.some(ts.isSpreadElement)) return node.elements.some((element) => isThenable(checker, element));
  if (neverThenable(node)) return false;
  // As in isThenable: a call whose declared return types are no arrays of thenables needs no resolution.
  if (ts.isCallExpression(node) && !lightThenable(checker, node, (type) => isArrayOfThenablesType(checker, type, node))) return false;
  return isArrayOfThenablesType(checker, checker.getTypeAtLocation(node), node);
}

function isArrayOfThenablesType(checker: TS.TypeChecker, type: TS.Type, node: TS.Node): boolean {
  if (isAnyOrUnknown(type)) return false;
  if (checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as TS.TypeReference);
    return elements.length > 0 && elements.some((element) => isThenableType(checker, element, node));
  }
  if (checker.isArrayType(type)) {
    const [element] = checker.getTypeArguments(type as TS.TypeReference);
    return !!element && isThenableType(checker, element, node);
  }
  return false;
}

/** Whether every call signature of the type returns a thenable (an async function or one returning a promise). */
export function returnsThenable(checker: TS.TypeChecker, fnType: TS.Type, at: TS.Node): boolean {
  const signatures = fnType.getCallSignatures();
  return signatures.length > 0 && signatures.some((s) => isThenableType(checker, s.getReturnType(), at));
}

/** Whether a function type's return type is `void` (so a returned promise is dropped by the caller). */
export function returnsVoid(signature: TS.Signature): boolean {
  const ret = signature.getReturnType();
  return (ret.flags & ts.TypeFlags.Void) !== 0;
}

export function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

export function isAsyncFunction(node: TS.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.AsyncKeyword);
}

/** The symbol an import alias stands for (the symbol itself when it is no alias; undefined when unresolvable). */
export function resolveAlias(checker: TS.TypeChecker, symbol: TS.Symbol | undefined): TS.Symbol | undefined {
  if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return symbol;
  try {
    return checker.getAliasedSymbol(symbol);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Syntax helpers shared by the rules.

export function skipParentheses(node: TS.Expression): TS.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

/** The module string of `require('x')` (one string argument), or undefined for any other expression. */
export function requiredModule(node: TS.Expression): TS.StringLiteralLike | undefined {
  if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'require' || node.arguments.length !== 1) return undefined;
  const [argument] = node.arguments;
  return argument && ts.isStringLiteralLike(argument) ? argument : undefined;
}

/** Skips parentheses, `!`, `as`, `satisfies` and `<T>` casts: the expression that produces the value. */
export function skipOuterExpressions(node: TS.Expression): TS.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current) || ts.isAsExpression(current)
    || ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** Walks a function body without entering nested functions or classes (their awaits and returns are their own). */
export function forEachOwnNode(body: TS.Node, visit: (node: TS.Node) => void): void {
  const walk = (node: TS.Node): void => {
    visit(node);
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(body, walk);
}

/** A function that hands back a value: a concise body, or a `return x` of its own. */
export function returnsValue(fn: TS.ArrowFunction | TS.FunctionExpression): boolean {
  if (!ts.isBlock(fn.body)) return true;
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (ts.isReturnStatement(node) && node.expression) found = true;
  });
  return found;
}

/** A callback that hands back a promise: a concise body or a `return` of a thenable (syntax first, then the checker). */
export function returnsPromise(fn: TS.ArrowFunction | TS.FunctionExpression, checker: TS.TypeChecker): boolean {
  if (!ts.isBlock(fn.body)) return isThenable(checker, fn.body);
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (!found && ts.isReturnStatement(node) && node.expression && isThenable(checker, node.expression)) found = true;
  });
  return found;
}
