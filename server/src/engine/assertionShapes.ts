import { ts, type TS } from './typescript.js';
import { assertionChainOf } from './assertions.js';
import type { TestModel } from './testModel.js';
import { skipOuterExpressions } from './typeUtils.js';

/**
 * What an assertion compares, whatever the library: `expect(a).toBe(b)`, `expect(a).to.deep.equal(b)`,
 * `assert.strictEqual(a, b)`, `assert.ok(a < b)`. Rules about *what* is asserted (clock values, unordered
 * collections, random values) read this instead of re-parsing each library's chain.
 */
export type Comparison =
  | 'equal' // identity / primitive equality: toBe, equal, strictEqual
  | 'deepEqual' // structural equality that respects array order: toEqual, eql, deepStrictEqual, ordered.members
  | 'less' // actual below (or at most) expected
  | 'greater' // actual above (or at least) expected
  | 'between' // chai within(a, b), toBeCloseTo, closeTo
  | 'truthy'
  | 'falsy'
  | 'snapshot'
  | 'other'; // a check on the actual value that none of the above describes: toHaveProperty, toMatchObject, toContain ...

export interface AssertionShape {
  /** The call that performs the check (the matcher call, or the assert call). */
  call: TS.CallExpression | TS.PropertyAccessExpression;
  comparison: Comparison;
  actual: TS.Expression;
  /** The first expected argument, when the comparison has one. */
  expected?: TS.Expression;
  negated: boolean;
  /** The matcher or assert function as written (`toBeLessThan`, `deepStrictEqual`, `below`). */
  matcher: string;
}

const EXPECT_MATCHERS: Record<string, Comparison> = {
  toBe: 'equal', toEqual: 'deepEqual', toStrictEqual: 'deepEqual',
  toBeLessThan: 'less', toBeLessThanOrEqual: 'less', toBeGreaterThan: 'greater', toBeGreaterThanOrEqual: 'greater',
  toBeCloseTo: 'between', toBeTruthy: 'truthy', toBeFalsy: 'falsy',
  toMatchSnapshot: 'snapshot', toMatchInlineSnapshot: 'snapshot', toMatchFileSnapshot: 'snapshot',
  toHaveProperty: 'other', toMatchObject: 'other', toContain: 'other', toContainEqual: 'other', toMatch: 'other',
  toBeDefined: 'other', toBeUndefined: 'other', toBeNull: 'other', toBeInstanceOf: 'other', toHaveLength: 'other',
};

/** chai BDD terminal methods (the `deep` flag turns equal into deepEqual). */
const CHAI_METHODS: Record<string, Comparison> = {
  equal: 'equal', equals: 'equal', eq: 'equal', eql: 'deepEqual', eqls: 'deepEqual',
  below: 'less', lt: 'less', lessThan: 'less', most: 'less', lte: 'less',
  above: 'greater', gt: 'greater', greaterThan: 'greater', least: 'greater', gte: 'greater',
  within: 'between', closeTo: 'between', approximately: 'between',
};
/** chai BDD terminal properties: `expect(x).to.be.true`. */
const CHAI_PROPERTIES: Record<string, Comparison> = { true: 'truthy', ok: 'truthy', false: 'falsy' };

/** node:assert and chai assert functions. */
const ASSERT_FUNCTIONS: Record<string, { comparison: Comparison; negated?: boolean }> = {
  equal: { comparison: 'equal' }, strictEqual: { comparison: 'equal' },
  notEqual: { comparison: 'equal', negated: true }, notStrictEqual: { comparison: 'equal', negated: true },
  deepEqual: { comparison: 'deepEqual' }, deepStrictEqual: { comparison: 'deepEqual' },
  notDeepEqual: { comparison: 'deepEqual', negated: true }, notDeepStrictEqual: { comparison: 'deepEqual', negated: true },
  sameOrderedMembers: { comparison: 'deepEqual' }, sameDeepOrderedMembers: { comparison: 'deepEqual' },
  ok: { comparison: 'truthy' }, isOk: { comparison: 'truthy' }, isTrue: { comparison: 'truthy' },
  isNotOk: { comparison: 'falsy' }, isFalse: { comparison: 'falsy' },
  isBelow: { comparison: 'less' }, isAtMost: { comparison: 'less' },
  isAbove: { comparison: 'greater' }, isAtLeast: { comparison: 'greater' },
  closeTo: { comparison: 'between' }, approximately: { comparison: 'between' },
};

/** Words of a chai chain that carry no meaning for the comparison. */
const CHAI_FILLERS = new Set(['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at', 'of', 'same', 'but', 'does', 'still', 'also', 'a', 'an', 'strict']);

const memo = new WeakMap<TestModel, AssertionShape[]>();

/** Every assertion of the file whose comparison is understood, in source order (memoised per analysis). */
export function assertionShapes(model: TestModel, checker: TS.TypeChecker): AssertionShape[] {
  let shapes = memo.get(model);
  if (shapes) return shapes;
  shapes = [];
  const found = shapes;
  forEachDescendant(model.sourceFile, (node) => {
    if (ts.isCallExpression(node) || ts.isPropertyAccessExpression(node)) {
      const shape = shapeOf(node, model, checker);
      if (shape) found.push(shape);
    }
  });
  memo.set(model, shapes);
  return shapes;
}

