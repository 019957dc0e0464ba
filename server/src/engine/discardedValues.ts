import { ts, type TS } from './typescript.js';
import { asCallArgument, candidateSignatures, lightParameterTypes } from './lightCalls.js';
import type { Framework, TestModel } from './testModel.js';
import { isAsyncFunction, parametersWithoutThis, returnsVoid, skipParentheses } from './typeUtils.js';
import type { TextEdit } from './types.js';

/**
 * Where a value is thrown away:
 * - `statement`: an expression statement, a comma operand, a branch of `c ? a : b` or the right side
 *   of `&&`/`||`/`??` in statement position;
 * - `void`: the operand of `void` (an explicit discard);
 * - `callback`: the concise body of a non-async arrow whose contextual return type is `void`
 *   (`items.forEach((x) => save(x))`), so the caller drops what it returns.
 */
export type DiscardKind = 'statement' | 'void' | 'callback';

export interface DiscardedValue {
  expression: TS.Expression;
  kind: DiscardKind;
  /**
   * The `await` whose operand drops this value (`await (x(), null)`, `await void x()`): what is awaited is
   * something else.
   */
  insideAwait?: TS.AwaitExpression;
  /** The value is the tested left side of `&&`/`||`/`??` (a promise there is always truthy, and nothing awaits it). */
  asCondition?: boolean;
  /** The `void` expression, for kind `void`. */
  voidExpression?: TS.VoidExpression;
  /** The arrow whose result is dropped, for kind `callback`. */
  callback?: TS.ArrowFunction;
  /** The statement, when the expression is the whole expression of an expression statement. */
  statement?: TS.ExpressionStatement;
}

function collectOperands(
  expression: TS.Expression,
  kind: 'statement' | 'callback',
  into: DiscardedValue[],
  extra: Pick<DiscardedValue, 'callback' | 'statement' | 'insideAwait'>,
): void {
  const node = skipParentheses(expression);
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.CommaToken) {
      collectOperands(node.left, kind, into, { ...extra, statement: undefined });
      collectOperands(node.right, kind, into, { ...extra, statement: undefined });
      return;
    }
    if (
      operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken
      || operator === ts.SyntaxKind.QuestionQuestionToken
    ) {
      // The left side is tested (a promise there is always truthy, and dropped); the right side is the dropped result.
      if (operator !== ts.SyntaxKind.QuestionQuestionToken) pushCondition(node.left, kind, into, extra);
      collectOperands(node.right, kind, into, { ...extra, statement: undefined });
      return;
    }
  }
  if (ts.isConditionalExpression(node)) {
    collectOperands(node.whenTrue, kind, into, { ...extra, statement: undefined });
    collectOperands(node.whenFalse, kind, into, { ...extra, statement: undefined });
    return;
  }
  if (ts.isVoidExpression(node)) {
    const value: DiscardedValue = { expression: skipParentheses(node.expression), kind: 'void', voidExpression: node };
    if (extra.insideAwait) value.insideAwait = extra.insideAwait;
    into.push(value);
    return;
  }
  if (ts.isAwaitExpression(node)) return;
  const value: DiscardedValue = { expression: node, kind };
  if (extra.callback) value.callback = extra.callback;
  if (extra.statement) value.statement = extra.statement;
  if (extra.insideAwait) value.insideAwait = extra.insideAwait;
  into.push(value);
}

/** The tested side of a logical operator, when it is a call (only calls can produce a promise worth reporting there). */
function pushCondition(
  expression: TS.Expression,
  kind: 'statement' | 'callback',
  into: DiscardedValue[],
  extra: Pick<DiscardedValue, 'callback' | 'statement' | 'insideAwait'>,
): void {
  const node = skipParentheses(expression);
  if (!ts.isCallExpression(node)) return;
  const value: DiscardedValue = { expression: node, kind, asCondition: true };
  if (extra.callback) value.callback = extra.callback;
  if (extra.insideAwait) value.insideAwait = extra.insideAwait;
  into.push(value);
}

/**
 * Values an awaited expression drops: `await (a(), b())` drops `a()`, `await void x()` awaits undefined,
 * `await (a() && b())` tests `a()` (always truthy when it is a promise) and awaits `b()`.
 */
