import { ts } from 'ts-morph';
import { isAssertionChain } from '../engine/assertions.js';
import {
  awaitAllEdits, awaitEdits, describeExpression, discardedValues, ignoresReturnValue, isInsideAsyncFunction,
  type DiscardedValue,
} from '../engine/discardedValues.js';
import { calleeChain, type TestBlock, type TestModel } from '../engine/testModel.js';
import { isArrayOfThenables, isThenable } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

const RISK = 'the test can finish (or the next step run) before it settles, and its rejection is lost';

/** `p.catch(h)`, `p.then(ok, fail)`, and `.finally` after either: a rejection handler is attached. */
function handlesRejection(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const method = expression.expression.name.text;
  if (method === 'catch') return expression.arguments.length >= 1;
  if (method === 'then') return expression.arguments.length >= 2;
  if (method === 'finally') return handlesRejection(expression.expression.expression);
  return false;
}

/** node:test `t.test(...)`: a subtest registered on the test context `t`. */
function isNodeSubtest(block: TestBlock, model: TestModel): boolean {
  if (block.framework !== 'node-test' || block.kind !== 'test') return false;
  const chain = calleeChain(block.call.expression);
  return !!chain && model.resolveRunner(chain.root)?.name === 'context';
}

function addAwait(value: DiscardedValue, sourceFile: ts.SourceFile, asArray: boolean): Fix[] {
  if (value.kind !== 'statement' || !isInsideAsyncFunction(value.expression)) return [];
  const edits = asArray ? awaitAllEdits(value.expression, sourceFile) : awaitEdits(value.expression, sourceFile);
  // Awaiting a `waitFor...` promise before the action that triggers it would wait until the timeout.
  const callee = ts.isCallExpression(value.expression) ? calleeChain(value.expression.expression) : undefined;
  const waitsForEvent = !!callee && /^waitFor/.test(callee.path[callee.path.length - 1] ?? callee.root.text);
  return [{ title: asArray ? 'Add await Promise.all(...)' : 'Add await', edits, safe: !waitsForEvent }];
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  const registrations = new Map<ts.Node, TestBlock>();
  for (const block of model.blocks) registrations.set(block.call, block);

  for (const value of discardedValues(sourceFile)) {
    if (value.kind === 'void') continue;
    const { expression } = value;
    // Cheap syntactic exclusions before the checker: literals, assignments, functions.
    if (ts.isLiteralExpression(expression) || ts.isFunctionLike(expression) || ts.isBinaryExpression(expression)) continue;
    if (handlesRejection(expression)) continue;

    const thenable = isThenable(checker, expression);
    const array = !thenable && isArrayOfThenables(checker, expression);
    if (!thenable && !array) continue;
    if (value.kind === 'callback' && !ignoresReturnValue(value.callback!, checker, model)) continue;

    const block = registrations.get(expression);
    if (block) {
      if (isNodeSubtest(block, model) && value.kind === 'statement') {
        report({
          node: expression,
          message: `Subtest \`${describeExpression(expression, sourceFile)}\` is not awaited: the parent test can end first, and node:test cancels the unfinished subtest and fails it. Await it.`,
          fixes: addAwait(value, sourceFile, false),
        });
      }
      // Other registrations (node:test test()/describe() promises, Playwright steps excepted) are managed by the runner.
      if (block.kind !== 'step') continue;
    }
    // Assertion chains (`expect(p).resolves...`) are async-assertion's findings.
    if (isAssertionChain(expression, model, checker)) continue;

    const label = describeExpression(expression, sourceFile);
    if (value.kind === 'callback') {
      report({
        node: expression,
        message: array
          ? `Promises from \`${label}\` are returned to a callback whose result is ignored: nothing waits for them, so the test can finish before they settle, and their rejections are lost. Await them in an async callback, or collect them and \`await Promise.all(...)\`.`
          : `Promise from \`${label}\` is returned to a callback whose result is ignored: nothing waits for it, so ${RISK}. Await it in an async callback, or collect the promises and \`await Promise.all(...)\`.`,
      });
    } else if (array) {
      report({
        node: expression,
        message: `Promises from \`${label}\` are not awaited: the test can finish before they settle, and their rejections are lost. Await them together with \`await Promise.all(...)\`.`,
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
