import { ts } from 'ts-morph';
import { assertionChainOf } from '../engine/assertions.js';
import {
  awaitEdits, describeExpression, discardedValues, enclosingFunction, ignoresReturnValue, isInsideAsyncFunction,
  type DiscardedValue,
} from '../engine/discardedValues.js';
import type { TestModel } from '../engine/testModel.js';
import { isAsyncFunction, isThenable } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

const RISK = 'the test can pass before it runs, and its failure then surfaces in another test or not at all';

/**
 * "Return the assertion" for the last statement of a non-async test, hook or step callback with a
 * block body, when the runner awaits a returned promise there: not with a `done` parameter
 * (mocha and jest reject a callback that both takes `done` and returns a promise).
 */
function returnFix(value: DiscardedValue, model: TestModel, sourceFile: ts.SourceFile): Fix | undefined {
  const statement = value.statement;
  if (!statement || !ts.isBlock(statement.parent)) return undefined;
  const body = statement.parent;
  const fn = body.parent;
  if (!fn || (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) || fn.body !== body || isAsyncFunction(fn)) return undefined;
  if (body.statements[body.statements.length - 1] !== statement) return undefined;
  const block = model.blockOfCallback(fn);
  if (!block || block.kind === 'suite') return undefined;
  const maxParameters = block.framework === 'vitest' || block.framework === 'playwright' ? Infinity
    : block.framework === 'node-test' ? 1
      : 0;
  if (fn.parameters.length > maxParameters) return undefined;
  const start = statement.getStart(sourceFile);
  return { title: 'Return the assertion', safe: true, edits: [{ start, end: start, newText: 'return ' }] };
}

function fixesFor(value: DiscardedValue, model: TestModel, sourceFile: ts.SourceFile): Fix[] {
  if (value.kind === 'callback') return [];
  if (isInsideAsyncFunction(value.expression)) {
    if (value.kind === 'void') {
      const voidExpression = value.voidExpression!;
      const start = voidExpression.getStart(sourceFile);
      // `void x` -> `await x`: replace the keyword, keep the operand as written.
      const edits = [{ start, end: start + 'void'.length, newText: 'await' }];
      return [{ title: 'Replace void with await', safe: true, edits }];
    }
    return [{ title: 'Add await', safe: true, edits: awaitEdits(value.expression, sourceFile) }];
  }
  const returned = value.kind === 'statement' ? returnFix(value, model, sourceFile) : undefined;
  return returned ? [returned] : [];
}

function messageFor(value: DiscardedValue, label: string): string {
  if (value.kind === 'callback') {
    return `Assertion \`${label}\` is returned to a callback whose result is ignored: nothing waits for it, so ${RISK}. Await it in an async callback (a for...of loop), or collect the assertions and \`await Promise.all(...)\`.`;
  }
  if (value.kind === 'void') return `Assertion \`${label}\` is discarded with \`void\`: ${RISK}. Await it (or return it).`;
  return `Assertion \`${label}\` is not awaited: ${RISK}. Await it (or return it).`;
}

/** Whether any identifier spelled like the variable appears in its scope besides its declaration (conservative: any use counts). */
function isNeverReferenced(declaration: ts.VariableDeclaration & { name: ts.Identifier }): boolean {
  const fn = enclosingFunction(declaration);
  const scope: ts.Node = (fn && 'body' in fn && fn.body) || declaration.getSourceFile();
  const name = declaration.name.text;
  let referenced = false;
  const visit = (node: ts.Node): void => {
    if (referenced) return;
    if (ts.isIdentifier(node) && node !== declaration.name && node.text === name) {
      referenced = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return !referenced;
}

function isExported(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement)
    && (ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  for (const value of discardedValues(sourceFile)) {
    const chain = assertionChainOf(value.expression, model, checker);
    if (!chain || !isThenable(checker, value.expression)) continue;
    if (value.kind === 'callback' && !ignoresReturnValue(value.callback!, checker, model)) continue;
    report({
      node: value.kind === 'void' ? value.voidExpression! : value.expression,
      message: messageFor(value, describeExpression(value.expression, sourceFile)),
      fixes: fixesFor(value, model, sourceFile),
    });
  }

  // `const check = expect(p).resolves.toBe(1);` with `check` never used again: never awaited either.
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer
      && ts.isVariableDeclarationList(node.parent) && !isExported(node)
    ) {
      const initializer = node.initializer;
      if (
        assertionChainOf(initializer, model, checker) && isThenable(checker, initializer)
        && isNeverReferenced(node as ts.VariableDeclaration & { name: ts.Identifier })
      ) {
        const label = describeExpression(initializer, sourceFile);
        report({
          node: initializer,
          message: `Assertion \`${label}\` is stored in \`${node.name.text}\` but never awaited: ${RISK}. Await it.`,
          fixes: isInsideAsyncFunction(node)
            ? [{ title: 'Add await', safe: true, edits: awaitEdits(initializer, sourceFile) }]
            : [],
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
}

export const asyncAssertion: Rule = {
  meta: {
    id: 'async-assertion',
    category: 'async-coordination',
    defaultSeverity: 'error',
    requiresTypes: true,
    docs: {
      summary: 'Reports asynchronous assertions (expect(...).resolves/.rejects, expect.poll, Playwright async matchers, chai-as-promised) that are not awaited or returned.',
      why: 'An async assertion only checks when its promise settles. Unawaited, the test passes before the check runs; the failure then lands in whichever test is running at that moment, or is lost, so results depend on timing.',
      badExample: "test('shows the banner', async ({ page }) => {\n  expect(page.getByRole('banner')).toBeVisible();\n});",
      goodExample: "test('shows the banner', async ({ page }) => {\n  await expect(page.getByRole('banner')).toBeVisible();\n});",
    },
  },
  check,
};
