import { ts, type TS } from './typescript.js';
import type { Duration, SleepFinder } from './sleeps.js';
import type { TestBlock, TestModel } from './testModel.js';
import { isAsyncFunction, resolveAlias, skipOuterExpressions, skipParentheses } from './typeUtils.js';

// Sleeps whose outcome a slow machine cannot change: they only let a timer fire that the test itself set up
// with a shorter delay, or they run on a setTimeout the test replaced. fixed-sleep asks these before it reports.

function isLibraryGlobal(identifier: TS.Identifier, checker: TS.TypeChecker): boolean {
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(identifier));
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile);
}

/** `setTimeout(cb, n)` of the runtime (global, `globalThis.`), as a statement or a `const t = ...` initializer. */
function timerScheduledBy(statement: TS.Statement, checker: TS.TypeChecker): TS.CallExpression | undefined {
  let expression: TS.Expression | undefined;
  if (ts.isExpressionStatement(statement)) expression = statement.expression;
  else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) expression = statement.declarationList.declarations[0]!.initializer;
  const call = expression && skipOuterExpressions(expression);
  if (!call || !ts.isCallExpression(call)) return undefined;
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)
    && /^(globalThis|global|window)$/.test(callee.expression.text) && ts.isIdentifier(callee.name) ? callee.name : undefined;
  if (!name || name.text !== 'setTimeout' || !isLibraryGlobal(name, checker)) return undefined;
  return call;
}