function collectInsideAwait(awaited: TS.AwaitExpression, into: DiscardedValue[]): void {
  const node = skipParentheses(awaited.expression);
  const extra = { insideAwait: awaited };
  if (ts.isVoidExpression(node)) {
    into.push({ expression: skipParentheses(node.expression), kind: 'void', voidExpression: node, insideAwait: awaited });
    return;
  }
  if (!ts.isBinaryExpression(node)) return;
  const operator = node.operatorToken.kind;
  if (operator === ts.SyntaxKind.CommaToken) {
    // Every operand but the last is dropped; the last is awaited.
    const operands: TS.Expression[] = [];
    let current: TS.Expression = node;
    while (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.CommaToken && operands.length < 256) {
      operands.unshift(current.right);
      current = skipParentheses(current.left);
    }
    operands.unshift(current);
    operands.pop();
    for (const operand of operands) collectOperands(operand, 'statement', into, extra);
  } else if (
    operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken
  ) {
    pushCondition(node.left, 'statement', into, extra);
  }
}

/**
 * What the rules look for, collected in one walk over the file and shared by every rule of an analysis
 * (memoised on the test model, which lives exactly as long as the analysis).
 */
export interface SyntaxIndex {
  /** Every expression whose value is discarded (see DiscardKind). */
  discarded: DiscardedValue[];
  /** Every `await x` (`for await` excluded). */
  awaits: TS.AwaitExpression[];
  /** Every call and `new` expression with arguments. */
  callsWithArguments: Array<TS.CallExpression | TS.NewExpression>;
  /** Every `return x` (with a value). */
  returns: Array<TS.ReturnStatement & { expression: TS.Expression }>;
  /** Every variable declaration with an identifier name and an initializer. */
  initializedVariables: Array<TS.VariableDeclaration & { name: TS.Identifier; initializer: TS.Expression }>;
}

const indexes = new WeakMap<TestModel, SyntaxIndex>();

export function syntaxIndex(model: TestModel): SyntaxIndex {
  let index = indexes.get(model);
  if (!index) {
    index = buildIndex(model.sourceFile);
    indexes.set(model, index);
  }
  return index;
}

function buildIndex(sourceFile: TS.SourceFile): SyntaxIndex {
  const index: SyntaxIndex = { discarded: [], awaits: [], returns: [], callsWithArguments: [], initializedVariables: [] };
  const visit = (node: TS.Node): void => {
    if (ts.isExpressionStatement(node)) {
      collectOperands(node.expression, 'statement', index.discarded, { statement: node });
    } else if (ts.isArrowFunction(node) && !ts.isBlock(node.body) && !isAsyncFunction(node)) {
      collectOperands(node.body, 'callback', index.discarded, { callback: node });
    } else if (ts.isAwaitExpression(node)) {
      index.awaits.push(node);
      collectInsideAwait(node, index.discarded);
    } else if (ts.isReturnStatement(node) && node.expression) {
      index.returns.push(node as SyntaxIndex['returns'][number]);
    } else if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments && node.arguments.length > 0) {
      index.callsWithArguments.push(node);
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      index.initializedVariables.push(node as SyntaxIndex['initializedVariables'][number]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return index;
}

/**
 * Every expression whose value is discarded, found syntactically. Callback candidates still need
 * `ignoresReturnValue` (a checker call), done by the rule only for values that matter to it.
 */
export function discardedValues(model: TestModel): DiscardedValue[] {
  return syntaxIndex(model).discarded;
}

/**
 * Whether the caller of this arrow ignores what it returns: its contextual type's call signatures
 * all return `void`. Test, hook and step callbacks never count: runners await what they return,
 * even where an overload types the callback as returning `void` (mocha's `Func`).
 */
export function ignoresReturnValue(arrow: TS.ArrowFunction, checker: TS.TypeChecker, model: TestModel): boolean {
  if (model.blockOfCallback(arrow)) return false;
  const contextual = checker.getContextualType(arrow);
  if (!contextual) return false;
  const signatures = contextual.getNonNullableType().getCallSignatures();
  return signatures.length > 0 && signatures.every(returnsVoid) && !anotherOverloadKeepsResult(arrow, checker);
}

/**
 * The contextual type comes from the overload the call resolved to, the first that fits: for mocha's `TestFunction`
 * (a project's own `it` wrapper typed as it, say) that is `(title, fn?: Func)`, whose callback returns `void`, though
 * the next overload, `(title, fn?: AsyncFunc)`, takes the returned promise. An overload of the callee that fits the
 * call's argument count and takes a callback returning something at this position means the result may be kept.
 */
function anotherOverloadKeepsResult(arrow: TS.ArrowFunction, checker: TS.TypeChecker): boolean {
  const argument = asCallArgument(arrow);
  if (!argument) return false;
  const signatures = candidateSignatures(argument.call, checker);
  if (!signatures || signatures.length < 2) return false;
  const count = argument.call.arguments.length;
  return signatures.some((signature) => {
    const parameters = signature.getParameters();
    // A `this` parameter is declared but takes no argument (getParameters leaves it out too).
    const declaration = signature.getDeclaration();
    const declarations = declaration && parametersWithoutThis(declaration.parameters);
    const rest = declarations?.some((p) => p.dotDotDotToken) ?? false;
    const required = declarations?.filter((p) => !p.questionToken && !p.initializer && !p.dotDotDotToken).length ?? parameters.length;
    if (count < required || (!rest && count > parameters.length)) return false;
    const parameter = parameters[Math.min(argument.index, parameters.length - 1)];
    if (!parameter) return false;
    const callbacks = checker.getTypeOfSymbolAtLocation(parameter, argument.call).getNonNullableType().getCallSignatures();
    return callbacks.length > 0 && !callbacks.every(returnsVoid);
  });
}

/**
 * A cheap "the caller keeps it" for a callback value, asked before anything types the callback's body (typing its
 * parameters resolves the call it is passed to, callbacks and receivers included): the arrow is a test callback, or an
 * argument whose every candidate parameter type (read from the declared signatures) is no void-returning function, or
 * a bare type parameter inferred from this argument alone (then the callback returns what its body does: `void` only
 * when the body is void, which is neither thenable nor an async assertion). Only for callers that go on to require a
 * thenable body; false means "ask ignoresReturnValue".
 */
export function keepsThenableResult(arrow: TS.ArrowFunction, checker: TS.TypeChecker, model: TestModel): boolean {
  if (model.blockOfCallback(arrow)) return true;
  const argument = asCallArgument(arrow);
  if (!argument) return false;
  const types = lightParameterTypes(argument.call, argument.index, checker);
  if (!types) return false;
  return types.every((type) => {
    if (type === null || type === 'inferred-from-argument') return true;
    const signatures = type.getNonNullableType().getCallSignatures();
    return signatures.length === 0 || !signatures.every(returnsVoid);
  });
}

/** The nearest function around the node, or undefined at module level (and in class field initialisers). */
export function enclosingFunction(node: TS.Node): TS.SignatureDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isFunctionLike(current) && !ts.isTypeNode(current)) return current;
    if (ts.isClassStaticBlockDeclaration(current) || ts.isPropertyDeclaration(current)) return undefined;
  }
  return undefined;
}

