import { ts } from 'ts-morph';
import { isAssertionChain } from '../engine/assertions.js';
import {
  awaitAllEdits, awaitEdits, describeExpression, discardedValues, ignoresReturnValue, isInsideAsyncFunction,
  type DiscardedValue,
} from '../engine/discardedValues.js';
import { doneParameter, mentionsParameter } from '../engine/doneParameter.js';
import { unawaitedSleep } from '../engine/sleeps.js';
import { calleeChain, type TestBlock, type TestModel } from '../engine/testModel.js';
import { isAnyOrUnknown, isArrayOfThenables, isAsyncFunction, isThenable, isThenableType, skipParentheses } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

/** `p.catch(h)`, `p.then(ok, fail)`, and `.finally` after either: a rejection handler is attached. */
function handlesRejection(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const method = expression.expression.name.text;
  if (method === 'catch') return expression.arguments.length >= 1;
  if (method === 'then') return expression.arguments.length >= 2;
  if (method === 'finally') return handlesRejection(expression.expression.expression);
  return false;
}

/**
 * `deferred.resolve(value)` / `deferred.reject(error)`: settling a test's own deferred. Helpers often
 * return a "settled and flushed" promise from these, but the call's job is done synchronously and the
 * test synchronises on what the deferred feeds (`await waitFor(...)`, `await tick()`). `Promise.reject(x)`
 * is no settling call and stays a finding.
 */
function settlesDeferred(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const { name, expression: target } = expression.expression;
  if (name.text !== 'resolve' && name.text !== 'reject') return false;
  return !(ts.isIdentifier(target) && target.text === 'Promise');
}

/** node:test `t.test(...)`: a subtest registered on the test context `t`. */
function isNodeSubtest(block: TestBlock, model: TestModel): boolean {
  if (block.framework !== 'node-test' || block.kind !== 'test') return false;
  const chain = calleeChain(block.call.expression);
  return !!chain && model.resolveRunner(chain.root)?.name === 'context';
}

/** React's hook names: `useEffect`, `React.useCallback`, a custom `useLoader`. */
const HOOK_NAME = /^use[A-Z0-9]/;

function isJsx(node: ts.Expression): boolean {
  const inner = skipParentheses(node);
  if (ts.isJsxElement(inner) || ts.isJsxSelfClosingElement(inner) || ts.isJsxFragment(inner)) return true;
  return ts.isConditionalExpression(inner) && (isJsx(inner.whenTrue) || isJsx(inner.whenFalse));
}

/** A function that renders JSX (a component): a JSX concise body or a `return <jsx/>` of its own. */
function returnsJsx(fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!ts.isBlock(body)) return isJsx(body);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (ts.isFunctionLike(node) && node !== fn) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression && isJsx(node.expression)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/**
 * Whether the node runs inside UI code defined in the test rather than in the test's own control
 * flow: a JSX event handler (`onClick={() => save()}`), a hook callback (`useEffect(() => { load(); })`)
 * or a component body. The UI framework calls these and never awaits them; tests synchronise with
 * the effects through the DOM (`waitFor`, `findBy...`), so a promise floated there is the
 * application's business, not a flaky-test risk.
 */
function isInUiCode(node: ts.Node, model: TestModel, rendersJsx: Map<ts.Node, boolean>): boolean {
  for (let current = node.parent; current && !ts.isSourceFile(current); current = current.parent) {
    if (!ts.isArrowFunction(current) && !ts.isFunctionExpression(current) && !ts.isFunctionDeclaration(current)) continue;
    if (model.blockOfCallback(current)) return false;
    const parent = current.parent;
    if (ts.isJsxExpression(parent) && ts.isJsxAttribute(parent.parent)) return true;
    if (ts.isCallExpression(parent) && parent.arguments.includes(current as ts.Expression)) {
      const callee = parent.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name && HOOK_NAME.test(name)) return true;
    }
    // Memoised per function: every floating value in a large helper would otherwise walk it again.
    let renders = rendersJsx.get(current);
    if (renders === undefined) rendersJsx.set(current, (renders = returnsJsx(current)));
    if (renders) return true;
  }
  return false;
}

