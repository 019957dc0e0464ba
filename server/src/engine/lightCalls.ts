import { ts, type TS } from './typescript.js';
import { parametersWithoutThis } from './typeUtils.js';

/**
 * Answers about a call from its callee's declared signatures, without resolving the call.
 *
 * Resolving a call (what `getTypeAtLocation(call)` does) checks every argument, and checking a callback argument
 * checks its body: on query-builder and fluent-assertion code one question about `a.b(x => ...).c()` types the whole
 * chain with all its callbacks. When no candidate signature's return type mentions the signature's own type
 * parameters, the call's type is the declared return type whatever the arguments are, so the arguments need not be
 * checked. Receivers are read the same way through `call().member` chains and consts initialised by calls; other
 * references (`a`, `this.a.b`) are left to the checker (declared types, and flow narrowing applies to them).
 * Every function here answers undefined ("ask the checker") when unsure; callers use the answers only to rule a
 * candidate out, never to report.
 */

/** Declaration -> whether its return type is written without the signature's own type parameters. */
const independentReturns = new WeakMap<TS.Node, boolean>();

function mentionsNames(node: TS.Node, names: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (child: TS.Node): void => {
    if (found) return;
    // `typeof x` may name a parameter whose type is generic.
    if ((ts.isIdentifier(child) && names.has(child.text)) || ts.isTypeQueryNode(child)) {
      found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

function typeParameterNames(signature: TS.Signature): Set<string> {
  return new Set((signature.getTypeParameters() ?? []).map((p) => p.symbol.name));
}

/** The signature's return type cannot depend on inference from the arguments. */
function returnIndependent(signature: TS.Signature): boolean {
  if (!signature.getTypeParameters()?.length) return true;
  const declaration = signature.getDeclaration() as TS.SignatureDeclaration | undefined;
  if (!declaration || ts.isJSDocSignature(declaration)) return false;
  let known = independentReturns.get(declaration);
  if (known === undefined) {
    known = !!declaration.type && !mentionsNames(declaration.type, typeParameterNames(signature));
    independentReturns.set(declaration, known);
  }
  return known;
}

/** Per checker, per mode: own type parameters left open (`generic`), chains the light path cannot read resolved by the checker (`resolve`). */
const lightTypes = new WeakMap<TS.TypeChecker, Map<string, WeakMap<TS.Node, TS.Type | null>>>();

interface Mode {
  generic: boolean;
  resolve: boolean;
}
const RESOLVING: Mode = { generic: false, resolve: true };

/**
 * A type whose members may change when its type parameters are instantiated: a type parameter, conditional, indexed
 * access or other instantiable type, a generic mapped type, or a union/intersection holding one. (An interface or class
 * reference such as `Matchers<void, T>` keeps its members; only their types are instantiated.)
 */
function isOpen(type: TS.Type): boolean {
  const parts = type.isUnionOrIntersection() ? [type, ...type.types] : [type];
  return parts.some((part) => (part.flags & ts.TypeFlags.Instantiable) !== 0
    || ((part.flags & ts.TypeFlags.Object) !== 0 && ((part as TS.ObjectType).objectFlags & ts.ObjectFlags.Mapped) !== 0));
}

/** void, undefined, null, booleans, numbers, strings, bigints, symbols, never: no `then` whatever a type parameter becomes. */
function isClosedPrimitive(type: TS.Type): boolean {
  if (type.isUnion()) return type.types.every(isClosedPrimitive);
  const primitive = ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.BooleanLike | ts.TypeFlags.NumberLike
    | ts.TypeFlags.StringLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.Never;
  return (type.flags & primitive) !== 0 && (type.flags & ts.TypeFlags.Instantiable) === 0;
}

/**
 * The call surely returns a primitive (`expect(x).toBe(y)` returns void), read from declared signatures with the
 * signatures' own type parameters left open (`expect<T>(actual: T): Matchers<void, T>`): members are looked up only
 * on closed types (see isOpen), and the answer must be a primitive in every candidate, which no instantiation of a
 * type parameter can make thenable. Spares typing the arguments (`expect(await query())`).
 */
export function returnsPrimitiveWhateverArguments(call: TS.CallExpression, checker: TS.TypeChecker): boolean {
  const types = lightReturnTypes(call, checker, { generic: true, resolve: false });
  return !!types && !(types.length === 1 && types[0]!.flags & ts.TypeFlags.Any) && types.every(isClosedPrimitive);
}

/**
 * The type of a callee or receiver without resolving calls whose result does not depend on their arguments:
 * `call()`, `call().member`, and a `const` initialised by such a call (`query` in `const query = db.select(...)`).
 * A const's declared type is what the checker narrows from; narrowing only removes possibilities, and these answers
 * only ever rule candidates out. Other references (`a`, `this.a.b`) are the checker's (cheap: declared types).
 */
function lightExpressionType(node: TS.Expression, checker: TS.TypeChecker, mode: Mode, depth = 0): TS.Type | undefined {
  if (depth > 32) return undefined;
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  if (ts.isCallExpression(current)) return lightCallType(current, checker, mode);
  if (ts.isPropertyAccessExpression(current) && ts.isIdentifier(current.name)) {
    let base = lightExpressionType(current.expression, checker, mode, depth + 1);
    if (!base) return undefined;
    if (current.questionDotToken) base = base.getNonNullableType();
    // Primitives (`'a'.trim()`), any and type parameters have members the checker finds through apparent types.
    if (!(base.flags & (ts.TypeFlags.Object | ts.TypeFlags.Union | ts.TypeFlags.Intersection))) return undefined;
    if (mode.generic && isOpen(base)) return undefined;
    const property = checker.getPropertyOfType(base, current.name.text);
    return property ? checker.getTypeOfSymbol(property) : undefined;
  }
  if (ts.isIdentifier(current)) {
    const initializer = constInitialisedByCall(current, checker);
    return initializer ? lightCallType(initializer, checker, mode) : undefined;
  }
  return undefined;
}

/** A reference whose type the checker reads from declarations (and narrows): `a`, `this`, `a.b.c`, `this.a`. */
function isReference(node: TS.Expression): boolean {
  let current: TS.Expression = node;
  while (ts.isPropertyAccessExpression(current) || ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  return ts.isIdentifier(current) || current.kind === ts.SyntaxKind.ThisKeyword || current.kind === ts.SyntaxKind.SuperKeyword;
}

/** The callee's type: light where it can be (see lightExpressionType), else the checker's. */
function calleeType(call: TS.CallExpression, checker: TS.TypeChecker, mode: Mode): TS.Type | undefined {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword || callee.kind === ts.SyntaxKind.SuperKeyword) return undefined;
  // CommonJS `require(...)` is typed as the module it loads, not by its declared signature.
  if (ts.isIdentifier(callee) && callee.text === 'require') return undefined;
  if (ts.isPropertyAccessExpression(callee)) {
    const light = lightExpressionType(callee, checker, mode);
    if (light) return light;
    // `qb.where` in `(qb) => qb.where(...)`: typing `qb` resolves the call the callback is passed to, with all its
    // arguments; not a cheap question.
    if (!mode.resolve && (!isReference(callee) || rootReadThrough(callee, checker))) return undefined;
  }
  return checker.getTypeAtLocation(callee);
}

/** The callee's call signatures (candidates of overload resolution); undefined when there are none to read. */
export function candidateSignatures(call: TS.CallExpression, checker: TS.TypeChecker): readonly TS.Signature[] | undefined {
  const type = calleeType(call, checker, RESOLVING);
  if (!type) return undefined;
  let signatures = type.getCallSignatures();
  if (signatures.length === 0 && (call.questionDotToken || ts.isOptionalChain(call))) signatures = type.getNonNullableType().getCallSignatures();
  return signatures.length > 0 ? signatures : undefined;
}

/** More possibilities than this and the checker is asked instead. */
const MAX_POSSIBLE_TYPES = 16;

/**
 * The types an expression may have with the type arguments its calls would infer left open, one per candidate
 * signature of each call in the chain (a const initialised by such a chain included): the checker picks one
 * candidate per call, and the members of an interface or class reference, with their declarations, are the same
 * whatever its type arguments are (see isOpen). An unannotated callback parameter is read from the call it is passed
 * to (see possibleCallbackParameterTypes; a candidate giving it no context, so `any`, adds nothing). Other references
 * (`a`, `this.a.b`) are the checker's. Only for questions the type's declarations and members answer whatever its type
 * arguments are (which declarations, which symbol, whether it has a member). Undefined: unsure.
 */
function possibleTypes(node: TS.Expression, checker: TS.TypeChecker, depth: number): TS.Type[] | undefined {
  if (depth > 32) return undefined;
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  if (ts.isCallExpression(current)) {
    const callee = current.expression;
    if (callee.kind === ts.SyntaxKind.ImportKeyword || callee.kind === ts.SyntaxKind.SuperKeyword || ts.isOptionalChain(current)) return undefined;
    if (ts.isIdentifier(callee) && callee.text === 'require') return undefined;
    const signatures = possibleSignatures(callee, checker, depth + 1);
    if (!signatures) return undefined;
    const results: TS.Type[] = [];
    for (const signature of signatures) {
      if (!addPossibleType(signature.getReturnType(), checker, results, 0)) return undefined;
    }
    return results;
  }
  if (ts.isIdentifier(current)) {
    const initializer = constInitialisedByCall(current, checker);
    if (initializer) return possibleTypes(initializer, checker, depth + 1);
    const parameter = callbackParameterOf(current, checker);
    return (parameter && possibleCallbackParameterTypes(parameter, checker)) || [checker.getTypeAtLocation(current)];
  }
  // `this.a.b` and `a.b` with a plain `a`: declared types, narrowed where they are used.
  if (isReference(current) && !(ts.isPropertyAccessExpression(current) && rootReadThrough(current, checker))) return [checker.getTypeAtLocation(current)];
  if (ts.isPropertyAccessExpression(current) && ts.isIdentifier(current.name) && !current.questionDotToken) {
    const bases = possibleTypes(current.expression, checker, depth + 1);
    if (!bases) return undefined;
    const results: TS.Type[] = [];
    for (const base of bases) {
      if (!(base.flags & (ts.TypeFlags.Object | ts.TypeFlags.Union | ts.TypeFlags.Intersection)) || isOpen(base)) return undefined;
      const property = checker.getPropertyOfType(base, current.name.text);
      if (!property || !addPossibleType(checker.getTypeOfSymbol(property), checker, results, 0)) return undefined;
    }
    return results;
  }
  return undefined;
}

/**
 * Adds a possible type, a conditional type as its branches as written (kysely's `SelectFrom<DB, TB, TE>` is
 * `[TE] extends [keyof DB] ? SelectQueryBuilder<...> : ...`): once instantiated it is one of them, a union of them,
 * or still deferred, whose members are then read from its branches too. `never` has no value and adds nothing.
 */
function addPossibleType(type: TS.Type, checker: TS.TypeChecker, out: TS.Type[], depth: number): boolean {
  if (type.flags & ts.TypeFlags.Never) return true;
  if (type.flags & ts.TypeFlags.Conditional) {
    if (depth > 8) return false;
    const { trueType, falseType } = (type as TS.ConditionalType).root.node;
    return addPossibleType(checker.getTypeFromTypeNode(trueType), checker, out, depth + 1)
      && addPossibleType(checker.getTypeFromTypeNode(falseType), checker, out, depth + 1);
  }
  if (!out.includes(type)) out.push(type);
  return out.length <= MAX_POSSIBLE_TYPES;
}

/**
 * The types `query` may have with `const query = db.selectFrom(...)...` (see possibleTypes): undefined when the
 * identifier is no such const or when unsure.
 */
export function possibleCallConstTypes(identifier: TS.Identifier, checker: TS.TypeChecker): TS.Type[] | undefined {
  const initializer = constInitialisedByCall(identifier, checker);
  return initializer ? possibleTypes(initializer, checker, 0) : undefined;
}

/** The unannotated callback parameter the identifier refers to (`qb` in `(qb) => qb.where(...)`). */
function callbackParameterOf(identifier: TS.Identifier, checker: TS.TypeChecker): TS.ParameterDeclaration | undefined {
  const declarations = checker.getSymbolAtLocation(identifier)?.declarations;
  const declaration = declarations?.length === 1 ? declarations[0] : undefined;
  return declaration && ts.isParameter(declaration) && !declaration.type && ts.isIdentifier(declaration.name)
    && (ts.isArrowFunction(declaration.parent) || ts.isFunctionExpression(declaration.parent)) ? declaration : undefined;
}

/**
 * The types an unannotated callback parameter may get from its context, read like possibleTypes: the candidate
 * signatures of the call it is passed to with their type arguments left open (`qb` in `db.selectFrom('person')
 * .$if(flag, (qb) => ...)` is a `SelectQueryBuilder<DB, TB, O>`). For questions about a type's symbol only (which
 * declared type it is), as the types are uninstantiated. Undefined: unsure. A candidate without a parameter at that
 * position adds nothing (the parameter is `any` there).
 */
export function possibleCallbackParameterTypes(parameter: TS.ParameterDeclaration, checker: TS.TypeChecker): TS.Type[] | undefined {
  return callbackParameterTypes(parameter, checker, true);
}

/** `query.execute` with `const query = db.selectFrom(...)`, `qb.where` in `(qb) => qb.where(...)`: a root possibleTypes reads through. */
function rootReadThrough(node: TS.PropertyAccessExpression, checker: TS.TypeChecker): boolean {
  let current: TS.Expression = node;
  while (ts.isPropertyAccessExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
  return ts.isIdentifier(current) && (constInitialisedByCall(current, checker) !== undefined || callbackParameterOf(current, checker) !== undefined);
}

/** The call signatures of every possible type of a callee (see possibleTypes); undefined when one is any, open or not callable. */
function possibleSignatures(callee: TS.Expression, checker: TS.TypeChecker, depth: number): TS.Signature[] | undefined {
  const types = possibleTypes(callee, checker, depth);
  if (!types) return undefined;
  const signatures: TS.Signature[] = [];
  for (const type of types) {
    if (type.flags & ts.TypeFlags.Any || isOpen(type)) return undefined;
    const own = type.getCallSignatures();
    if (own.length === 0) return undefined;
    signatures.push(...own);
  }
  return signatures;
}

/** The initialiser of an unannotated `const x = call(...)` that the identifier refers to. */
function constInitialisedByCall(identifier: TS.Identifier, checker: TS.TypeChecker): TS.CallExpression | undefined {
  const symbol = checker.getSymbolAtLocation(identifier);
  const declaration = symbol?.declarations?.length === 1 ? symbol.valueDeclaration : undefined;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.type || !ts.isIdentifier(declaration.name)) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || !ts.isVariableStatement(list.parent)) return undefined;
  let initializer = declaration.initializer;
  while (initializer && ts.isParenthesizedExpression(initializer)) initializer = initializer.expression;
  return initializer && ts.isCallExpression(initializer) ? initializer : undefined;
}

/**
 * The call surely makes no value with a `then` member, whatever its type arguments (see possibleTypes): every possible
 * type is closed, and none of its union parts has a `then`.
 */
export function surelyWithoutThen(call: TS.CallExpression, checker: TS.TypeChecker): boolean {
  const types = possibleTypes(call, checker, 0);
  return !!types && types.every((type) => !(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Instantiable)) && !isOpen(type)
    && (type.isUnion() ? type.types : [type]).every((part) => !(part.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) && !part.getProperty('then')));
}

/**
 * The declarations of the callee's candidate signatures, read without inferring the type arguments of the chain
 * before it (see possibleTypes). Only the declarations are of use: the signatures found this way are uninstantiated.
 * Falls back to candidateSignatures.
 */
export function candidateDeclarations(call: TS.CallExpression, checker: TS.TypeChecker): Array<TS.Node | undefined> | undefined {
  const signatures = !ts.isOptionalChain(call) && ts.isPropertyAccessExpression(call.expression) ? possibleSignatures(call.expression, checker, 0) : undefined;
  return (signatures ?? candidateSignatures(call, checker))?.map((s) => s.getDeclaration());
}

/**
 * The possible types of the call when they do not depend on its arguments: one per candidate signature (the
 * checker picks one of them), or `[any]` for a call of an `any`. Undefined: only resolving the call can tell.
 */
export function lightReturnTypes(call: TS.CallExpression, checker: TS.TypeChecker, mode: Mode = RESOLVING): TS.Type[] | undefined {
  const type = calleeType(call, checker, mode);
  if (!type) return undefined;
  if (type.flags & ts.TypeFlags.Any) return [type];
  let signatures = type.getCallSignatures();
  if (signatures.length === 0 && (call.questionDotToken || ts.isOptionalChain(call))) signatures = type.getNonNullableType().getCallSignatures();
  if (signatures.length === 0 || (!mode.generic && !signatures.every(returnIndependent))) return undefined;
  return signatures.map((s) => s.getReturnType());
}

/** The call's type when every candidate gives the same one (a chain link such as `qb.where(cb)`). */
export function lightCallType(call: TS.CallExpression, checker: TS.TypeChecker, mode: Mode = RESOLVING): TS.Type | undefined {
  let memos = lightTypes.get(checker);
  if (!memos) lightTypes.set(checker, (memos = new Map()));
  const key = `${mode.generic}:${mode.resolve}`;
  let memo = memos.get(key);
  if (!memo) memos.set(key, (memo = new WeakMap()));
  const cached = memo.get(call);
  if (cached !== undefined) return cached ?? undefined;
  const types = lightReturnTypes(call, checker, mode);
  let type = types && types.every((t) => t === types[0]) ? types[0] : undefined;
  // A link whose type needs inference (`db.selectFrom('person')`, generic in its argument) is resolved alone when
  // chains may be resolved: the links after it are then read from declarations again, so their callbacks
  // (`.where((eb) => ...)`) are not typed, where asking the checker about the outer expression would type them all.
  // A receiver has no contextual type, so the checker types the link alone as it would inside the chain.
  if (!type && mode.resolve && !mode.generic && !ts.isOptionalChain(call) && call.expression.kind !== ts.SyntaxKind.ImportKeyword) {
    type = checker.getTypeAtLocation(call);
  }
  memo.set(call, type ?? null);
  return type;
}

/** lightReturnTypes without resolving chains the light path cannot read (cheap first attempt). */
export function lightReturnTypesUnresolved(call: TS.CallExpression, checker: TS.TypeChecker): TS.Type[] | undefined {
  return lightReturnTypes(call, checker, { generic: false, resolve: false });
}

/**
 * The types a parameter position of the call may have, one per candidate signature (null: that candidate has no
 * parameter there), when they do not depend on inference. A parameter typed as a bare own type parameter that no
 * other parameter mentions is inferred from this argument alone: reported as 'inferred-from-argument'.
 */
export function lightParameterTypes(call: TS.CallExpression, index: number, checker: TS.TypeChecker): Array<TS.Type | null | 'inferred-from-argument'> | undefined {
  return lightParameterTypesWith(call, index, checker, () => 'inferred-from-argument');
}

function lightParameterTypesWith<T>(
  call: TS.CallExpression, index: number, checker: TS.TypeChecker, inferred: (typeParameter: TS.Type) => T,
): Array<TS.Type | null | T> | undefined {
  if (call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return undefined;
  const signatures = candidateSignatures(call, checker);
  return signatures && parameterTypesAt(signatures, index, checker, inferred, false);
}

/**
 * The parameter types at a position of the given candidate signatures (see lightParameterTypes). `open`: the signatures
 * are read with type arguments left open (possibleSignatures), and a type mentioning the signature's own type parameters
 * is taken as declared rather than ruled unsure, for callers that treat anything open as unsure themselves.
 */
function parameterTypesAt<T>(
  signatures: readonly TS.Signature[], index: number, checker: TS.TypeChecker, inferred: (typeParameter: TS.Type) => T, open: boolean,
): Array<TS.Type | null | T> | undefined {
  const result: Array<TS.Type | null | T> = [];
  for (const signature of signatures) {
    const parameters = signature.getParameters();
    const declaration = signature.getDeclaration() as TS.SignatureDeclaration | undefined;
    if (!declaration || ts.isJSDocSignature(declaration)) return undefined;
    const declared = parametersWithoutThis(declaration.parameters);
    if (declared.length !== parameters.length) return undefined;
    if (declared.some((p) => p.dotDotDotToken) && index >= declared.length - 1) return undefined;
    const parameter = declared[index];
    if (!parameter) {
      result.push(null);
      continue;
    }
    const typeParameters = typeParameterNames(signature);
    if (typeParameters.size > 0) {
      if (!parameter.type) return undefined;
      if (mentionsNames(parameter.type, typeParameters)) {
        // `selections: ReadonlyArray<SE>`: an instance of an interface or class without call signatures takes no
        // callback whatever SE is (type arguments never add members' signatures to it): no contextual callback type.
        if (isNeverCallableTypeNode(parameter.type, checker)) {
          result.push(checker.getTypeOfSymbol(parameters[index]!));
          continue;
        }
        const bare = ts.isTypeReferenceNode(parameter.type) && !parameter.type.typeArguments && ts.isIdentifier(parameter.type.typeName)
          ? parameter.type.typeName.text : undefined;
        if (bare === undefined && open) {
          result.push(checker.getTypeOfSymbol(parameters[index]!));
          continue;
        }
        const elsewhere = bare !== undefined && declared.some((p, i) => i !== index && !!p.type && mentionsNames(p.type, new Set([bare])));
        const typeParameter = bare === undefined ? undefined : signature.getTypeParameters()?.find((p) => p.symbol.name === bare);
        if (!typeParameter || elsewhere || parameter.questionToken) return undefined;
        result.push(inferred(typeParameter));
        continue;
      }
    }
    result.push(checker.getTypeOfSymbol(parameters[index]!));
  }
  return result;
}

/**
 * `T[]`, `[A, B]`, or a reference to an interface or class without call or construct signatures (`ReadonlyArray<T>`,
 * `Map<K, V>`), read from the type as written: resolving the declared type of a parameter typed by a generic alias
 * (a query builder's `ExpressionOrFactory<DB, TB, V>`) can cost what reading declarations saves.
 */
function isNeverCallableTypeNode(node: TS.TypeNode, checker: TS.TypeChecker): boolean {
  if (ts.isArrayTypeNode(node) || ts.isTupleTypeNode(node)) return true;
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return isNeverCallableTypeNode(node.type, checker);
  if (!ts.isTypeReferenceNode(node)) return false;
  let symbol = checker.getSymbolAtLocation(node.typeName);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  if (!symbol || !(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) || symbol.flags & ts.SymbolFlags.TypeAlias) return false;
  const declared = checker.getDeclaredTypeOfSymbol(symbol);
  return declared.getCallSignatures().length === 0 && declared.getConstructSignatures().length === 0;
}

/**
 * The types an unannotated parameter of a callback argument may get from its context (`qb` in `x.where((qb) => ...)`),
 * read from the declared signatures of the call the callback is passed to; a parameter typed by a bare type parameter
 * of that call takes the parameter's constraint as its context, as in the checker's inference. Undefined: only the
 * checker can tell (the call resolved, the callback typed).
 */
/** The call a function expression is passed to (through parentheses) and its argument position. */
export function asCallArgument(fn: TS.Expression): { call: TS.CallExpression; index: number } | undefined {
  let node: TS.Node = fn;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const call = node.parent;
  if (!ts.isCallExpression(call) || call.expression === node) return undefined;
  const index = call.arguments.indexOf(node as TS.Expression);
  return index < 0 ? undefined : { call, index };
}

export function lightCallbackParameterTypes(parameter: TS.ParameterDeclaration, checker: TS.TypeChecker): TS.Type[] | undefined {
  return callbackParameterTypes(parameter, checker, false);
}

/**
 * lightCallbackParameterTypes, or with `open` possibleCallbackParameterTypes: the candidates are read with their type
 * arguments left open, a conditional context counts as its branches, and anything still open makes the answer unsure.
 */
function callbackParameterTypes(parameter: TS.ParameterDeclaration, checker: TS.TypeChecker, open: boolean): TS.Type[] | undefined {
  const fn = parameter.parent;
  if (parameter.type || parameter.dotDotDotToken || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
  const position = fn.parameters.indexOf(parameter);
  if (fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === 'this')) return undefined;
  const argument = asCallArgument(fn);
  if (!argument) return undefined;
  const { call, index } = argument;
  const byConstraint = (typeParameter: TS.Type) => typeParameter.getConstraint() ?? null;
  let contexts: Array<TS.Type | null> | undefined;
  if (!open) {
    contexts = lightParameterTypesWith(call, index, checker, byConstraint);
  } else if (!ts.isOptionalChain(call) && !call.arguments.slice(0, index + 1).some(ts.isSpreadElement)
    && (ts.isPropertyAccessExpression(call.expression) || ts.isIdentifier(call.expression))) {
    const signatures = possibleSignatures(call.expression, checker, 0);
    // An unconstrained type parameter stays itself here, which the open reading below takes as unsure.
    contexts = signatures && parameterTypesAt(signatures, index, checker, (typeParameter) => typeParameter.getConstraint() ?? typeParameter, true);
  }
  if (!contexts) return undefined;
  const types: TS.Type[] = [];
  for (const context of contexts) {
    if (!context) continue; // no contextual type there: the parameter is `any`
    const nonNullable = context.getNonNullableType();
    const possible: TS.Type[] = [];
    if (open && !addPossibleType(nonNullable, checker, possible, 0)) return undefined;
    for (const type of open ? possible : [nonNullable]) {
      for (const member of type.isUnion() ? type.types : [type]) {
        if (member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | (open ? ts.TypeFlags.Instantiable : ts.TypeFlags.TypeParameter))) return undefined;
        if (open && isOpen(member)) return undefined;
        for (const signature of member.getCallSignatures()) {
          if (signature.getTypeParameters()?.length) return undefined;
          const last = signature.getDeclaration() as TS.SignatureDeclaration | undefined;
          if (!last || ts.isJSDocSignature(last) || last.parameters.some((p) => p.dotDotDotToken)) return undefined;
          const symbol = signature.getParameters()[position];
          if (!symbol) continue;
          if (!open) types.push(checker.getTypeOfSymbol(symbol));
          else if (!addPossibleType(checker.getTypeOfSymbol(symbol), checker, types, 0)) return undefined;
        }
      }
    }
  }
  return types;
}
