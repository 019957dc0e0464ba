import { ts, type TS } from '../engine/typescript.js';
import { sleepShownToProveAbsence } from '../engine/absenceWaits.js';
import { discardedValues, syntaxIndex } from '../engine/discardedValues.js';
import { floatingSleep, isPolling, runsInTestCode, sleepFinder, type Duration } from '../engine/sleeps.js';
import { advancesClockBetweenTimestamps, isMeasuredSleep, onlyLetsControlledTimerFire } from '../engine/timerOrdering.js';
import { skipOuterExpressions } from '../engine/typeUtils.js';
import type { Framework } from '../engine/testModel.js';
import type { Rule, RuleContext } from '../engine/types.js';

/** The function a `return` belongs to (nested functions own their returns). */
function ownerOfReturn(statement: TS.ReturnStatement): TS.Node | undefined {
  for (let current: TS.Node | undefined = statement.parent; current; current = current.parent) {
    if (ts.isFunctionLike(current) || ts.isClassLike(current)) return current;
  }
  return undefined;
}

/** Expressions that make a test, hook or step wait: awaited values and what the callback itself returns. */
function waitedExpressions({ model }: RuleContext): Array<{ site: TS.Node; expression: TS.Expression }> {
  const index = syntaxIndex(model);
  const waited: Array<{ site: TS.Node; expression: TS.Expression }> = index.awaits.map((a) => ({ site: a, expression: a.expression }));
  for (const block of model.blocks) {
    const callback = block.callback;
    if (callback && block.kind !== 'suite' && !ts.isBlock(callback.body)) waited.push({ site: callback.body, expression: callback.body });
  }
  for (const statement of index.returns) {
    const owner = ownerOfReturn(statement);
    const block = owner && model.blockOfCallback(owner);
    if (block && block.kind !== 'suite') waited.push({ site: statement, expression: statement.expression });
  }
  return waited;
}

/** What to wait for instead, in the runner's own terms. */
function alternative(framework: Framework | undefined): string {
  switch (framework) {
    case 'playwright': return 'a web-first assertion (`await expect(locator).toHaveText(...)`) or `page.waitForResponse(...)`';
    case 'vitest': return '`await expect.poll(...)`, `await vi.waitFor(...)` or an event';
    default: return 'a poll with a deadline or an event; fake timers for timer-driven code';
  }
}