export function isInsideAsyncFunction(node: TS.Node): boolean {
  const fn = enclosingFunction(node);
  return !!fn && isAsyncFunction(fn);
}

/**
 * What becomes of the rejection of a promise nobody awaits, by the runner of the test it floats in. node:test and
 * vitest report it: node:test fails the test it comes from while that test runs, and after it ended fails the run
 * ("asynchronous activity after the test ended") while the test passes; vitest reports it as an "Unhandled
 * Rejection" error of the run (which fails the run unless `dangerouslyIgnoreUnhandledErrors` is set) and passes the
 * test. Other runners fail whichever test is running then, if any (mocha, jest and Playwright through their handlers
 * of uncaught errors), or nothing. `subject`: what rejects ('a rejection', 'their rejections'), `plural` when it is
 * more than one.
 */
export function rejectionOutcome(framework: Framework | undefined, subject: string, plural = false): string {
  if (framework === 'node-test') return `${subject} after the test ended ${plural ? 'fail' : 'fails'} the run, not this test`;
  if (framework === 'vitest') return plural ? `${subject} are reported as unhandled errors of the run, not as failures of this test` : `${subject} is reported as an unhandled error of the run, not as a failure of this test`;
  return plural ? `${subject} are lost, or fail whichever test is running then` : `${subject} is lost, or fails whichever test is running then`;
}

/** Whether `await <expression>` keeps the meaning without parentheses (unary-or-tighter expressions). */
function bindsTighterThanAwait(node: TS.Expression): boolean {
  return !(
    ts.isBinaryExpression(node) || ts.isConditionalExpression(node) || ts.isArrowFunction(node)
    || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isYieldExpression(node)
  );
}

/** Edits turning `expression` into `await expression` (parenthesised when needed). */
export function awaitEdits(expression: TS.Expression, sourceFile: TS.SourceFile): TextEdit[] {
  const start = expression.getStart(sourceFile);
  if (bindsTighterThanAwait(expression)) return [{ start, end: start, newText: 'await ' }];
  return [
    { start, end: start, newText: 'await (' },
    { start: expression.getEnd(), end: expression.getEnd(), newText: ')' },
  ];
}

/** Edits turning `expression` into `await Promise.all(expression)`. */
export function awaitAllEdits(expression: TS.Expression, sourceFile: TS.SourceFile): TextEdit[] {
  const start = expression.getStart(sourceFile);
  return [
    { start, end: start, newText: 'await Promise.all(' },
    { start: expression.getEnd(), end: expression.getEnd(), newText: ')' },
  ];
}

