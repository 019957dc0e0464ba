import { ts, type TS } from '../engine/typescript.js';
import { assertedRelation, assertionShapes, isLiteralValue, writeIndex, type AssertionShape } from '../engine/assertionShapes.js';
import { ClockValues, mocksTheClock } from '../engine/clock.js';
import { globalFakeTimers } from '../engine/runnerConfig.js';
import type { Report, Rule, RuleContext } from '../engine/types.js';
import { skipOuterExpressions } from '../engine/typeUtils.js';

const CURRENT_DATE_PARTS = new Set([
  'getFullYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'getSeconds',
  'getUTCFullYear', 'getUTCMonth', 'getUTCDate', 'getUTCDay', 'getUTCHours', 'getUTCMinutes', 'getUTCSeconds',
  'toDateString', 'toISOString', 'toJSON', 'toLocaleDateString', 'toLocaleString', 'toLocaleTimeString', 'toString', 'toTimeString', 'toUTCString',
]);
/** Formatting that depends on the machine's time zone (and, for toLocale*, its locale) unless told otherwise. */
const ZONE_FORMATTERS = new Set(['toLocaleDateString', 'toLocaleString', 'toLocaleTimeString', 'toString', 'toTimeString']);

function short(node: TS.Node, sourceFile: TS.SourceFile): string {
  const text = node.getText(sourceFile).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `d.toLocaleString('en-US', { timeZone: 'UTC' })`: both the locale and the zone are fixed by the call itself. */
function fixesLocaleAndZone(call: TS.CallExpression, method: string): boolean {
  if (method === 'toString' || method === 'toTimeString') return false;
  const [locale, options] = call.arguments;
  if (!locale || !options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'timeZone');
}

function isDateTyped(expression: TS.Expression, checker: TS.TypeChecker): boolean {
  const type = checker.getTypeAtLocation(expression);
  const symbol = type.getSymbol();
  return !!symbol && symbol.name === 'Date' && (symbol.declarations ?? []).some((d) => d.getSourceFile().isDeclarationFile);
}

export const wallClockAssertion: Rule = {
  meta: {
    id: 'wall-clock-assertion',
    category: 'timing',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports assertions whose outcome depends on real elapsed time, the current date, or the machine\'s time zone.',
      why: 'Real time is not under the test\'s control: the same code takes longer on a loaded CI runner, timers fire a millisecond early against Date.now(), and the current day, hour or year changes under a test that compares it with a literal.',
      badExample: "const start = Date.now();\nawait importData();\nexpect(Date.now() - start).toBeLessThan(1000);",
      goodExample: "vi.useFakeTimers();\nconst done = importData();\nawait vi.advanceTimersByTimeAsync(1000);\nawait expect(done).resolves.toBe('imported');",
    },
  },
  check(context: RuleContext) {
    const { model, checker, sourceFile } = context;
    // Fake timers on for every test by config or a setup file (or not known): the clock may not be real. Asked only
    // once there is something to report.
    let configFakesClock: boolean | undefined;
    const report = (r: Report): void => {
      configFakesClock ??= globalFakeTimers(context.runnerConfig()) !== 'no';
      if (!configFakesClock) context.report(r);
    };
    // The clock is mocked somewhere in the file: what the assertions compare is not real time (unknown: silent).
    if (mocksTheClock(sourceFile.text)) return;
    const shapes = assertionShapes(model, checker);
    if (shapes.length === 0) return;
    const clock = new ClockValues(checker, writeIndex(sourceFile));
    const setsTimeZone = /process\.env\.TZ\s*=|process\.env\[['"]TZ['"]\]\s*=/.test(sourceFile.text);

    for (const shape of shapes) {
      if (model.fakeTimersActiveAt(shape.call)) continue;
      const elapsed = elapsedMessage(shape, clock, sourceFile);
      if (elapsed) {
        report({ node: shape.call, message: elapsed });
        continue;
      }
      if (shape.comparison !== 'equal' && shape.comparison !== 'deepEqual') continue;
      if (!shape.expected) continue;
      for (const [value, other] of [[shape.actual, shape.expected], [shape.expected, shape.actual]] as const) {
        if (!isLiteralValue(other)) continue;
        const e = skipOuterExpressions(value);
        if (!ts.isCallExpression(e)) continue;
        const callee = skipOuterExpressions(e.expression);
        if (!ts.isPropertyAccessExpression(callee) || !CURRENT_DATE_PARTS.has(callee.name.text)) continue;
        const method = callee.name.text;
        if (clock.isNowDate(callee.expression)) {
          report({
            node: shape.call,
            message: `Compares the current date (\`${short(e, sourceFile)}\`) with a fixed value: the assertion fails on another day, hour or year. Fix the clock (\`vi.useFakeTimers()\` + \`vi.setSystemTime(...)\`) or compare with a value computed from the same date.`,
          });
          break;
        }
        if (ZONE_FORMATTERS.has(method) && !setsTimeZone && !fixesLocaleAndZone(e, method) && isDateTyped(callee.expression, checker)) {
          report({
            node: shape.call,
            message: `Compares \`${short(e, sourceFile)}\`, formatted in the machine's time zone${method.startsWith('toLocale') ? ' and locale' : ''}, with a fixed string: it passes only on machines set up like the author's. Pass a locale and \`timeZone\`, or set \`TZ\` for the test run.`,
            severity: 'info',
          });
          break;
        }
      }
    }
  },
};

function elapsedMessage(shape: AssertionShape, clock: ClockValues, sourceFile: TS.SourceFile): string | undefined {
  const fix = 'Assert on the outcome, or use fake timers and advance them instead of measuring real time.';
  const relation = assertedRelation(shape);
  if (relation) {
    const { relation: binary, holds } = relation;
    const leftElapsed = clock.isElapsed(binary.left);
    const rightElapsed = !leftElapsed && clock.isElapsed(binary.right);
    if (!leftElapsed && !rightElapsed) return undefined;
    const op = binary.operatorToken.kind;
    const less = op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken;
    // elapsed < bound (holding) is an upper bound; bound < elapsed is a lower bound; negation flips.
    const upper = (less === leftElapsed) === holds;
    return boundMessage(upper, short(leftElapsed ? binary.left : binary.right, sourceFile), fix);
  }
  const actualElapsed = clock.isElapsed(shape.actual);
  const expectedElapsed = !actualElapsed && !!shape.expected && clock.isElapsed(shape.expected);
  if (!actualElapsed && !expectedElapsed) return undefined;
  const text = short(actualElapsed ? shape.actual : shape.expected!, sourceFile);
  switch (shape.comparison) {
    case 'less':
    case 'greater': {
      const upper = (shape.comparison === 'less') === actualElapsed;
      return boundMessage(shape.negated ? !upper : upper, text, fix);
    }
    case 'between':
      return `Asserts that real elapsed time (\`${text}\`) falls within a range: real durations vary with machine load and clock granularity, so the assertion fails at random. ${fix}`;
    case 'equal':
    case 'deepEqual':
      if (shape.negated) return undefined;
      return `Asserts an exact real elapsed time (\`${text}\`): real durations vary from run to run, so the assertion fails at random. ${fix}`;
    default:
      return undefined;
  }
}

function boundMessage(upper: boolean, text: string, fix: string): string {
  return upper
    ? `Asserts that real elapsed time (\`${text}\`) stays below a bound: on a slow or loaded CI machine the same code takes longer and the assertion fails at random. ${fix}`
    : `Asserts that a minimum of real time elapsed (\`${text}\`): clocks and timers are not exact (a timer can fire a millisecond early against Date.now()), so the assertion fails at random. ${fix}`;
}