function durationLabel(duration: Duration): string {
  const label = duration.ms !== undefined ? `Fixed sleep of ${duration.ms} ms` : duration.text ? `Fixed sleep of \`${duration.text}\` ms` : 'Fixed sleep';
  if (!duration.helper) return label;
  return `${label} inside \`${duration.helper}()\`${duration.inner ? ` (\`${duration.inner}\`)` : ''}`;
}

/** Matchers about calls, emissions and renders: negated (`.not.toHaveBeenCalled()`, `.not.toEmitAnything()`), they check that something did not happen. */
const CALL_MATCHER = /^(toEmit|toRerender|toHaveBeenCalled|toBeCalled|toHaveBeenNthCalledWith|toHaveBeenLastCalledWith|lastCalledWith|nthCalledWith|toHaveReturned|called|calledWith|calledOnce|calledTwice|calledThrice|callCount)/;
/** Spy properties and sinon assertions that state an absence (`spy.notCalled`, `sinon.assert.notCalled(spy)`). */
const NOT_CALLED = /\b(notCalled|neverCalledWith|calledTimes\(\s*\w+\s*,\s*0\s*\))|\.called\)\.(toBe|to\.be|to\.equal|toEqual)\(?\s*false|\.called\)\.to\.be\.false|assert\(\s*!\s*\w+(\.\w+)*\.called\s*\)/;
/** A count that is zero: `toHaveBeenCalledTimes(0)`, `expect(spy.callCount).toBe(0)`, `toHaveLength(0)`. */
const ZERO_COUNT = /(Times|Count|count|calls|length|Length|size)\b[^;]*?(toHaveBeenCalledTimes|toBeCalledTimes|toBe|toEqual|toHaveLength|equal|equals|strictEqual|lengthOf|callCount)\(\s*(?:[^,()]+,\s*)?0\s*\)|(?:toHaveBeenCalledTimes|toBeCalledTimes)\(\s*0\s*\)/;

/**
 * Content matchers that, negated, say something is absent (`expect(html).not.toContain('Not Found')`). Negated
 * equality or emptiness (`not.toBe(old)`, `not.toBeNull()`, `not.toHaveLength(0)`) says something changed or arrived.
 */
const NEGATED_CONTENT = /^(toMatch|toContain|toContainEqual|toHaveText|toContainText|toBeVisible|toBeInTheDocument|toBeAttached|toHaveURL|toHaveProperty|include|includes|contain|contains|match|matches)$/;

/** `html = await app.getHtml('main')`, `const text = await page.textContent('body')`: re-reading state to check it. */
const STATE_READ = /^(?:(?:const|let|var)\s+)?[\w$]+\s*=\s*await\s+(?:[\w$]+\.)*(get\w*|read\w*|text\w*|content|innerText|innerHTML|inputValue|count|is[A-Z]\w*|all\w*)\(/;

function normalized(node: TS.Node): string {
  return node.getText().replace(/\s+/g, '');
}

/** Whether a statement is an assertion that something did not happen (or did not change), judged on its text. */
function provesAbsence(statement: TS.Statement, earlier: ReadonlySet<string>): boolean {
  const text = normalized(statement);
  if (isNoErrorCheck(text)) return true;
  // The same check as before the sleep: the sleep shows that nothing changed meanwhile.
  if (earlier.has(text)) return true;
  if (NOT_CALLED.test(text) || ZERO_COUNT.test(text)) return true;
  const negated = /\.not\.(?:to\.)?(?:have\.)?(?:been\.)?(\w+)/.exec(text) ?? /\.to\.not\.(?:have\.)?(?:been\.)?(\w+)/.exec(text);
  return !!negated && (CALL_MATCHER.test(negated[1]!) || NEGATED_CONTENT.test(negated[1]!));
}

const ASSERTION_START = /^(expect|assert|sinon\.assert|t\.assert|chai\.expect|should)\b|\.should\b|^(?:\w+\.)*(?:ok|equal|strictEqual|deepEqual|deepStrictEqual|notEqual|notStrictEqual|match|pass|is|truthy|falsy|same)\(/;

/** `assert.equal(uncaughtErr, null)`, `expect(error).toBeUndefined()`, `t.ok(!err)`, `p.ok(true, 'no crash')`. */
function isNoErrorCheck(text: string): boolean {
  if (/\b(?:ok|assert|pass)\(true[,)]/.test(text)) return true;
  const subject = /^(?:await)?(?:\w+\.)*(?:expect|equal|strictEqual|ok|is|assert)\((!?)([\w.]+)(?:,(null|undefined|false|0)[,)]|\)(?:\.(?:toBeNull|toBeUndefined|toBeFalsy)\(\)|\.to\.be\.(?:null|undefined|false))?)?/.exec(text);
  if (!subject || !/(?:^|\.)\w*(?:err|error|exception|rejection)s?$/i.test(subject[2]!)) return false;
  // `ok(!err)`, `equal(err, null)`, `expect(err).toBeNull()`: no error; `ok(err)` alone asserts one exists.
  return subject[1] === '!' || subject[3] !== undefined || /\.(?:toBeNull|toBeUndefined|toBeFalsy)\(\)|\.to\.be\.(?:null|undefined|false)/.test(text);
}

/**
 * `await sleep(600); expect(spy).not.toHaveBeenCalled();`: a sleep followed only by checks that something did
 * not happen (or did not change since before the sleep). A slow machine can only make such a test pass
 * wrongly, never fail at random, and there is no condition to poll for: no finding.
 * Looks at the statements after the sleep up to the next await (the next synchronisation).
 */
function sleepProvesAbsence(site: TS.Node): boolean {
  let statement: TS.Node = site;
  while (ts.isParenthesizedExpression(statement.parent)) statement = statement.parent;
  statement = statement.parent;
  if (!ts.isExpressionStatement(statement) || !ts.isBlock(statement.parent)) return false;
  const statements = statement.parent.statements;
  const index = statements.indexOf(statement);
  const earlier = new Set<string>();
  for (const before of statements.slice(0, index)) earlier.add(normalized(before));
  let assertions = 0;
  for (const after of statements.slice(index + 1)) {
    const text = after.getText();
    // Only calls assert (`await assert.completed` is node:test plan bookkeeping, a wait of its own).
    const called = ts.isExpressionStatement(after) ? skipOuterExpressions(after.expression) : undefined;
    const call = called && ts.isAwaitExpression(called) ? skipOuterExpressions(called.expression) : called;
    const isAssertion = !!call && ts.isCallExpression(call) && ASSERTION_START.test(text.replace(/^await\s+/, ''));
    if (isAssertion) {
      if (!provesAbsence(after, earlier)) return false;
      assertions++;
      continue;
    }
    if (STATE_READ.test(text.replace(/\s+/g, ' '))) continue;
    if (/\bawait\b/.test(text)) break;
  }
  return assertions > 0;
}

/** Waits that retry until their condition holds: `page.waitForSelector(...)`, `expect.poll(...)`, `vi.waitFor(...)`, testing-library `waitFor`. */
const CONDITION_WAIT = /^await (?:[\w$]+\.)*(?:waitFor(?!Timeout)\w*|waitUntil)\(|^await expect\.poll\(/;
/** Playwright's web-first matchers, which retry on a locator or page (`await expect(locator).toHaveText(...)`). */
const WEB_FIRST = /^await expect(?:\.soft)?\(([^()]|\([^()]*\))*\)\.(?:not\.)?(?:toHave\w+|toContainText|toBe(?:Visible|Hidden|Attached|Enabled|Disabled|Checked|Editable|Empty|Focused|InViewport))\(/;

/** Whether the statement right after the sleep waits for a condition (so the sleep cannot be too short, only redundant). */
function followedByConditionWait(site: TS.Node, framework: Framework | undefined): boolean {
  let statement: TS.Node = site;
  while (ts.isParenthesizedExpression(statement.parent)) statement = statement.parent;
  statement = statement.parent;
  if (!ts.isExpressionStatement(statement) || !ts.isBlock(statement.parent)) return false;
  const statements = statement.parent.statements;
  const next = statements[statements.indexOf(statement) + 1];
  if (!next) return false;
  const text = next.getText().replace(/\s+/g, ' ');
  if (CONDITION_WAIT.test(text)) return true;
  // A web-first matcher retries only on a locator or page, not on an awaited value (`expect(await x.textContent())`).
  return framework === 'playwright' && WEB_FIRST.test(text) && !/^await expect(?:\.soft)?\(await\b/.test(text);
}

/** The awaited call sites of one helper's sleep in this file. */
interface HelperCallSites {
  duration: Duration;
  sites: Array<{ site: TS.Node; inner: TS.Expression; duration: Duration }>;
}

function lineOf(node: TS.Node, sourceFile: TS.SourceFile): number {
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}

/** `lines 30, 45 and 61`, at most eight named. */
function linesText(lines: number[]): string {
  const shown = lines.slice(0, 8);
  const rest = lines.length - shown.length;
  const list = rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : `${shown[0]}`;
  return `line${lines.length > 1 ? 's' : ''} ${list}`;
}

/**
 * One claim per helper sleep and file (documenso's `apiSignin()` awaits `page.waitForTimeout(500)` and is called
 * hundreds of times): at the sleep in the helper when the helper is in this file, else at its first call site;
 * the other call sites are related locations.
 */
function reportHelperSleeps(groups: Map<TS.Node, HelperCallSites>, { model, report, sourceFile }: RuleContext): void {
  for (const [helperSite, { duration, sites }] of groups) {
    const first = sites[0]!;
    // Parameter-driven durations that differ between call sites: name the sleep, not one of its durations.
    const same = sites.every((s) => s.duration.ms === duration.ms && s.duration.text === duration.text);
    const label = durationLabel(same ? duration : { helper: duration.helper, inner: duration.inner });
    const fix = `Wait for the condition instead: ${alternative(model.enclosingBlock(first.site)?.framework)}.`;
    if (helperSite.getSourceFile() === sourceFile) {
      const callLines = sites.map((s) => lineOf(s.inner, sourceFile));
      report({
        node: helperSite,
        message: `${label}, awaited by the tests at ${linesText(callLines)}: too short on a loaded CI machine, too long everywhere else. ${fix}`,
        related: sites.map((s) => ({ node: s.inner, message: `awaits \`${duration.helper}()\`, which sleeps` })),
      });
      continue;
    }
    const others = sites.slice(1);
    const also = others.length > 0 ? ` (also awaited at ${linesText(others.map((s) => lineOf(s.inner, sourceFile)))})` : '';
    report({
      node: first.inner,
      message: `${label} used to wait${also}: too short on a loaded CI machine, too long everywhere else. ${fix}`,
      related: others.map((s) => ({ node: s.inner, message: `also awaits \`${duration.helper}()\`, which sleeps` })),
    });
  }
}