/**
 * `act(() => anyValue)`: React's `act` returns void for a void callback and a promise otherwise; an
 * `any` callback result picks the promise overload, so whether a promise comes back is unknown: no
 * finding. A callee whose every signature returns a promise (`waitFor`) stays a finding.
 */
function isThenableOnlyThroughAny(expression: ts.Expression, checker: ts.TypeChecker): boolean {
  if (!ts.isCallExpression(expression)) return false;
  const awaited = checker.getAwaitedType(checker.getTypeAtLocation(expression));
  if (!awaited || !isAnyOrUnknown(awaited)) return false;
  const signatures = checker.getTypeAtLocation(expression.expression).getCallSignatures();
  if (signatures.every((s) => isThenableType(checker, s.getReturnType(), expression))) return false;
  return expression.arguments.some((arg) => {
    if ((!ts.isArrowFunction(arg) && !ts.isFunctionExpression(arg)) || isAsyncFunction(arg)) return false;
    const signature = checker.getSignatureFromDeclaration(arg);
    return !!signature && isAnyOrUnknown(checker.getReturnTypeOfSignature(signature));
  });
}

/** The method a call expression calls (`end` in `request(app).get('/').end(cb)`). */
function methodName(expression: ts.Expression): string | undefined {
  return ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression) ? expression.expression.name.text : undefined;
}

type Completion = { kind: 'callback' } | { kind: 'drops-rejection-before-done'; done: string };

/**
 * Callback-style completion on a thenable builder: supertest's `request(app).get('/').end(cb)` and
 * `.expect(200, done)`, anything handing the test's `done` on. The builder's promise is beside the point
 * (awaiting `.end(cb)` would even send the request twice). `p.then(() => done())` is the exception: its
 * rejection is dropped, so done is never called and the test times out instead of failing.
 */
function callbackCompletion(expression: ts.Expression, model: TestModel, checker: ts.TypeChecker): Completion | undefined {
  const method = methodName(expression);
  const call = expression as ts.CallExpression;
  if (method === 'end' && call.arguments.length > 0) return { kind: 'callback' };
  const block = model.enclosingBlock(expression);
  const done = block && doneParameter(block);
  if (!done || !mentionsParameter(expression, done, checker)) return undefined;
  return method === 'then' && call.arguments.length === 1 ? { kind: 'drops-rejection-before-done', done: done.name.text } : { kind: 'callback' };
}

function addAwait(value: DiscardedValue, sourceFile: ts.SourceFile, asArray: boolean): Fix[] {
  if (value.kind !== 'statement' || !isInsideAsyncFunction(value.expression)) return [];
  const edits = asArray ? awaitAllEdits(value.expression, sourceFile) : awaitEdits(value.expression, sourceFile);
  // Awaiting a `waitFor...` promise before the action that triggers it would wait until the timeout.
  const callee = ts.isCallExpression(value.expression) ? calleeChain(value.expression.expression) : undefined;
  const waitsForEvent = !!callee && /^waitFor/.test(callee.path[callee.path.length - 1] ?? callee.root.text);
  return [{ title: asArray ? 'Add await Promise.all(...)' : 'Add await', edits, safe: !waitsForEvent }];
}

const RISK = 'the test can move on, or end, before it settles, and a rejection is lost';

