import { ts, type TS } from './typescript.js';
import { forEachOwnNode, isAsyncFunction, skipOuterExpressions } from './typeUtils.js';

/**
 * Calls a test expects to throw synchronously: what they would return on success is beside the point.
 * - `try { agent.close({}); } catch (err) { assert.ok(err instanceof InvalidArgumentError); }`: the last statement
 *   of a `try` without awaits, whose `catch` asserts on the error;
 * - the function handed to a throws-assertion: `assert.throws(() => x())`, `t.throws(() => { x(); })`,
 *   `expect(() => x()).toThrow()`, chai's `expect(fn).to.throw()`.
 * Found by syntax only; the caller has already typed the call.
 */
export type ThrowExpectation = 'try' | 'throws-assertion';

/** Members that assert a synchronous throw (`assert.throws`, chai `assert.throw`, `expect(fn).toThrow...`, `.to.throw`). */
const THROWS_MEMBER = /^(?:throws?|Throw|toThrow\w*)$/;
/** Calls that end a `try` meant to throw: `assert.fail('should have thrown')`, `t.fail()`, `expect.fail()`. */
const FAIL_CALL = /^(?:fail|unreachable)$/;
/** Names of calls that check something (`p.ok(err instanceof X)`, `expect(err.code).toBe(...)`, `assert.match(...)`). */
const CHECK_NAME = /^(?:assert\w*|expect|should|ok|equal|equals|strictEqual|deepEqual|deepStrictEqual|notEqual|notStrictEqual|match|matches|is|isTrue|true|truthy|same|like|instanceOf|include|includes|contains?|eq|eql|to(?:Be|Equal|StrictEqual|Match|Have|Contain|Throw)\w*)$/;

function calleeName(call: TS.CallExpression): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** Whether a statement is `assert.fail(...)`, `t.fail()` or `throw ...`: the end of a `try` expected to throw. */
function failsTheTest(statement: TS.Statement): boolean {
  if (ts.isThrowStatement(statement)) return true;
  if (!ts.isExpressionStatement(statement)) return false;
  const expression = skipOuterExpressions(statement.expression);
  return ts.isCallExpression(expression) && FAIL_CALL.test(calleeName(expression) ?? '');
}

/** Whether the catch clause checks the caught error: a check call (or a chain rooted at one) that mentions the binding. */
function assertsOnCaughtError(clause: TS.CatchClause): boolean {
  const binding = clause.variableDeclaration?.name;
  if (!binding || !ts.isIdentifier(binding)) return false;
  const name = binding.text;
  let found = false;
  forEachOwnNode(clause.block, (node) => {
    if (found || !ts.isCallExpression(node)) return;
    let checks = false;
    // Any call along the chain (`expect(err).toBeInstanceOf(X)`: `expect` and `toBeInstanceOf`).
    for (let current: TS.Expression = node, depth = 0; depth < 16; depth++) {
      current = skipOuterExpressions(current);
      if (ts.isCallExpression(current)) {
        if (CHECK_NAME.test(calleeName(current) ?? '')) checks = true;
        current = current.expression;
      } else if (ts.isPropertyAccessExpression(current)) {
        current = current.expression;
      } else {
        break;
      }
    }
    if (!checks) return;
    const mentions = (n: TS.Node): boolean => (ts.isIdentifier(n) && n.text === name) || (!ts.isFunctionLike(n) && !!ts.forEachChild(n, mentions));
    if (node.arguments.some(mentions) || mentions(node.expression)) found = true;
  });
  return found;
}

function containsAwait(block: TS.Block): boolean {
  let found = false;
  forEachOwnNode(block, (node) => {
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) found = true;
  });
  return found;
}

/** `assert.throws(fn)`, `t.throws(fn, X)`, `throws(fn)`: fn is the first argument of a throws call. */
function isThrowsCallArgument(fn: TS.Node): boolean {
  const call = fn.parent;
  return ts.isCallExpression(call) && call.arguments[0] === fn && THROWS_MEMBER.test(calleeName(call) ?? '');
}

/**
 * `expect(fn).toThrow()`, `expect(fn).to.throw(X)`, `expect(fn).toThrowError(...)`: fn is the subject of an
 * `expect` whose chain ends in a throw matcher, not negated and not `.rejects`.
 */
function isExpectThrowsSubject(fn: TS.Node): boolean {
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== fn || calleeName(call) !== 'expect') return false;
  let current: TS.Node = call;
  for (let depth = 0; depth < 16; depth++) {
    const parent: TS.Node = current.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === current) {
      const member = parent.name.text;
      if (member === 'not' || member === 'rejects' || member === 'resolves') return false;
      if (THROWS_MEMBER.test(member)) return true;
    } else if (!(ts.isCallExpression(parent) && parent.expression === current)) {
      return false;
    }
    current = parent;
  }
  return false;
}

function isThrowsAssertionFunction(fn: TS.Node): boolean {
  return (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && !isAsyncFunction(fn) && (isThrowsCallArgument(fn) || isExpectThrowsSubject(fn));
}

/** The last statement of a block that does the work (trailing `assert.fail(...)`/`throw` excluded). */
function lastWorkingStatement(block: TS.Block): TS.Statement | undefined {
  const statements = block.statements;
  let index = statements.length - 1;
  while (index >= 0 && failsTheTest(statements[index]!)) index--;
  return statements[index];
}

/**
 * How the test expects the call to throw synchronously, or undefined. `expression` is a discarded value: the
 * expression of an expression statement, or an arrow's concise body.
 */
export function expectedSynchronousThrow(expression: TS.Expression): ThrowExpectation | undefined {
  let node: TS.Node = expression;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isArrowFunction(parent) && parent.body === node) return isThrowsAssertionFunction(parent) ? 'throws-assertion' : undefined;
  if (!ts.isExpressionStatement(parent) || !ts.isBlock(parent.parent)) return undefined;
  const block = parent.parent;
  if (lastWorkingStatement(block) !== parent) return undefined;
  const owner = block.parent;
  if (ts.isTryStatement(owner) && owner.tryBlock === block && owner.catchClause) {
    return !containsAwait(block) && assertsOnCaughtError(owner.catchClause) ? 'try' : undefined;
  }
  return isThrowsAssertionFunction(owner) ? 'throws-assertion' : undefined;
}

/**
 * The function a call calls, when its own source says it is `async` (so it can never throw synchronously: its
 * errors become rejections). Declarations without a body (typings) say nothing and give undefined.
 */
export function calledAsyncFunction(call: TS.Expression, checker: TS.TypeChecker): TS.SignatureDeclaration | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (!declaration || ts.isJSDocSignature(declaration)) return undefined;
  if (!('body' in declaration) || !declaration.body) return undefined;
  return isAsyncFunction(declaration) ? declaration : undefined;
}