function check(context: RuleContext): void {
  const { model, report } = context;
  if (model.blocks.length === 0) return;
  const finder = sleepFinder(model);
  const helperSleeps = new Map<TS.Node, HelperCallSites>();
  for (const { site, expression } of waitedExpressions(context)) {
    // Cheap syntax filter before the checker: only `new Promise(...)` and calls can be sleeps.
    const inner = skipOuterExpressions(expression);
    if (!ts.isNewExpression(inner) && !ts.isCallExpression(inner)) continue;
    if (!runsInTestCode(site, model)) continue;
    const duration = finder.sleepOf(inner, new Map(), 0);
    // 0 ms (or no delay) yields to the event loop once: a legitimate idiom, not a wait for a condition.
    if (!duration || duration.ms === 0) continue;
    if (model.fakeTimersActiveAt(site) || isPolling(site) || sleepProvesAbsence(site)) continue;
    if (onlyLetsControlledTimerFire(site, inner, duration, model, finder) || isMeasuredSleep(site) || advancesClockBetweenTimestamps(site)) continue;
    if (sleepShownToProveAbsence(site, model, context.sourceFile)) continue;
    const framework = model.enclosingBlock(site)?.framework;
    if (followedByConditionWait(site, framework)) {
      report({
        node: inner,
        severity: 'info',
        message: `${durationLabel(duration)} right before a wait for a condition: the wait already covers a slow machine, so the sleep only slows the test down, unless it is there to let an earlier state go away first, which a loaded machine can outlast. Remove it, or wait for that state change itself.`,
      });
      continue;
    }
    if (duration.helper && duration.helperSite) {
      const group = helperSleeps.get(duration.helperSite);
      if (group) group.sites.push({ site, inner, duration });
      else helperSleeps.set(duration.helperSite, { duration, sites: [{ site, inner, duration }] });
      continue;
    }
    report({
      node: inner,
      message: `${durationLabel(duration)} used to wait: too short on a loaded CI machine, too long everywhere else. Wait for the condition instead: ${alternative(framework)}.`,
    });
  }
  reportHelperSleeps(helperSleeps, context);
  // `sleep(500);` without await: the author meant to wait, and nothing waits at all.
  for (const value of discardedValues(model)) {
    const duration = floatingSleep(value, model);
    if (!duration) continue;
    report({
      node: value.expression,
      message: `${durationLabel(duration)} is not awaited, so it waits for nothing: the next line runs at once. Wait for the condition instead: ${alternative(model.enclosingBlock(value.expression)?.framework)}.`,
    });
  }
}

export const fixedSleep: Rule = {
  meta: {
    id: 'fixed-sleep',
    category: 'timing',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports tests, hooks and steps that wait a fixed time (setTimeout promises, sleep helpers, page.waitForTimeout) to synchronise.',
      why: 'A fixed sleep guesses how long the awaited work takes: on a loaded CI machine it is too short and the test fails at random, everywhere else it is too long and slows the suite down.',
      badExample: "await page.click('#save');\nawait page.waitForTimeout(500);\nexpect(await page.textContent('.toast')).toBe('Saved');",
      goodExample: "await page.click('#save');\nawait expect(page.locator('.toast')).toHaveText('Saved');",
    },
  },
  check,
};
