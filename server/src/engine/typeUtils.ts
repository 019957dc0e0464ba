import { ts } from 'ts-morph';

export function isAnyOrUnknown(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
}

function unionParts(type: ts.Type): ts.Type[] {
  return type.isUnion() ? type.types : [type];
}

/**
 * A type is thenable when one of its union parts has a callable `then` (what `await` unwraps).
 * any/unknown/error types are never thenable: precision over recall.
 */
export function isThenableType(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): boolean {
  if (isAnyOrUnknown(type)) return false;
  for (const part of unionParts(type)) {
    if (isAnyOrUnknown(part)) continue;
    const then = part.getProperty('then');
    if (!then) continue;
    const thenType = checker.getTypeOfSymbolAtLocation(then, at);
    if (thenType.getCallSignatures().length > 0) return true;
  }
  return false;
}

export function isThenable(checker: ts.TypeChecker, node: ts.Node): boolean {
  return isThenableType(checker, checker.getTypeAtLocation(node), node);
}

/** `Promise<T>[]`, `readonly Promise<T>[]` or a tuple of promises. */
export function isArrayOfThenables(checker: ts.TypeChecker, node: ts.Node): boolean {
  const type = checker.getTypeAtLocation(node);
  if (isAnyOrUnknown(type)) return false;
  if (checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as ts.TypeReference);
    return elements.length > 0 && elements.some((element) => isThenableType(checker, element, node));
  }
  if (checker.isArrayType(type)) {
    const [element] = checker.getTypeArguments(type as ts.TypeReference);
    return !!element && isThenableType(checker, element, node);
  }
  return false;
}

/** Whether every call signature of the type returns a thenable (an async function or one returning a promise). */
export function returnsThenable(checker: ts.TypeChecker, fnType: ts.Type, at: ts.Node): boolean {
  const signatures = fnType.getCallSignatures();
  return signatures.length > 0 && signatures.some((s) => isThenableType(checker, s.getReturnType(), at));
}

/** Whether a function type's return type is `void` (so a returned promise is dropped by the caller). */
export function returnsVoid(signature: ts.Signature): boolean {
  const ret = signature.getReturnType();
  return (ret.flags & ts.TypeFlags.Void) !== 0;
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

export function isAsyncFunction(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.AsyncKeyword);
}