function check({ sourceFile, checker, model, report }: RuleContext): void {
  const registrations = new Map<ts.Node, TestBlock>();
  for (const block of model.blocks) registrations.set(block.call, block);
  const rendersJsx = new Map<ts.Node, boolean>();

  for (const value of discardedValues(model)) {
    if (value.kind === 'void') continue;
    const { expression } = value;
    // Cheap syntactic exclusions before the checker: literals, assignments, functions.
    if (ts.isLiteralExpression(expression) || ts.isFunctionLike(expression) || ts.isBinaryExpression(expression)) continue;
    if (handlesRejection(expression)) continue;
    if (isInUiCode(expression, model, rendersJsx) || settlesDeferred(expression)) continue;
    // Assertion chains (`expect(p).resolves...`) are async-assertion's findings; resolving their symbols is
    // much cheaper than typing the chain, and sync assertions are the most common statements in tests.
    if (isAssertionChain(expression, model, checker)) continue;

    const thenable = isThenable(checker, expression);
    const array = !thenable && isArrayOfThenables(checker, expression);
    if (!thenable && !array) continue;
    if (thenable && isThenableOnlyThroughAny(expression, checker)) continue;
    if (value.kind === 'callback' && !ignoresReturnValue(value.callback!, checker, model)) continue;

    const block = registrations.get(expression);
    if (block) {
      if (isNodeSubtest(block, model) && value.kind === 'statement') {
        report({
          node: expression,
          message: `Subtest \`${describeExpression(expression, sourceFile)}\` is not awaited: node:test cancels and fails it when the parent test ends first. Await it.`,
          fixes: addAwait(value, sourceFile, false),
        });
      }
      // Other registrations (node:test test()/describe() promises, Playwright steps excepted) are managed by the runner.
      if (block.kind !== 'step') continue;
    }
    // `sleep(500);` in a test never rejects: fixed-sleep reports it when it was meant to wait (awaiting it
    // would only make it a fixed sleep); a 0 ms one or one under fake timers is dead code, no timing risk.
    if (thenable && unawaitedSleep(value, model)) continue;

    const label = describeExpression(expression, sourceFile);
    if (thenable && value.kind === 'statement') {
      const completion = callbackCompletion(expression, model, checker);
      if (completion?.kind === 'callback') continue;
      if (completion?.kind === 'drops-rejection-before-done') {
        const done = completion.done;
        report({
          node: expression,
          message: `Promise from \`${label}\` drops its rejection: \`${done}\` is then never called, and the test times out instead of failing. Pass the error on: \`.then(() => ${done}(), ${done})\`.`,
        });
        continue;
      }
    }
    if (value.kind === 'callback') {
      report({
        node: expression,
        message: array
          ? `Promises from \`${label}\` are returned to a callback whose result is ignored: the test can move on, or end, before they settle, and rejections are lost. Await them outside the callback (\`for...of\` instead of \`forEach\`), or collect them and \`await Promise.all(...)\`.`
          : `Promise from \`${label}\` is returned to a callback whose result is ignored: ${RISK}. Await it outside the callback (\`for...of\` instead of \`forEach\`), or collect the promises and \`await Promise.all(...)\`.`,
      });
    } else if (array) {
      report({
        node: expression,
        message: `Promises from \`${label}\` are not awaited: the test can move on, or end, before they settle, and rejections are lost. Await them with \`await Promise.all(...)\`.`,
        fixes: addAwait(value, sourceFile, true),
      });
    } else {
      report({
        node: expression,
        message: `Promise from \`${label}\` is not awaited: ${RISK}. Await it (or return it).`,
        fixes: addAwait(value, sourceFile, false),
      });
    }
  }
}

export const floatingPromise: Rule = {
  meta: {
    id: 'floating-promise',
    category: 'async-coordination',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports promises in test code that are neither awaited, returned, voided nor given a rejection handler.',
      why: 'Nothing waits for a floating promise: the test (or the next step) runs on before it settles, so its effects land in a later test, and a rejection is lost or crashes an unrelated test as an unhandled rejection, depending on timing.',
      badExample: "test('submits', async ({ page }) => {\n  page.click('#submit');\n  await expect(page).toHaveURL('/done');\n});",
      goodExample: "test('submits', async ({ page }) => {\n  await page.click('#submit');\n  await expect(page).toHaveURL('/done');\n});",
    },
  },
  check,
};
