import { ts, type TS } from '../engine/typescript.js';
import { assertionChainOf } from '../engine/assertions.js';
import {
  awaitAllEdits, awaitEdits, describeExpression, enclosingFunction, handsOn, ignoresReturnValue, isInsideAsyncFunction, keepsThenableResult,
  referencesOf, syntaxIndex, type DiscardedValue,
} from '../engine/discardedValues.js';
import type { TestModel } from '../engine/testModel.js';
import { isAsyncFunction, isThenable } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

const RISK = 'the test can pass before it runs, and its failure then lands in another test or is lost';

/**
 * "Return the assertion" for the last statement of a non-async test, hook or step callback with a
 * block body, when the runner awaits a returned promise there: not with a `done` parameter
 * (mocha and jest reject a callback that both takes `done` and returns a promise).
 */
function returnFix(value: DiscardedValue, model: TestModel, sourceFile: TS.SourceFile): Fix | undefined {
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

function fixesFor(value: DiscardedValue, model: TestModel, sourceFile: TS.SourceFile): Fix[] {
  if (value.kind === 'callback') return [];
  if (isInsideAsyncFunction(value.expression)) {
    if (value.kind === 'void') {
      const voidExpression = value.voidExpression!;
      const start = voidExpression.getStart(sourceFile);
      if (value.insideAwait) {
        // `await void expect(p)...` -> `await expect(p)...`
        return [{ title: 'Drop void', safe: true, edits: [{ start, end: value.expression.getStart(sourceFile), newText: '' }] }];
      }
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
    return `Assertion \`${label}\` is returned to a callback whose result is ignored: ${RISK}. Await it outside the callback (\`for...of\` instead of \`forEach\`), or collect the assertions and \`await Promise.all(...)\`.`;
  }
  if (value.kind === 'void') return `Assertion \`${label}\` is discarded with \`void\`: ${RISK}. Await it (or return it).`;
  return `Assertion \`${label}\` is not awaited: ${RISK}. Await it (or return it).`;
}

/** Whether any identifier spelled like the variable appears in its scope besides its declaration (conservative: any use counts). */
function isNeverReferenced(declaration: TS.VariableDeclaration & { name: TS.Identifier }): boolean {
  const fn = enclosingFunction(declaration);
  const scope: TS.Node = (fn && 'body' in fn && fn.body) || declaration.getSourceFile();
  const name = declaration.name.text;
  // A text search first: most stored assertions are awaited a line later.
  const text = declaration.getSourceFile().text;
  const from = scope.getStart();
  const end = scope.getEnd();
  let mentions = 0;
  for (let at = text.indexOf(name, from); at !== -1 && at < end; at = text.indexOf(name, at + name.length)) {
    if (++mentions > 1) break;
  }
  if (mentions <= 1) return true;
  let referenced = false;
  const visit = (node: TS.Node): void => {
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

function isExported(declaration: TS.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement)
    && (ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
}

/** chai-as-promised `.notify(done)`: the assertion reports its outcome to the test's callback. */
function notifiesCallback(expression: TS.Expression): boolean {
  return ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)
    && expression.expression.name.text === 'notify' && expression.arguments.length > 0;
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  const index = syntaxIndex(model);
  for (const value of index.discarded) {
    // Before the chain's root is resolved (a callback parameter's type needs the whole call it is passed to).
    if (value.kind === 'callback' && keepsThenableResult(value.callback!, checker, model)) continue;
    const chain = assertionChainOf(value.expression, model, checker);
    if (!chain || notifiesCallback(value.expression) || !isThenable(checker, value.expression)) continue;
    if (value.kind === 'callback' && !ignoresReturnValue(value.callback!, checker, model)) continue;
    report({
      node: value.kind === 'void' ? value.voidExpression! : value.expression,
      message: messageFor(value, describeExpression(value.expression, sourceFile)),
      fixes: fixesFor(value, model, sourceFile),
    });
  }

  // `const check = expect(p).resolves.toBe(1);` with `check` never used again: never awaited either.
  for (const declaration of index.initializedVariables) {
    if (!ts.isVariableDeclarationList(declaration.parent) || isExported(declaration)) continue;
    const initializer = declaration.initializer;
    if (ts.isArrayLiteralExpression(initializer)) {
      checkCollectedAssertions(declaration, initializer, { sourceFile, checker, model, report });
      continue;
    }
    if (!assertionChainOf(initializer, model, checker) || notifiesCallback(initializer) || !isThenable(checker, initializer)) continue;
    if (!isNeverReferenced(declaration)) continue;
    report({
      node: initializer,
      message: `Assertion \`${describeExpression(initializer, sourceFile)}\` is stored in \`${declaration.name.text}\` but never awaited: ${RISK}. Await it.`,
      fixes: isInsideAsyncFunction(declaration)
        ? [{ title: 'Add await', safe: true, edits: awaitEdits(initializer, sourceFile) }]
        : [],
    });
  }
}

/**
 * `const checks = [expect(a).resolves.toBe(1), expect(b).rejects.toThrow()];` with `checks` never awaited,
 * returned or handed on (`await Promise.all(checks)` hands it on; `checks.length` does not).
 */
function checkCollectedAssertions(
  declaration: TS.VariableDeclaration & { name: TS.Identifier },
  array: TS.ArrayLiteralExpression,
  { sourceFile, checker, model, report }: Pick<RuleContext, 'sourceFile' | 'checker' | 'model' | 'report'>,
): void {
  const assertions = array.elements.filter((element) =>
    !ts.isSpreadElement(element) && !!assertionChainOf(element, model, checker) && !notifiesCallback(element) && isThenable(checker, element));
  if (assertions.length === 0) return;
  if (referencesOf(declaration, checker).some(handsOn)) return;
  const name = declaration.name.text;
  report({
    node: array,
    message: `Assertions collected in \`${name}\` (${assertions.map((a) => `\`${describeExpression(a, sourceFile)}\``).slice(0, 2).join(', ')}${assertions.length > 2 ? ', …' : ''}) are never awaited: ${RISK}. Await them: \`await Promise.all(${name})\`.`,
    fixes: isInsideAsyncFunction(declaration) ? [{ title: 'Add await Promise.all(...)', safe: true, edits: awaitAllEdits(array, sourceFile) }] : [],
  });
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
