import { ts } from 'ts-morph';
import type { TestModel } from './testModel.js';
import { isAsyncFunction, returnsVoid } from './typeUtils.js';
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
  expression: ts.Expression;
  kind: DiscardKind;
  /** The `void` expression, for kind `void`. */
  voidExpression?: ts.VoidExpression;
  /** The arrow whose result is dropped, for kind `callback`. */
  callback?: ts.ArrowFunction;
  /** The statement, when the expression is the whole expression of an expression statement. */
  statement?: ts.ExpressionStatement;
}

function skipParentheses(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

function collectOperands(
  expression: ts.Expression,
  kind: 'statement' | 'callback',
  into: DiscardedValue[],
  extra: Pick<DiscardedValue, 'callback' | 'statement'>,
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
      // The left side is tested, not dropped; the right side is the dropped result.
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
    into.push({ expression: skipParentheses(node.expression), kind: 'void', voidExpression: node });
    return;
  }
  if (ts.isAwaitExpression(node)) return;
  const value: DiscardedValue = { expression: node, kind };
  if (extra.callback) value.callback = extra.callback;
  if (extra.statement) value.statement = extra.statement;
  into.push(value);
}

/**
 * Every expression whose value is discarded, found syntactically. Callback candidates still need
 * `ignoresReturnValue` (a checker call), done by the rule only for values that matter to it.
 */
export function discardedValues(sourceFile: ts.SourceFile): DiscardedValue[] {
  const found: DiscardedValue[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node)) {
      collectOperands(node.expression, 'statement', found, { statement: node });
    } else if (ts.isArrowFunction(node) && !ts.isBlock(node.body) && !isAsyncFunction(node)) {
      collectOperands(node.body, 'callback', found, { callback: node });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/**
 * Whether the caller of this arrow ignores what it returns: its contextual type's call signatures
 * all return `void`. Test, hook and step callbacks never count: runners await what they return,
 * even where an overload types the callback as returning `void` (mocha's `Func`).
 */
export function ignoresReturnValue(arrow: ts.ArrowFunction, checker: ts.TypeChecker, model: TestModel): boolean {
  if (model.blockOfCallback(arrow)) return false;
  const contextual = checker.getContextualType(arrow);
  if (!contextual) return false;
  const signatures = contextual.getNonNullableType().getCallSignatures();
  return signatures.length > 0 && signatures.every(returnsVoid);
}

/** The nearest function around the node, or undefined at module level (and in class field initialisers). */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isFunctionLike(current) && !ts.isTypeNode(current)) return current;
    if (ts.isClassStaticBlockDeclaration(current) || ts.isPropertyDeclaration(current)) return undefined;
  }
  return undefined;
}

export function isInsideAsyncFunction(node: ts.Node): boolean {
  const fn = enclosingFunction(node);
  return !!fn && isAsyncFunction(fn);
}

/** Whether `await <expression>` keeps the meaning without parentheses (unary-or-tighter expressions). */
function bindsTighterThanAwait(node: ts.Expression): boolean {
  return !(
    ts.isBinaryExpression(node) || ts.isConditionalExpression(node) || ts.isArrowFunction(node)
    || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isYieldExpression(node)
  );
}

/** Edits turning `expression` into `await expression` (parenthesised when needed). */
export function awaitEdits(expression: ts.Expression, sourceFile: ts.SourceFile): TextEdit[] {
  const start = expression.getStart(sourceFile);
  if (bindsTighterThanAwait(expression)) return [{ start, end: start, newText: 'await ' }];
  return [
    { start, end: start, newText: 'await (' },
    { start: expression.getEnd(), end: expression.getEnd(), newText: ')' },
  ];
}

/** Edits turning `expression` into `await Promise.all(expression)`. */
export function awaitAllEdits(expression: ts.Expression, sourceFile: ts.SourceFile): TextEdit[] {
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
export function describeExpression(expression: ts.Expression, sourceFile: ts.SourceFile): string {
  const label = compactText(expression, sourceFile);
  return label.length <= 60 ? label : `…${label.slice(label.length - 59)}`;
}

function compactText(node: ts.Expression, sourceFile: ts.SourceFile): string {
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