function shapeOf(node: TS.CallExpression | TS.PropertyAccessExpression, model: TestModel, checker: TS.TypeChecker): AssertionShape | undefined {
  if (ts.isPropertyAccessExpression(node)) {
    // Only a chai terminal property used as a statement's value (`expect(x).to.be.true;`) is an assertion.
    const comparison = CHAI_PROPERTIES[node.name.text];
    if (!comparison || ts.isPropertyAccessExpression(node.parent) || (ts.isCallExpression(node.parent) && node.parent.expression === node)) return undefined;
    return expectShape(node, node.expression, node.name.text, comparison, model, checker, true);
  }
  const callee = skipOuterExpressions(node.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    const expectComparison = EXPECT_MATCHERS[name] ?? CHAI_METHODS[name];
    if (expectComparison) {
      const shape = expectShape(node, callee.expression, name, expectComparison, model, checker, name in CHAI_METHODS && !(name in EXPECT_MATCHERS));
      if (shape) return shape;
    }
  }
  const assertName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (assertName === undefined) return undefined;
  const known = ASSERT_FUNCTIONS[assertName] ?? (ts.isIdentifier(callee) && assertName === 'assert' ? { comparison: 'truthy' as const } : undefined);
  if (!known || node.arguments.length === 0) return undefined;
  const chain = assertionChainOf(callee, model, checker);
  if (chain?.style !== 'assert' && !(ts.isPropertyAccessExpression(callee) && declaredByAssertLibrary(callee.name, checker))) return undefined;
  return {
    call: node,
    comparison: known.comparison,
    actual: node.arguments[0]!,
    ...(node.arguments[1] ? { expected: node.arguments[1] } : {}),
    negated: known.negated ?? false,
    matcher: assertName,
  };
}

/**
 * `<subject call>[.not|.resolves|chai words...].<matcher>`: walks the receiver down to the `expect(actual)` call.
 * `expect.poll(fn)` and `expect(fn).toThrow` style subjects are not values: skipped.
 */
function expectShape(
  call: TS.CallExpression | TS.PropertyAccessExpression,
  receiver: TS.Expression,
  matcher: string,
  comparison: Comparison,
  model: TestModel,
  checker: TS.TypeChecker,
  chaiOnly: boolean,
): AssertionShape | undefined {
  let negated = false;
  let deep = false;
  let ordered = false;
  let current = skipOuterExpressions(receiver);
  while (ts.isPropertyAccessExpression(current)) {
    const word = current.name.text;
    if (word === 'not') negated = !negated;
    else if (word === 'deep') deep = true;
    else if (word === 'ordered') ordered = true;
    else if (word === 'members' || word === 'include' || word === 'includes' || word === 'contain' || word === 'contains' || word === 'any' || word === 'all' || word === 'nested' || word === 'own') return undefined;
    else if (word !== 'resolves' && word !== 'rejects' && word !== 'eventually' && !CHAI_FILLERS.has(word)) return undefined;
    current = skipOuterExpressions(current.expression);
  }
  if (!ts.isCallExpression(current) || current.arguments.length === 0) return undefined;
  const subjectCallee = skipOuterExpressions(current.expression);
  if (ts.isPropertyAccessExpression(subjectCallee) && subjectCallee.name.text === 'poll') return undefined;
  const chain = assertionChainOf(current, model, checker);
  if (chain?.style !== 'expect') return undefined;
  if (chaiOnly && chain.root !== subjectCallee && !ts.isIdentifier(subjectCallee)) return undefined;
  let effective = comparison;
  if (comparison === 'equal' && (deep || matcher === 'eql')) effective = 'deepEqual';
  if (ordered && matcher !== 'members') effective = 'deepEqual';
  return { call, comparison: effective, actual: current.arguments[0]!, ...(ts.isCallExpression(call) && call.arguments[0] ? { expected: call.arguments[0] } : {}), negated, matcher };
}

/** node:assert's and chai's assert functions, also reached through wrappers typed as them (tspl's plan: `t.ok(...)`). */
const ASSERT_DECLARATION_FILE = /\/@types\/node\/(?:ts[\d.]+\/)?assert(?:\/strict)?\.d\.ts$|\/@types\/chai\//;

function declaredByAssertLibrary(name: TS.MemberName, checker: TS.TypeChecker): boolean {
  const symbol = checker.getSymbolAtLocation(name);
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.some((d) => ASSERT_DECLARATION_FILE.test(d.getSourceFile().fileName.replace(/\\/g, '/')));
}

