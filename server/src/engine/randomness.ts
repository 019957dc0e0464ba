import { ts, type TS } from './typescript.js';
import { declaringModule, initializerOf, isLibSymbol, type WriteIndex } from './assertionShapes.js';
import { calleeChain } from './testModel.js';
import { skipOuterExpressions } from './typeUtils.js';

/** Where a random value comes from, for the message. */
export type RandomSource = 'Math.random' | 'crypto' | 'faker' | 'chance' | 'uuid';

const FAKER_MODULES = new Set(['@faker-js/faker', 'faker']);
const CRYPTO_MODULES = new Set(['crypto', 'node:crypto']);
const NUMERIC_MATH = new Set(['floor', 'round', 'ceil', 'trunc', 'abs', 'min', 'max', 'pow', 'sqrt']);
/** faker members that configure rather than generate. */
const FAKER_NON_GENERATORS = new Set(['seed', 'setDefaultRefDate', 'getMetadata', 'rawDefinitions', 'definitions', 'locale']);

/**
 * Values that differ from run to run because they are drawn at random (Math.random, crypto.randomInt, unseeded
 * faker or Chance), followed through locals, arithmetic, picks (`items[randomIndex]`) and comparisons. Random ids
 * (`randomUUID()`, strings built around a random part) are identities, not outcomes: they are only of interest
 * where the whole value is recorded, as in a snapshot (see `includeIds`).
 */
export class RandomValues {
  private readonly mathRandomMocked: boolean;
  private readonly fakerSeeded: boolean;

  constructor(
    private readonly checker: TS.TypeChecker,
    private readonly writes: WriteIndex,
    sourceText: string,
  ) {
    this.mathRandomMocked = /\b(?:spyOn|stub|replace)\(\s*(?:globalThis\.|global\.)?Math\s*,\s*['"]random['"]|\bMath\.random\s*=[^=]|\bseedrandom\b/.test(sourceText);
    this.fakerSeeded = /\bfaker\s*\.\s*seed\s*\(/.test(sourceText);
  }

  /** The source of the random value the expression evaluates to, or undefined. */
  sourceOf(expression: TS.Expression, includeIds = false, depth = 0): RandomSource | undefined {
    if (depth > 6) return undefined;
    const e = skipOuterExpressions(expression);
    if (ts.isCallExpression(e)) return this.callSource(e, includeIds, depth);
    if (ts.isNewExpression(e)) return undefined;
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      // Arithmetic and comparisons keep the randomness; string building makes an id (only a snapshot cares).
      const arithmetic = op === ts.SyntaxKind.AsteriskToken || op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.PercentToken
        || op === ts.SyntaxKind.MinusToken || op === ts.SyntaxKind.AsteriskAsteriskToken
        || op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken
        || op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken
        || (op === ts.SyntaxKind.PlusToken && !this.isStringy(e));
      if (arithmetic || (includeIds && op === ts.SyntaxKind.PlusToken)) {
        return this.sourceOf(e.left, includeIds, depth + 1) ?? this.sourceOf(e.right, includeIds, depth + 1);
      }
      return undefined;
    }
    if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken || e.operator === ts.SyntaxKind.ExclamationToken)) {
      return this.sourceOf(e.operand, includeIds, depth + 1);
    }
    if (ts.isConditionalExpression(e)) return this.sourceOf(e.condition, includeIds, depth + 1);
    // A pick: items[Math.floor(Math.random() * items.length)]
    if (ts.isElementAccessExpression(e)) return this.sourceOf(e.argumentExpression, includeIds, depth + 1);
    if (includeIds && ts.isTemplateExpression(e)) {
      for (const span of e.templateSpans) {
        const source = this.sourceOf(span.expression, includeIds, depth + 1);
        if (source) return source;
      }
      return undefined;
    }
    if (ts.isIdentifier(e)) {
      const init = initializerOf(e, this.checker, this.writes);
      return init ? this.sourceOf(init, includeIds, depth + 1) : undefined;
    }
    return undefined;
  }

  private isStringy(e: TS.BinaryExpression): boolean {
    const type = this.checker.getTypeAtLocation(e);
    return (type.flags & ts.TypeFlags.StringLike) !== 0;
  }

  private callSource(call: TS.CallExpression, includeIds: boolean, depth: number): RandomSource | undefined {
    const callee = skipOuterExpressions(call.expression);
    const chain = calleeChain(callee);
    if (chain) {
      const names = [chain.root.text, ...chain.path];
      const last = names[names.length - 1]!;
      if (names.length === 2 && names[0] === 'Math' && last === 'random') {
        return !this.mathRandomMocked && isLibSymbol(this.checker.getSymbolAtLocation(chain.root)) ? 'Math.random' : undefined;
      }
      if (names.length === 2 && names[0] === 'Math' && NUMERIC_MATH.has(last)) {
        for (const arg of call.arguments) {
          const source = this.sourceOf(arg, includeIds, depth + 1);
          if (source) return source;
        }
        return undefined;
      }
      if ((last === 'Number' || last === 'parseInt' || last === 'parseFloat') && names.length === 1 && call.arguments[0]) {
        return this.sourceOf(call.arguments[0], includeIds, depth + 1);
      }
      const rootModule = declaringModule(this.checker.getSymbolAtLocation(chain.root), this.checker);
      if (rootModule && FAKER_MODULES.has(rootModule)) {
        if (this.fakerSeeded || names.some((n) => FAKER_NON_GENERATORS.has(n))) return undefined;
        const isId = /uuid|nanoid|ulid/i.test(last);
        return !isId || includeIds ? 'faker' : undefined;
      }
      const calleeModule = declaringModule(this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : chain.root), this.checker);
      if (calleeModule && CRYPTO_MODULES.has(calleeModule)) {
        if (last === 'randomInt') return 'crypto';
        if (includeIds && (last === 'randomUUID' || last === 'randomBytes')) return 'uuid';
        return undefined;
      }
      if (includeIds && calleeModule && (calleeModule === 'uuid' || calleeModule === 'nanoid') ) return 'uuid';
      if (calleeModule === 'chance' && ts.isPropertyAccessExpression(callee) && this.isUnseededChance(callee.expression)) return 'chance';
      // `randomPick(items)` of the user's own: not followed (the function may be seeded or deterministic).
    }
    // Conversions of a random number to an id string: only a snapshot cares.
    if (includeIds && ts.isPropertyAccessExpression(callee) && (callee.name.text === 'toString' || callee.name.text === 'slice' || callee.name.text === 'substring')) {
      return this.sourceOf(callee.expression, includeIds, depth + 1);
    }
    return undefined;
  }

  private isUnseededChance(receiver: TS.Expression): boolean {
    const e = skipOuterExpressions(receiver);
    const init = ts.isIdentifier(e) ? initializerOf(e, this.checker, this.writes) : e;
    return !!init && ts.isNewExpression(init) && (init.arguments ?? []).length === 0;
  }
}
