import { ts, type TS } from './typescript.js';
import { frameworkFromPath, type TestModel } from './testModel.js';
import { resolveAlias, skipOuterExpressions } from './typeUtils.js';

/** How an assertion chain starts: `expect(x)...`, `assert.x(...)`, or `value.should...`. */
export type AssertionStyle = 'expect' | 'assert' | 'should';

export interface AssertionChain {
  style: AssertionStyle;
  /** The identifier or member access the chain starts from (`expect`, `chai.assert`, `p.should`). */
  root: TS.Node;
}

/** node:assert (and node:assert/strict): `assert.rejects(p)` and `assert.doesNotReject(p)` return promises. */
const NODE_ASSERT_FILE = /\/@types\/node\/(?:ts[\d.]+\/)?assert(?:\/strict)?\.d\.ts$/;

/** Member names that start an assertion when a test framework or assertion library declares them. */
const ASSERTION_MEMBERS = new Map<string, AssertionStyle>([['expect', 'expect'], ['assert', 'assert'], ['should', 'should']]);

/** Files declaring the symbol (through an import alias), with forward slashes. */
function declarationFiles(symbol: TS.Symbol | undefined, checker: TS.TypeChecker): string[] {
  const target = resolveAlias(checker, symbol);
  return (target?.declarations ?? []).map((d) => d.getSourceFile().fileName.replace(/\\/g, '/'));
}

function isDeclaredByAssertionLibrary(symbol: TS.Symbol | undefined, checker: TS.TypeChecker): boolean {
  return declarationFiles(symbol, checker).some((file) => frameworkFromPath(file) !== undefined || NODE_ASSERT_FILE.test(file));
}

/** Type names of a runner's `expect` function object. */
const EXPECT_TYPE_NAMES = new Set(['ExpectStatic', 'Expect', 'JestExpect']);

function hasExpectType(identifier: TS.Identifier, checker: TS.TypeChecker): boolean {
  const type = checker.getTypeAtLocation(identifier);
  const typeSymbol = type.aliasSymbol ?? type.getSymbol();
  return !!typeSymbol && EXPECT_TYPE_NAMES.has(typeSymbol.name) && isDeclaredByAssertionLibrary(typeSymbol, checker);
}

function identifierStyle(identifier: TS.Identifier, model: TestModel, checker: TS.TypeChecker): AssertionStyle | undefined {
  const identity = model.resolveRunner(identifier);
  if (identity?.name === 'expect') return 'expect';
  // Runners may export expect under another declared name (vitest: `globalExpect as expect`): judge by its type.
  if (identity && identity.framework !== 'chai' && hasExpectType(identifier, checker)) return 'expect';
  if (identity?.framework === 'chai') return ASSERTION_MEMBERS.get(identity.name);
  // node:assert is no runner entity: `import assert from 'node:assert'`, `import { rejects } from 'node:assert/strict'`.
  const files = declarationFiles(checker.getSymbolAtLocation(identifier), checker);
  return files.some((file) => NODE_ASSERT_FILE.test(file)) ? 'assert' : undefined;
}

/**
 * Whether the expression is an assertion chain: calls and member accesses rooted at a framework's
 * `expect` (also `expect.soft/poll/element`, a configured or extended expect instance, a test
 * context's `expect`), chai's `assert`/`expect`/`.should`, or node:assert. Arguments are not
 * followed: `save(expect(x))` is not a chain. Syntax first, the checker only for candidate roots.
 */
export function assertionChainOf(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): AssertionChain | undefined {
  // Several rules ask about the same discarded values: memoised per analysis (the model lives as long as it).
  let memo = chainMemos.get(model);
  if (!memo) chainMemos.set(model, (memo = new Map()));
  const cached = memo.get(expression);
  if (cached !== undefined) return cached ?? undefined;
  const chain = findAssertionChain(expression, model, checker);
  memo.set(expression, chain ?? null);
  return chain;
}

const chainMemos = new WeakMap<TestModel, Map<TS.Node, AssertionChain | null>>();

function findAssertionChain(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): AssertionChain | undefined {
  let current = skipOuterExpressions(expression);
  for (;;) {
    if (ts.isCallExpression(current)) {
      current = skipOuterExpressions(current.expression);
    } else if (ts.isPropertyAccessExpression(current)) {
      const style = ASSERTION_MEMBERS.get(current.name.text);
      if (style && isDeclaredByAssertionLibrary(checker.getSymbolAtLocation(current.name), checker)) {
        return { style, root: current };
      }
      current = skipOuterExpressions(current.expression);
    } else if (ts.isElementAccessExpression(current)) {
      current = skipOuterExpressions(current.expression);
    } else if (ts.isIdentifier(current)) {
      const style = identifierStyle(current, model, checker);
      return style ? { style, root: current } : undefined;
    } else {
      return undefined;
    }
  }
}

export function isAssertionChain(expression: TS.Expression, model: TestModel, checker: TS.TypeChecker): boolean {
  return assertionChainOf(expression, model, checker) !== undefined;
}
