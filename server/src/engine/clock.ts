import { ts, type TS } from './typescript.js';
import { declaringModule, initializerOf, isLibSymbol, type WriteIndex } from './assertionShapes.js';
import { skipOuterExpressions } from './typeUtils.js';

/**
 * Values read from the real clock, followed through locals: what `wall-clock-assertion` (and anything else that
 * asks whether a value depends on real time) consumes. Syntax first; the checker only confirms that `Date`,
 * `performance` and `process` are the platform's own.
 */
export class ClockValues {
  private readonly platformMemo = new Map<string, boolean>();

  constructor(
    private readonly checker: TS.TypeChecker,
    private readonly writes: WriteIndex,
  ) {}

  /** `Date`, `performance`, `process` as the platform declares them (not a local of the same name). */
  private isPlatform(identifier: TS.Identifier): boolean {
    const cached = this.platformMemo.get(identifier.text);
    if (cached !== undefined && identifier.text !== 'performance') return cached;
    const symbol = this.checker.getSymbolAtLocation(identifier);
    let platform = isLibSymbol(symbol);
    if (!platform && identifier.text === 'performance') {
      const module = declaringModule(symbol, this.checker);
      platform = module === 'perf_hooks' || module === 'node:perf_hooks';
    }
    // An unresolved global in untyped JavaScript is still the platform's: nothing else could be meant.
    if (!symbol) platform = true;
    this.platformMemo.set(identifier.text, platform);
    return platform;
  }

  private isPlatformMember(expression: TS.Expression, object: string, member: string): boolean {
    const e = skipOuterExpressions(expression);
    return ts.isPropertyAccessExpression(e) && e.name.text === member && ts.isIdentifier(e.expression)
      && e.expression.text === object && this.isPlatform(e.expression);
  }

  /** `new Date()` or `new Date(Date.now())`: the current moment as a Date. */
  isNowDate(expression: TS.Expression, depth = 0): boolean {
    const e = skipOuterExpressions(expression);
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Date' && this.isPlatform(e.expression)) {
      const args = e.arguments ?? [];
      return args.length === 0 || (args.length === 1 && this.isTimestampRead(args[0]!));
    }
    if (ts.isIdentifier(e) && depth < 4) {
      const init = initializerOf(e, this.checker, this.writes);
      return !!init && this.isNowDate(init, depth + 1);
    }
    return false;
  }

  /** A direct read of the clock as a number: Date.now(), performance.now(), process.hrtime.bigint(), new Date().getTime(). */
  private isTimestampRead(expression: TS.Expression): boolean {
    const e = skipOuterExpressions(expression);
    if (ts.isCallExpression(e)) {
      if (this.isPlatformMember(e.expression, 'Date', 'now') || this.isPlatformMember(e.expression, 'performance', 'now')) return true;
      const callee = skipOuterExpressions(e.expression);
      // process.hrtime() (absolute, no argument) and process.hrtime.bigint()
      if (this.isPlatformMember(callee, 'process', 'hrtime') && e.arguments.length === 0) return true;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bigint' && this.isPlatformMember(callee.expression, 'process', 'hrtime')) return true;
      if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'getTime' || callee.name.text === 'valueOf') && this.isNowDate(callee.expression)) return true;
      if (ts.isIdentifier(callee) && callee.text === 'Number' && e.arguments.length === 1 && this.isNowDate(e.arguments[0]!)) return true;
    }
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.PlusToken && this.isNowDate(e.operand)) return true;
    return false;
  }

  /** A clock reading: read here, or held by a local every write of which is a clock reading. */
  isClockReading(expression: TS.Expression, depth = 0): boolean {
    const e = skipOuterExpressions(expression);
    if (this.isTimestampRead(e) || this.isNowDate(e)) return true;
    if (ts.isIdentifier(e) && depth < 4) {
      const init = initializerOf(e, this.checker, this.writes);
      if (init) return this.isClockReading(init, depth + 1);
      // `let start; beforeEach(() => { start = Date.now(); })`: every assignment is a clock reading.
      const assigned = this.writes.assignments.get(e.text);
      const symbol = this.checker.getSymbolAtLocation(e);
      const declaration = symbol?.valueDeclaration;
      if (assigned && assigned.length > 0 && declaration && ts.isVariableDeclaration(declaration) && declaration.getSourceFile() === e.getSourceFile()) {
        return assigned.every((value) => this.isClockReading(value, depth + 1));
      }
    }
    return false;
  }

  /** Real elapsed time: a difference of two clock readings, `process.hrtime(start)`, and unit conversions of those. */
  isElapsed(expression: TS.Expression, depth = 0): boolean {
    if (depth > 6) return false;
    const e = skipOuterExpressions(expression);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.MinusToken) {
        return (this.isClockReading(e.left) && this.isClockReading(e.right)) || (this.isElapsed(e.left, depth + 1) && isNumberLike(e.right));
      }
      if (op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.AsteriskToken) {
        return (this.isElapsed(e.left, depth + 1) && isNumberLike(e.right)) || (op === ts.SyntaxKind.AsteriskToken && isNumberLike(e.left) && this.isElapsed(e.right, depth + 1));
      }
      if (op === ts.SyntaxKind.PlusToken) {
        // hrtime tuples: diff[0] * 1e3 + diff[1] / 1e6
        return this.isElapsed(e.left, depth + 1) && (this.isElapsed(e.right, depth + 1) || isNumberLike(e.right));
      }
      return false;
    }
    if (ts.isCallExpression(e)) {
      const callee = skipOuterExpressions(e.expression);
      if (this.isPlatformMember(callee, 'process', 'hrtime') && e.arguments.length === 1 && this.isClockReading(e.arguments[0]!)) return true;
      // Math.round(elapsed), Number(elapsed)
      const isConversion = (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Math')
        || (ts.isIdentifier(callee) && (callee.text === 'Number' || callee.text === 'parseInt' || callee.text === 'parseFloat'));
      return isConversion && e.arguments.length >= 1 && this.isElapsed(e.arguments[0]!, depth + 1);
    }
    if (ts.isElementAccessExpression(e)) return this.isElapsed(e.expression, depth + 1);
    if (ts.isIdentifier(e)) {
      const init = initializerOf(e, this.checker, this.writes);
      return !!init && this.isElapsed(init, depth + 1);
    }
    return false;
  }
}

function isNumberLike(expression: TS.Expression): boolean {
  const e = skipOuterExpressions(expression);
  return ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e)
    || (ts.isBinaryExpression(e) && isNumberLike(e.left) && isNumberLike(e.right));
}

/** Text of a file that makes the real clock a mock: spies on Date/performance, mockdate, timekeeper, fake-timer installs by library. */
const CLOCK_MOCK = /\b(?:spyOn|stub|replace)\(\s*(?:globalThis\.|global\.|window\.)?(?:Date|performance)\b|\b(?:Date|performance)\.now\s*=[^=]|\bfrom\s+['"](?:mockdate|timekeeper|@sinonjs\/fake-timers)['"]|require\(\s*['"](?:mockdate|timekeeper|@sinonjs\/fake-timers)['"]\s*\)/;

export function mocksTheClock(text: string): boolean {
  return CLOCK_MOCK.test(text);
}
