import { ts, type TS } from '../engine/typescript.js';
import type { Framework, TestBlock } from '../engine/testModel.js';
import { forEachOwnNode, isAsyncFunction, isThenable, skipOuterExpressions } from '../engine/typeUtils.js';
import type { Rule, RuleContext, Severity } from '../engine/types.js';

/** The first `await` (`for await`, `await using`) of the suite body itself, in source order. */
function firstAwait(body: TS.Node): TS.Node | undefined {
  let first: TS.Node | undefined;
  forEachOwnNode(body, (node) => {
    const awaits = ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && !!node.awaitModifier)
      || (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing);
    if (awaits && (!first || node.getStart() < first.getStart())) first = node;
  });
  return first;
}

/** Loops of the suite body that contain the node (a registration in a loop with an await runs again after it). */
function enclosingLoops(node: TS.Node, body: TS.Node): TS.Node[] {
  const loops: TS.Node[] = [];
  for (let current = node.parent; current && current !== body; current = current.parent) {
    if (ts.isIterationStatement(current, false)) loops.push(current);
  }
  return loops;
}

/**
 * Registrations of the suite that run after its first `await`: textually after it, or in a loop that also
 * contains it (the second round runs after the await).
 */
function lateRegistrations(block: TestBlock, awaitNode: TS.Node, body: TS.Node): TestBlock[] {
  const awaitStart = awaitNode.getStart();
  return block.children.filter((child) => {
    if (child.call.getStart() > awaitStart) return true;
    return enclosingLoops(child.call, body).some((loop) => loop.getStart() <= awaitStart && awaitStart < loop.getEnd());
  });
}

/** What happens to a registration made after the suite body stopped running synchronously, per runner. */
function lateConsequence(framework: Framework): { text: string; severity?: Severity } {
  switch (framework) {
    case 'jest':
      return { text: 'jest calls suite bodies synchronously and does not wait for the promise, so by then this suite is closed: the registration lands outside it (without its hooks) or fails with "Cannot add a test after tests have started running"' };
    case 'mocha':
      return { text: 'mocha calls suite bodies synchronously and ignores the promise, so by then this suite is closed: the registration lands in another suite (without this one\'s hooks), or is never run when the run has already started' };
    case 'playwright':
      return { text: 'Playwright calls suite bodies synchronously and does not wait for the promise, so by then this suite is closed: the registration is rejected or lands outside it' };
    default:
      // Untyped globals: the runner is unknown, and vitest and node:test do await suite bodies.
      return {
        text: 'unless the runner awaits suite bodies (vitest and node:test do; jest, mocha and Playwright do not), this suite is closed by then and the registration is lost or lands outside it',
        severity: 'warning',
      };
  }
}

/** `Promise.resolve(x)`: already settled, no work behind it, cannot reject (an early `return Promise.resolve()`). */
function isSettledPromise(expression: TS.Expression): boolean {
  const inner = skipOuterExpressions(expression);
  return ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === 'resolve'
    && ts.isIdentifier(inner.expression.expression) && inner.expression.expression.text === 'Promise';
}

/** The callback hands back a promise with work behind it (a concise body or a `return` of a thenable). */
function returnsPendingWork(fn: TS.ArrowFunction | TS.FunctionExpression, checker: TS.TypeChecker): boolean {
  if (!ts.isBlock(fn.body)) return !isSettledPromise(fn.body) && isThenable(checker, fn.body);
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (!found && ts.isReturnStatement(node) && node.expression && !isSettledPromise(node.expression) && isThenable(checker, node.expression)) found = true;
  });
  return found;
}

function blockLabel(block: TestBlock, sourceFile: TS.SourceFile): string {
  const callee = block.call.expression.getText(sourceFile);
  return block.title !== undefined && block.title.length <= 40 ? `\`${callee}('${block.title}')\`` : `\`${callee}\``;
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  for (const block of model.blocks) {
    // vitest and node:test await an async suite body before collecting the next one: nothing is lost.
    if (block.kind !== 'suite' || block.framework === 'vitest' || block.framework === 'node-test') continue;
    const fn = block.callback;
    if (!fn || fn.asteriskToken) continue;

    if (isAsyncFunction(fn)) {
      const awaitNode = firstAwait(fn.body);
      // An async body that registers everything before its first await (or never awaits) is collected in full.
      if (!awaitNode) continue;
      const late = lateRegistrations(block, awaitNode, fn.body);
      if (late.length === 0) continue;
      const first = late[0]!;
      const { text, severity } = lateConsequence(block.framework);
      const awaitLine = sourceFile.getLineAndCharacterOfPosition(awaitNode.getStart(sourceFile)).line + 1;
      const more = late.length > 1 ? ` (and ${late.length - 1} more registration${late.length > 2 ? 's' : ''} after it)` : '';
      const setupHook = block.framework === 'mocha' ? '`before`' : block.framework === 'playwright' ? '`test.beforeAll`' : '`beforeAll`';
      report({
        start: first.call.getStart(sourceFile),
        end: first.call.expression.getEnd(),
        message: `${blockLabel(first, sourceFile)} is registered after the \`await\` on line ${awaitLine} of the async \`${block.calleeText}\` body${more}: ${text}. Register every test and hook before any await, and move the async setup into ${setupHook}.`,
        ...(severity ? { severity } : {}),
      });
      continue;
    }

    // A plain callback that hands back a promise: the runner drops it (vitest and node:test, skipped above, await it).
    if (!returnsPendingWork(fn, checker)) continue;
    const { severity } = lateConsequence(block.framework);
    const runner = severity ? 'Unless the runner awaits suite bodies (vitest and node:test do), it' : `${block.framework === 'jest' ? 'jest' : block.framework === 'mocha' ? 'mocha' : 'Playwright'}`;
    report({
      start: fn.getStart(sourceFile),
      end: ts.isBlock(fn.body) ? fn.body.getStart(sourceFile) + 1 : fn.body.getStart(sourceFile),
      message: `\`${block.calleeText}\` gets a callback that returns a promise. ${runner} ignores that promise: nothing waits for the work behind it, tests or hooks registered when it settles are lost or land outside this suite, and a rejection is unhandled. Keep the body synchronous and move the async work into a \`beforeAll\`-style hook.`,
      ...(severity ? { severity } : {}),
    });
  }
}

export const asyncDescribe: Rule = {
  meta: {
    id: 'async-describe',
    category: 'async-coordination',
    defaultSeverity: 'error',
    requiresTypes: false,
    docs: {
      summary: 'Reports tests and hooks registered after an `await` in a suite body (and suite callbacks returning a promise) where the runner does not wait for the body: jest, mocha, Playwright.',
      why: 'jest, mocha and Playwright collect tests by calling suite bodies synchronously and ignore the promise they return: a test or hook registered after an `await` is registered once the suite is closed, so it is lost, rejected, or runs outside its suite without its hooks.',
      badExample: "describe('orders', async () => {\n  const db = await connect();\n  it('lists orders', async () => { /* uses db */ });\n});",
      goodExample: "describe('orders', () => {\n  let db: Db;\n  beforeAll(async () => { db = await connect(); });\n  it('lists orders', async () => { /* uses db */ });\n});",
    },
  },
  check,
};