/** For `assert.ok(a < b)` / `expect(a >= b).toBe(true)`: the relational expression asserted to hold (or not). */
export function assertedRelation(shape: AssertionShape): { relation: TS.BinaryExpression; holds: boolean } | undefined {
  let holds: boolean;
  if (shape.comparison === 'truthy') holds = true;
  else if (shape.comparison === 'falsy') holds = false;
  else if ((shape.comparison === 'equal' || shape.comparison === 'deepEqual') && shape.expected) {
    const expected = skipOuterExpressions(shape.expected);
    if (expected.kind === ts.SyntaxKind.TrueKeyword) holds = true;
    else if (expected.kind === ts.SyntaxKind.FalseKeyword) holds = false;
    else return undefined;
  } else {
    return undefined;
  }
  const actual = skipOuterExpressions(shape.actual);
  if (!ts.isBinaryExpression(actual)) return undefined;
  const op = actual.operatorToken.kind;
  const relational = op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken
    || op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken;
  return relational ? { relation: actual, holds: shape.negated ? !holds : holds } : undefined;
}

/**
 * The module that declares a symbol: the name of an ambient `declare module 'x'` around its declaration, else the
 * package directory under node_modules (`@prisma/client`, `.prisma`, `typeorm`). Lib and user declarations: undefined.
 */
export function declaringModule(symbol: TS.Symbol | undefined, checker: TS.TypeChecker): string | undefined {
  let target = symbol;
  if (target && target.flags & ts.SymbolFlags.Alias) {
    try {
      target = checker.getAliasedSymbol(target);
    } catch {
      return undefined;
    }
  }
  for (const declaration of target?.declarations ?? []) {
    for (let node: TS.Node | undefined = declaration.parent; node; node = node.parent) {
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) return node.name.text;
    }
    const file = declaration.getSourceFile().fileName.replace(/\\/g, '/');
    const at = file.lastIndexOf('/node_modules/');
    if (at === -1) continue;
    const rest = file.slice(at + '/node_modules/'.length).split('/');
    if (rest[0] === '@types' && rest[1]) return rest[1].includes('__') ? `@${rest[1].replace('__', '/')}` : rest[1];
    return rest[0]!.startsWith('@') && rest[1] ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return undefined;
}

/** Whether a symbol is declared by TypeScript's lib files (the real `Date`, `Math`, `performance`). */
export function isLibSymbol(symbol: TS.Symbol | undefined): boolean {
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => {
    const file = d.getSourceFile().fileName.replace(/\\/g, '/');
    return /\/lib\.[\w.]*\.d\.ts$/.test(file) || file.includes('/@types/node/');
  });
}

/** A literal the test wrote down: number, string, template without substitutions, boolean, null, negative number. */
export function isLiteralValue(node: TS.Expression): boolean {
  const e = skipOuterExpressions(node);
  return ts.isNumericLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isBigIntLiteral(e)
    || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword
    || (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand));
}

/**
 * What a local identifier holds: the initializer of a `const` (or of a `let`/`var` that is never assigned again
 * in this file), followed through further identifiers. Bounded: aliases of aliases stop after a few hops.
 */
export function initializerOf(identifier: TS.Identifier, checker: TS.TypeChecker, writes: WriteIndex): TS.Expression | undefined {
  const symbol = checker.getSymbolAtLocation(identifier);
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  if (declaration.getSourceFile() !== identifier.getSourceFile()) return undefined;
  const list = declaration.parent;
  const isConst = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
  if (!isConst && writes.assignedNames.has(identifier.text)) return undefined;
  return declaration.initializer;
}

/** Names assigned anywhere in the file (`x = ...`, `x += ...`, `x++`): a cheap, conservative write check. */
export interface WriteIndex {
  assignedNames: Set<string>;
  /** Right-hand sides of plain `name = value` assignments, by name. */
  assignments: Map<string, TS.Expression[]>;
}

const writeMemo = new WeakMap<TS.SourceFile, WriteIndex>();

export function writeIndex(sourceFile: TS.SourceFile): WriteIndex {
  let index = writeMemo.get(sourceFile);
  if (index) return index;
  index = { assignedNames: new Set(), assignments: new Map() };
  const result = index;
  forEachDescendant(sourceFile, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const left = skipOuterExpressions(node.left);
      if (ts.isIdentifier(left)) {
        result.assignedNames.add(left.text);
        if (node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const list = result.assignments.get(left.text) ?? [];
          list.push(node.right);
          result.assignments.set(left.text, list);
        }
      }
    } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node))
      && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      const operand = skipOuterExpressions(node.operand);
      if (ts.isIdentifier(operand)) result.assignedNames.add(operand.text);
    }
  });
  writeMemo.set(sourceFile, index);
  return index;
}

/** Pre-order walk with an explicit stack: deeply nested code (thousands of levels) must not overflow the call stack. */
export function forEachDescendant(root: TS.Node, visit: (node: TS.Node) => void): void {
  const stack: TS.Node[] = [];
  const push = (child: TS.Node): void => {
    stack.push(child);
  };
  ts.forEachChild(root, push);
  stack.reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    const start = stack.length;
    ts.forEachChild(node, push);
    // Children were pushed in source order; reverse them so the first child is visited next.
    for (let i = start, j = stack.length - 1; i < j; i++, j--) [stack[i], stack[j]] = [stack[j]!, stack[i]!];
  }
}