/** A timer callback whose work is done when it returns: not async, no await, no promise chain of its own. */
function runsSynchronously(callback: TS.Expression | undefined): boolean {
  if (!callback) return false;
  const fn = skipOuterExpressions(callback);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  if (isAsyncFunction(fn)) return false;
  let sync = true;
  const visit = (node: TS.Node): void => {
    if (!sync || ts.isFunctionLike(node)) return;
    if (ts.isAwaitExpression(node) || (ts.isPropertyAccessExpression(node) && node.name.text === 'then')) {
      sync = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return sync;
}

/**
 * `setTimeout(() => emitter.emit('done'), 50); await sleep(100); expect(received).toBe(true);`: the test
 * scheduled a timer itself, before the sleep, with a delay no longer than the sleep, and its callback does its
 * work synchronously. Timers fire in order of their due time, so that callback has run before the sleep ends
 * however loaded the machine is: the sleep only lets the test's own timer fire.
 */
function letsOwnEarlierTimerFire(site: TS.Node, duration: Duration, finder: SleepFinder, checker: TS.TypeChecker): boolean {
  if (duration.ms === undefined) return false;
  let statement: TS.Node = site;
  while (!ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent) && !ts.isFunctionLike(statement.parent)) statement = statement.parent;
  if (!ts.isBlock(statement.parent)) return false;
  const statements = statement.parent.statements;
  const index = statements.indexOf(statement as TS.Statement);
  for (const before of statements.slice(0, Math.max(index, 0))) {
    const timer = timerScheduledBy(before, checker);
    if (!timer || !runsSynchronously(timer.arguments[0])) continue;
    const delay = finder.evaluate(timer.arguments[1], new Map()).ms;
    if (delay !== undefined && delay <= duration.ms) return true;
  }
  return false;
}

/** `vi.spyOn(globalThis, 'setTimeout').mockImplementation(...)`, `vi.stubGlobal('setTimeout', ...)`, `global.setTimeout = ...`. */
function replacesSetTimeout(node: TS.Node): boolean {
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(node.left);
    return ts.isPropertyAccessExpression(left) && left.name.text === 'setTimeout' && ts.isIdentifier(left.expression)
      && /^(globalThis|global|window)$/.test(left.expression.text);
  }
  if (!ts.isCallExpression(node)) return false;
  const callee = skipOuterExpressions(node.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const first = node.arguments[0];
  if (callee.name.text === 'stubGlobal') return !!first && ts.isStringLiteralLike(first) && first.text === 'setTimeout' && node.arguments.length >= 2;
  if (!/^(mockImplementation|callsFake)$/.test(callee.name.text)) return false;
  // The spy being given an implementation: `spyOn(target, 'setTimeout')` / `sinon.stub(target, 'setTimeout')`.
  const spy = skipOuterExpressions(callee.expression);
  if (!ts.isCallExpression(spy)) return false;
  const spyCallee = skipOuterExpressions(spy.expression);
  const spyName = ts.isIdentifier(spyCallee) ? spyCallee.text : ts.isPropertyAccessExpression(spyCallee) ? spyCallee.name.text : '';
  const property = spy.arguments[1];
  return /^(spyOn|stub|replace)$/.test(spyName) && !!property && ts.isStringLiteralLike(property) && property.text === 'setTimeout';
}

/** Whether a replacement written at `install` is in effect at `site` (file level, a before-hook around it, or earlier in the same block). */
function activeAt(install: TS.Node, site: TS.Node, model: TestModel): boolean {
  const owner = model.enclosingBlock(install);
  if (!owner) return true;
  const scopes = new Set<TestBlock>();
  for (let b = model.enclosingBlock(site); b; b = b.parent) scopes.add(b);
  if (scopes.has(owner)) return owner.kind === 'suite' || install.getStart() < site.getStart();
  const before = owner.hook === 'beforeEach' || owner.hook === 'beforeAll';
  return before && (owner.parent === undefined || scopes.has(owner.parent));
}

const replacements = new WeakMap<TestModel, TS.Node[]>();

function setTimeoutReplacements(model: TestModel): TS.Node[] {
  let found = replacements.get(model);
  if (found) return found;
  found = [];
  const list = found;
  const text = model.sourceFile.text;
  // Text filter first: almost no file mentions setTimeout as a string or a global property.
  if (/['"`]setTimeout['"`]|(?:globalThis|global|window)\.setTimeout\s*=[^=]/.test(text)) {
    const visit = (node: TS.Node): void => {
      if (replacesSetTimeout(node)) list.push(node);
      ts.forEachChild(node, visit);
    };
    visit(model.sourceFile);
  }
  replacements.set(model, found);
  return found;
}

/**
 * `vi.spyOn(globalThis, 'setTimeout').mockImplementation((fn) => { fn(); return 0 as never; })`: a sleep built on
 * the global setTimeout runs on the test's replacement, not on real time. Playwright's page timers and
 * `timers/promises` are separate timers and stay findings.
 */
function runsOnReplacedSetTimeout(site: TS.Node, inner: TS.Expression, duration: Duration, model: TestModel): boolean {
  const installs = setTimeoutReplacements(model);
  if (installs.length === 0) return false;
  const written = `${inner.getText()} ${duration.inner ?? ''}`;
  if (/waitForTimeout|scheduler\.wait/.test(written) || /['"](node:)?timers\/promises['"]/.test(model.sourceFile.text)) return false;
  return installs.some((install) => activeAt(install, site, model));
}

/** Whether the sleep at `site` only lets a timer fire whose timing the test controls (see the two cases above). */
export function onlyLetsControlledTimerFire(site: TS.Node, inner: TS.Expression, duration: Duration, model: TestModel, finder: SleepFinder): boolean {
  return letsOwnEarlierTimerFire(site, duration, finder, model.checker) || runsOnReplacedSetTimeout(site, inner, duration, model);
}

/** The statement holding the node, with its siblings, when it sits in a block (not at a file's top level). */
function statementInBlock(site: TS.Node): { statements: TS.NodeArray<TS.Statement>; index: number } | undefined {
  let statement: TS.Node = site;
  while (!ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent) && !ts.isFunctionLike(statement.parent)) statement = statement.parent;
  if (!ts.isBlock(statement.parent)) return undefined;
  return { statements: statement.parent.statements, index: statement.parent.statements.indexOf(statement as TS.Statement) };
}

const CLOCK_READ = /\b(?:Date\.now|performance\.now|process\.hrtime(?:\.bigint)?)\(\)|\bnew Date\(\)/;

/**
 * `const start = Date.now(); await sleep(100); expect(Date.now() - start).toBeGreaterThanOrEqual(100)`: the sleep is
 * what the test measures (a test of the sleep helper or of timer accuracy), not a wait for something else; the
 * timing assertion is wall-clock-assertion's business.
 */
export function isMeasuredSleep(site: TS.Node): boolean {
  const place = statementInBlock(site);
  if (!place) return false;
  const { statements, index } = place;
  const before = statements[index - 1];
  if (!before || !ts.isVariableStatement(before) || !CLOCK_READ.test(before.getText())) return false;
  // The clock is read again right after the sleep, before anything else is awaited.
  for (const after of statements.slice(index + 1, index + 3)) {
    const text = after.getText();
    if (CLOCK_READ.test(text)) return true;
    if (/\bawait\b/.test(text)) return false;
  }
  return false;
}

/** A member that holds a moment: `mtime`, `birthtime`, `updatedAt`, `created_at`, `lastModified`, `timestamp`. */
const TIMESTAMP_MEMBER = /\.(?:[amcb]time(?:Ms)?|birthtime(?:Ms)?|(?:created|updated|modified|changed)(?:At|_at|On|_on)|lastModified|timestamp)\b/gi;
const ASSERTION_CALL = /\b(?:expect|assert)\b/;

/**
 * `await storage.setItem('a', 1); await sleep(100); await storage.setItem('a', 2); expect(meta.mtime).not.toBe(meta.birthtime)`:
 * the sleep lets the wall clock move on so that two moments the code under test records differ, which a loaded
 * machine only makes truer; nothing is awaited through it. Recognised by awaited statements right before and after
 * the sleep (no work left running across it) and by the first assertion after it comparing two such moments (two
 * timestamp members in one assertion).
 */
export function advancesClockBetweenTimestamps(site: TS.Node): boolean {
  const place = statementInBlock(site);
  if (!place) return false;
  const { statements, index } = place;
  const before = statements[index - 1];
  const after = statements[index + 1];
  if (!before || !after || !isAwaitedStatement(before) || !isAwaitedStatement(after)) return false;
  const assertion = statements.slice(index + 1).find((later) => ASSERTION_CALL.test(later.getText()));
  return !!assertion && (assertion.getText().match(TIMESTAMP_MEMBER)?.length ?? 0) >= 2;
}

/** `await x;`, `const y = await x;`: the statement's work is done when the next one starts. */
function isAwaitedStatement(statement: TS.Statement): boolean {
  const value = ts.isExpressionStatement(statement) ? statement.expression
    : ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1 ? statement.declarationList.declarations[0]!.initializer
    : undefined;
  return !!value && ts.isAwaitExpression(skipParentheses(value));
}