/**
 * A short, one-line label for an expression in a message: calls keep their callee and drop their
 * arguments (`page.click()`, `expect().resolves.toBe()`), long labels keep their end.
 */
export function describeExpression(expression: TS.Expression, sourceFile: TS.SourceFile): string {
  const label = compactText(expression, sourceFile);
  return label.length <= 60 ? label : `…${label.slice(label.length - 59)}`;
}

function compactText(node: TS.Expression, sourceFile: TS.SourceFile): string {
  if (ts.isCallExpression(node)) return `${compactText(node.expression, sourceFile)}()`;
  if (ts.isNewExpression(node)) return `new ${compactText(node.expression, sourceFile)}()`;
  if (ts.isPropertyAccessExpression(node)) {
    return `${compactText(node.expression, sourceFile)}${node.questionDotToken ? '?.' : '.'}${node.name.text}`;
  }
  if (ts.isElementAccessExpression(node)) return `${compactText(node.expression, sourceFile)}[…]`;
  if (ts.isNonNullExpression(node)) return `${compactText(node.expression, sourceFile)}!`;
  if (ts.isParenthesizedExpression(node)) return `(${compactText(node.expression, sourceFile)})`;
  if (ts.isArrayLiteralExpression(node)) return node.elements.length === 0 ? '[]' : '[…]';
  const text = node.getText(sourceFile).replace(/\s+/g, ' ');
  return text.length <= 40 ? text : `${text.slice(0, 39)}…`;
}

/**
 * References to a local variable in the function (or file) that declares it, found by text first and
 * confirmed by symbol. Undefined when the scope is too large to search cheaply.
 */
export function referencesOf(
  declaration: TS.VariableDeclaration & { name: TS.Identifier },
  checker: TS.TypeChecker,
): TS.Identifier[] {
  const fn = enclosingFunction(declaration);
  const scope: TS.Node = (fn && 'body' in fn && fn.body) || declaration.getSourceFile();
  const name = declaration.name.text;
  const text = declaration.getSourceFile().text;
  const references: TS.Identifier[] = [];
  // Text search first: most variables are mentioned only a few times.
  let mentions = 0;
  for (let at = text.indexOf(name, scope.getStart()); at !== -1 && at < scope.getEnd(); at = text.indexOf(name, at + name.length)) mentions++;
  if (mentions <= 1) return references;
  const symbol = checker.getSymbolAtLocation(declaration.name);
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node)) {
      // Text first: resolving every identifier of the scope (call callees resolve their call) is most of the cost.
      if (node === declaration.name || node.text !== name) return;
      // `{ initialPromise }`: a shorthand property's name resolves to the property; its value is the variable.
      const resolved = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? checker.getShorthandAssignmentValueSymbol(node.parent) : checker.getSymbolAtLocation(node);
      if (!symbol || resolved === symbol) references.push(node);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return references;
}

/**
 * Whether a reference hands the value on to something that may wait for it: awaited, returned, yielded,
 * passed to a call (`Promise.all(checks)`), stored elsewhere, spread, or used as a callback's result.
 * `expect(ref)` counts too; callers that know better (a sync assertion on a promise) check that first.
 */
export function handsOn(reference: TS.Identifier): boolean {
  let node: TS.Node = reference;
  // `(ref)`, `ref!`, `ref as T`
  while (
    ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent) || ts.isAsExpression(node.parent)
    || ts.isSatisfiesExpression(node.parent)
  ) node = node.parent;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
    // `ref.then(...)`, `ref.catch(...)`, `ref.finally(...)` attach to the promise; `checks.push(x)` / `checks.length` do not.
    return ['then', 'catch', 'finally'].includes(parent.name.text);
  }
  if (ts.isElementAccessExpression(parent) && parent.expression === node) return true; // `checks[0]`: followed no further
  if (ts.isCallExpression(parent)) return parent.expression !== node;
  if (ts.isBinaryExpression(parent)) {
    const operator = parent.operatorToken.kind;
    // `x = ref` hands it on; `ref = other` reassigns it (unknown from here: treated as handed on); `a || ref`
    // may flow on. Comparisons (`ref === x`) only look at it.
    return (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment)
      || operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken
      || operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.CommaToken;
  }
  return ts.isAwaitExpression(parent) || ts.isReturnStatement(parent) || ts.isYieldExpression(parent) || ts.isSpreadElement(parent)
    || ts.isArrayLiteralExpression(parent) || ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)
    || ts.isVariableDeclaration(parent) || ts.isArrowFunction(parent) || ts.isNewExpression(parent)
    || ts.isTemplateSpan(parent) || ts.isConditionalExpression(parent) || ts.isExportSpecifier(parent)
    || ts.isJsxExpression(parent) || ts.isForOfStatement(parent);
}
