import { ts, type TS } from '../engine/typescript.js';
import { assertionShapes, isLiteralValue, writeIndex } from '../engine/assertionShapes.js';
import { RandomValues, type RandomSource } from '../engine/randomness.js';
import type { Rule, RuleContext } from '../engine/types.js';
import { skipOuterExpressions } from '../engine/typeUtils.js';

const SOURCE_TEXT: Record<RandomSource, string> = {
  'Math.random': '`Math.random()`',
  crypto: '`crypto.randomInt()`',
  faker: 'unseeded faker',
  chance: 'an unseeded Chance instance',
  uuid: 'a random id',
};

function short(node: TS.Node, sourceFile: TS.SourceFile): string {
  const text = node.getText(sourceFile).replace(/\s+/g, ' ');
  return text.length > 50 ? `${text.slice(0, 47)}...` : text;
}

/** A snapshot subject that records a random value: the value itself, or a property/element of a literal built here. */
function randomInSnapshot(subject: TS.Expression, random: RandomValues, checker: TS.TypeChecker, depth = 0): { node: TS.Expression; source: RandomSource } | undefined {
  if (depth > 3) return undefined;
  const e = skipOuterExpressions(subject);
  const direct = random.sourceOf(e, true);
  if (direct) return { node: e, source: direct };
  if (ts.isObjectLiteralExpression(e)) {
    for (const property of e.properties) {
      const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
      const found = value && randomInSnapshot(value, random, checker, depth + 1);
      if (found) return found;
    }
  } else if (ts.isArrayLiteralExpression(e)) {
    for (const element of e.elements) {
      const found = randomInSnapshot(element, random, checker, depth + 1);
      if (found) return found;
    }
  } else if (ts.isIdentifier(e)) {
    const symbol = checker.getSymbolAtLocation(e);
    const declaration = symbol?.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && declaration.getSourceFile() === e.getSourceFile()
      && (ts.isObjectLiteralExpression(declaration.initializer) || ts.isArrayLiteralExpression(declaration.initializer))) {
      return randomInSnapshot(declaration.initializer, random, checker, depth + 1);
    }
  }
  return undefined;
}

export const unseededRandom: Rule = {
  meta: {
    id: 'unseeded-random',
    category: 'timing',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports random values (Math.random, crypto.randomInt, unseeded faker or Chance) that decide an assertion\'s outcome or end up in a snapshot.',
      why: 'A test whose expected outcome depends on a value drawn at random passes or fails by chance, and the failing input is gone by the time anyone looks; random data in a snapshot never matches the snapshot written on an earlier run.',
      badExample: "const quantity = Math.floor(Math.random() * 10);\nexpect(quantity).toBe(3);",
      goodExample: "faker.seed(42);\nconst quantity = faker.number.int({ max: 10 });\nexpect(shippingFor(quantity)).toBeGreaterThan(0);",
    },
  },
  check(context: RuleContext) {
    const { model, checker, sourceFile, report } = context;
    if (!/\brandom|faker|[Cc]hance\b|uuid|nanoid/.test(sourceFile.text)) return;
    const shapes = assertionShapes(model, checker);
    if (shapes.length === 0) return;
    const random = new RandomValues(checker, writeIndex(sourceFile), sourceFile.text);

    for (const shape of shapes) {
      if (shape.comparison === 'snapshot') {
        const found = randomInSnapshot(shape.actual, random, checker);
        if (found) {
          report({
            node: shape.call,
            message: `The snapshot records a value drawn from ${SOURCE_TEXT[found.source]} (\`${short(found.node, sourceFile)}\`): it differs on every run, so the snapshot written once never matches again. Use fixed data, a seeded generator, or a property matcher such as \`expect.any(String)\`.`,
          });
        }
        continue;
      }
      // Equality with a value written in the test: passes only when the draw happens to match.
      if (shape.comparison !== 'equal' && shape.comparison !== 'deepEqual') continue;
      if (!shape.expected) continue;
      for (const [value, other] of [[shape.actual, shape.expected], [shape.expected, shape.actual]] as const) {
        if (!isLiteralValue(other)) continue;
        const source = random.sourceOf(value);
        if (!source) continue;
        report({
          node: shape.call,
          message: `Compares a value drawn from ${SOURCE_TEXT[source]} (\`${short(value, sourceFile)}\`) with a fixed value: the assertion passes or fails by chance and the failing draw is not reproducible. Use fixed inputs or a seeded generator (\`faker.seed(n)\`), and log the seed.`,
        });
        break;
      }
    }
  },
};
