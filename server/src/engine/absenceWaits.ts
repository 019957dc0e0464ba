import { ts, type TS } from './typescript.js';
import type { TestModel } from './testModel.js';
import { skipOuterExpressions } from './typeUtils.js';

/**
 * Sleeps whose only job is to give something the chance to go wrong (an error thrown by a callback after
 * unsubscribing, a hydration error, an update that must not happen), as the test's own comments say. A slow machine
 * can only make such a test pass wrongly, never fail at random, and there is no condition to poll for: fixed-sleep
 * stays silent. Without such a comment a sleep at the end of a test stays a finding: the next test (or a teardown)
 * may depend on the work it waits for.
 */

/** The statement an awaited sleep is the expression of (`await sleep(10);`), or undefined. */
function sleepStatement(site: TS.Node): TS.ExpressionStatement | undefined {
  let node: TS.Node = site;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const statement = node.parent;
  return statement && ts.isExpressionStatement(statement) ? statement : undefined;
}

/** Calls that check something: `expect(...)`, `assert...`, `t.ok(...)`, chai/should chains, sinon assertions. */
const CHECK = /(?:^|[^\w$.])(?:expect|assert|should)\b|\.(?:ok|equal|strictEqual|deepEqual|deepStrictEqual|is|same|match|throws|rejects|true|false|called\w*)\s*\(/;

/**
 * A sleep after which the test checks nothing: the rest of the test body (and of every block around the sleep up
 * to it) holds no await and no assertion, only actions such as `root.unmount()` or `subscription.unsubscribe()`,
 * or nothing at all. Tests only: a sleep at the end of a hook lets work settle before the next test.
 */
function sleepEndsTest(site: TS.Node, model: TestModel): boolean {
  const statement = sleepStatement(site);
  if (!statement) return false;
  const block = model.enclosingBlock(site);
  const body = block?.kind === 'test' ? block.callback?.body : undefined;
  if (!body || !ts.isBlock(body)) return false;
  let current: TS.Node = statement;
  for (let depth = 0; depth < 32 && current !== body; depth++) {
    const parent: TS.Node = current.parent;
    // Only plain blocks between the sleep and the test body: a loop or branch may run the sleep again or not at all.
    if (!ts.isBlock(parent)) return false;
    const statements = parent.statements;
    for (const later of statements.slice(statements.indexOf(current as TS.Statement) + 1)) {
      if (!isInertStatement(later)) return false;
    }
    current = parent;
  }
  return current === body;
}

/** A statement that neither waits nor checks: no `await`, no assertion, no return of a value, no nested function. */
function isInertStatement(statement: TS.Statement): boolean {
  if (ts.isEmptyStatement(statement)) return true;
  if (!ts.isExpressionStatement(statement)) return false;
  const expression = skipOuterExpressions(statement.expression);
  if (!ts.isCallExpression(expression)) return false;
  let inert = true;
  const visit = (node: TS.Node): void => {
    if (!inert) return;
    if (ts.isAwaitExpression(node) || ts.isFunctionLike(node) || ts.isYieldExpression(node)) {
      inert = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return inert && !CHECK.test(statement.getText());
}

/**
 * A comment on the sleep that says it waits to show that nothing happens: `// Wait for a while to ensure no updates
 * happen asynchronously`, `// Ensure none of the callbacks throw after our assertion`, `// make sure it is not called again`.
 */
const STATES_ABSENCE = /\b(?:ensure|ensuring|make sure|verify|verifying|check|checking|confirm)\b[^.\n]*?(?:\b(?:no|not|none|nothing|never|no longer)\b|n't\b|\bstopped\b)/i;
/** A comment that says the test fails by an error surfacing, not by a check: `// hydration errors would be thrown here`. */
const ERROR_SURFACES = /\b(?:would|will) (?:be )?throw(?:n)?\b|\bfails? if\b|\bno assertions? (?:are )?needed\b/i;

function comments(text: string, from: number, to: number): string[] {
  const found: string[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text.slice(from, to));
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) found.push(scanner.getTokenText());
  }
  return found;
}

/**
 * Whether the test says the sleep only gives something the chance to go wrong: a comment on the sleep that states
 * an absence; or, for a sleep after which the test checks nothing (see sleepEndsTest), such a comment or one
 * saying an error would surface, from the statement before the sleep to the end of the test.
 */
export function sleepShownToProveAbsence(site: TS.Node, model: TestModel, sourceFile: TS.SourceFile): boolean {
  const statement = sleepStatement(site);
  if (!statement) return false;
  const text = sourceFile.text;
  const leading = (ts.getLeadingCommentRanges(text, statement.pos) ?? []).map((range) => text.slice(range.pos, range.end));
  if (leading.some((comment) => STATES_ABSENCE.test(comment))) return true;
  if (!sleepEndsTest(site, model)) return false;
  const body = model.enclosingBlock(site)!.callback!.body;
  const block = statement.parent as TS.Block;
  const previous = block.statements[block.statements.indexOf(statement) - 1];
  const from = previous ? previous.pos : statement.pos;
  return comments(text, from, body.getEnd()).some((comment) => STATES_ABSENCE.test(comment) || ERROR_SURFACES.test(comment));
}
