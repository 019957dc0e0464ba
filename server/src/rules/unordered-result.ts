import { ts, type TS } from '../engine/typescript.js';
import { assertionShapes, initializerOf, writeIndex, type AssertionShape, type WriteIndex } from '../engine/assertionShapes.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';
import { skipOuterExpressions } from '../engine/typeUtils.js';
import { UnorderedCollections } from '../engine/unordered.js';

/** The array literal (of two or more elements) an expected value is, directly or through a const. */
function expectedArray(expression: TS.Expression, checker: TS.TypeChecker, writes: WriteIndex): TS.ArrayLiteralExpression | undefined {
  let e = skipOuterExpressions(expression);
  if (ts.isIdentifier(e)) {
    const init = initializerOf(e, checker, writes);
    if (!init) return undefined;
    e = skipOuterExpressions(init);
  }
  if (!ts.isArrayLiteralExpression(e) || e.elements.length < 2 || e.elements.some(ts.isSpreadElement)) return undefined;
  return e;
}

/** `rows[1]`, `rows[1].name`, `rows.at(-1)`: an element picked by its position in the collection. */
function positionalPick(expression: TS.Expression): { collection: TS.Expression; index: number } | undefined {
  let e = skipOuterExpressions(expression);
  for (let hops = 0; hops < 6; hops++) {
    if (ts.isElementAccessExpression(e)) {
      const arg = skipOuterExpressions(e.argumentExpression);
      if (ts.isNumericLiteral(arg)) return { collection: e.expression, index: Number(arg.text) };
      return undefined;
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (e.name.text === 'length') return undefined;
      e = skipOuterExpressions(e.expression);
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** vitest/jest: `expect(x).toEqual([a, b])` -> arrayContaining + toHaveLength, as a separate statement. */
function arrayContainingFix(shape: AssertionShape, expected: TS.ArrayLiteralExpression, sourceFile: TS.SourceFile): Fix | undefined {
  if (shape.negated || (shape.matcher !== 'toEqual' && shape.matcher !== 'toStrictEqual') || !ts.isCallExpression(shape.call)) return undefined;
  const statement = shape.call.parent;
  if (!ts.isExpressionStatement(statement)) return undefined;
  const callee = shape.call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const subject = skipOuterExpressions(callee.expression);
  if (!ts.isCallExpression(subject) || !ts.isIdentifier(subject.expression)) return undefined;
  const expectName = subject.expression.text;
  const line = sourceFile.text.slice(sourceFile.text.lastIndexOf('\n', statement.getStart(sourceFile)) + 1, statement.getStart(sourceFile));
  const indent = /^\s*$/.test(line) ? line : '';
  const expectedText = expected.getText(sourceFile);
  const actualText = shape.actual.getText(sourceFile);
  const semicolon = sourceFile.text[statement.getEnd() - 1] === ';' ? ';' : '';
  return {
    title: 'Compare without order (expect.arrayContaining + toHaveLength)',
    safe: false,
    edits: [
      { start: expected.getStart(sourceFile), end: expected.getEnd(), newText: `${expectName}.arrayContaining(${expectedText})` },
      { start: statement.getEnd(), end: statement.getEnd(), newText: `\n${indent}${expectName}(${actualText}).toHaveLength(${expected.elements.length})${semicolon}` },
    ],
  };
}

export const unorderedResult: Rule = {
  meta: {
    id: 'unordered-result',
    category: 'timing',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports exact-order assertions on collections whose order is not guaranteed: database reads without an order, directory listings, globs, arrays filled by concurrent callbacks.',
      why: 'A database returns rows in whatever order its plan produces, a directory lists entries in the file system\'s order, and concurrent work finishes in any order: an assertion that fixes the order passes on one machine or run and fails on another.',
      badExample: "const users = await prisma.user.findMany();\nexpect(users.map((u) => u.name)).toEqual(['ada', 'grace']);",
      goodExample: "const users = await prisma.user.findMany({ orderBy: { name: 'asc' } });\nexpect(users.map((u) => u.name)).toEqual(['ada', 'grace']);",
    },
  },
  check(context: RuleContext) {
    const { model, checker, sourceFile, report } = context;
    const shapes = assertionShapes(model, checker);
    if (shapes.length === 0) return;
    const writes = writeIndex(sourceFile);
    const collections = new UnorderedCollections(sourceFile, checker, writes);
    const pickedCollections = new Set<string>();

    for (const shape of shapes) {
      if (shape.negated) continue;
      let reported = false;
      if (shape.comparison === 'deepEqual' && shape.expected) {
        for (const [value, other] of [[shape.actual, shape.expected], [shape.expected, shape.actual]] as const) {
          const expected = expectedArray(other, checker, writes);
          if (!expected) continue;
          const origin = collections.originOf(value);
          if (!origin) continue;
          const fix = value === shape.actual ? arrayContainingFix(shape, expected, sourceFile) : undefined;
          report({
            node: shape.call,
            message: `Asserts an exact order on ${origin.description}: the order can differ between runs and machines. Compare without order (\`expect.arrayContaining\` plus length, or sort both sides), or ${origin.remedy}.`,
            ...(fix ? { fixes: [fix] } : {}),
          });
          reported = true;
          break;
        }
        if (reported) continue;
      }
      if (shape.comparison !== 'snapshot') {
        // rows[1].name: positions past the first only exist when several rows came back, in no guaranteed order.
        const pick = positionalPick(shape.actual);
        if (!pick || pick.index < 1) continue;
        const key = pick.collection.getText(sourceFile);
        if (pickedCollections.has(key)) continue;
        const origin = collections.originOf(pick.collection);
        if (!origin) continue;
        pickedCollections.add(key);
        report({
          node: shape.call,
          message: `Picks element ${pick.index} of ${origin.description} and asserts on it: which element sits at that position can differ between runs and machines. Find the element by a key, or ${origin.remedy}.`,
        });
      }
    }
  },
};
