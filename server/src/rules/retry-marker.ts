import { ts, type TS } from '../engine/typescript.js';
import { forEachDescendant } from '../engine/assertionShapes.js';
import { calleeChain, type TestBlock } from '../engine/testModel.js';
import type { Rule, RuleContext } from '../engine/types.js';
import { skipOuterExpressions } from '../engine/typeUtils.js';

/** Words that say a test is skipped or tagged because it is flaky. */
const FLAKY_WORDS = /\bflak(?:y|e|es|iness|ily)\b|\bintermittent(?:ly)?\b|\bunstable\b|\bsometimes fails?\b|\bfails? (?:randomly|sometimes|intermittently|occasionally)\b|\brandomly fails?\b|\bnon-?deterministic\b/i;
const FLAKY_TAG = /@flaky\b/i;

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

/** Comment text right above the statement holding `node` and on its first line: the marker's justification. */
export function justification(node: TS.Node, sourceFile: TS.SourceFile): string | undefined {
  let statement: TS.Node = node;
  while (statement.parent && !ts.isSourceFile(statement.parent) && !ts.isBlock(statement.parent) && !ts.isObjectLiteralExpression(statement.parent)) {
    statement = statement.parent;
  }
  const text = sourceFile.text;
  const comments: TS.CommentRange[] = [...(ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [])];
  // The first line's own trailing comment: `it.skip('x', () => {}); // flaky on CI`
  const start = statement.getStart(sourceFile);
  const lineEnd = text.indexOf('\n', start);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, sourceFile.languageVariant, text, undefined, start, (lineEnd === -1 ? text.length : lineEnd) - start);
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) {
      comments.push({ pos: scanner.getTokenStart(), end: scanner.getTokenEnd(), kind: token });
    }
  }
  const parts = comments.map((c) => text.slice(c.pos, c.end).replace(/^\/\/+|^\/\*+|\*+\/$/g, '').replace(/^\s*\*\s?/gm, '').trim());
  const joined = parts.filter((p) => p.length > 0 && !/^flakelens-ignore/.test(p)).join(' ');
  return joined.length > 0 ? joined : undefined;
}

/** Comments right above a config key (or at the end of its line), as the setting's justification. */
function configComment(text: string, keyStart: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const lineEnd = text.indexOf('\n', keyStart);
  const line = text.slice(keyStart, lineEnd === -1 ? text.length : lineEnd);
  const trailing = /\/\/(.*)$/.exec(line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""'))?.[1]?.trim();
  const above: string[] = [];
  for (let end = lineStart - 1; end > 0;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const previous = text.slice(start, end).trim();
    const comment = /^\/\/\s?(.*)$/.exec(previous)?.[1] ?? /^#\s?(.*)$/.exec(previous)?.[1];
    if (comment === undefined) break;
    above.unshift(comment.trim());
    end = start - 1;
  }
  const parts = [...above, ...(trailing ? [trailing] : [])].filter((p) => p.length > 0 && !p.startsWith('flakelens-ignore'));
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function numberText(node: TS.Expression | undefined, sourceFile: TS.SourceFile): string {
  return node ? node.getText(sourceFile) : 'n';
}

function propertyNamed(object: TS.ObjectLiteralExpression, name: string): TS.PropertyAssignment | undefined {
  return object.properties.find((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && !!p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name);
}

/** `retry: 0` (or `retries: 0`) turns retries off: no marker. */
function isZero(node: TS.Expression): boolean {
  const e = skipOuterExpressions(node);
  return ts.isNumericLiteral(e) && Number(e.text) === 0;
}

/** The message, with the marker's justification quoted in it and kept apart for the audit report. */
function withReason(message: string, reason: string | undefined): { message: string; justification?: string } {
  return reason ? { message: `${message} Justification: "${quote(reason)}".`, justification: quote(reason) } : { message };
}

const HIDES = 'a flaky test then passes on a retry and its failures stay hidden; fix the cause, then remove the retry.';

export const retryMarker: Rule = {
  meta: {
    id: 'retry-marker',
    category: 'focus-and-retry',
    defaultSeverity: 'info',
    requiresTypes: false,
    docs: {
      summary: 'Reports retries and flaky markers in test code (jest.retryTimes, { retry }, this.retries, describe.configure({ retries }), testInfo.retry branches, tests skipped or tagged as flaky, test.fixme) as debt to pay.',
      why: 'A retry turns a flaky test green without fixing it, and a test skipped as flaky no longer tests anything: the suite looks stable while the race or the shared state that makes it flaky stays in the code, and the next test to touch it inherits the problem.',
      badExample: "it('syncs the inbox', { retry: 3 }, async () => {\n  await syncInbox();\n});",
      goodExample: "it('syncs the inbox', async () => {\n  await syncInbox();\n});",
    },
  },
  checkConfigFile({ config, text, report }) {
    for (const setting of config.settings) {
      if (setting.field !== 'retry') continue;
      const { value } = setting;
      const where = setting.project ? ` for project \`${setting.project}\`` : '';
      if (value.kind === 'known' && typeof value.value === 'number' && value.value > 0) {
        report({
          location: value.source,
          ...withReason(`\`${value.source.keyPath}: ${value.value}\` retries every failing test${where} up to ${value.value} times: ${HIDES}`, configComment(text, value.source.start)),
        });
      } else if (value.kind === 'unknown' && value.source) {
        const written = text.slice(value.source.valueStart, value.source.valueEnd).replace(/\s+/g, ' ');
        if (/^0+$/.test(written.trim())) continue;
        report({
          location: value.source,
          ...withReason(`\`${value.source.keyPath}: ${quote(written)}\` retries failing tests${where} whenever it evaluates above 0 (for example only in CI): ${HIDES}`, configComment(text, value.source.start)),
        });
      }
    }
  },
  check(context: RuleContext) {
    const { model, sourceFile, report } = context;
    if (model.blocks.length === 0 && !/retryTimes|retries|\.retry\b/.test(sourceFile.text)) return;

    for (const block of model.blocks) checkBlock(block, sourceFile, report);

    // Calls and member reads anywhere in test code.
    if (!/retryTimes|retries|\.retry\b/.test(sourceFile.text)) return;
    forEachDescendant(sourceFile, (node) => {
      if (ts.isCallExpression(node)) {
        const callee = skipOuterExpressions(node.expression);
        const chain = calleeChain(callee);
        // jest.retryTimes(n)
        if (chain && chain.root.text === 'jest' && chain.path.length === 1 && chain.path[0] === 'retryTimes') {
          const identity = model.resolveRunner(chain.root);
          const symbolKnown = identity !== undefined || context.checker.getSymbolAtLocation(chain.root) === undefined;
          if (symbolKnown && (identity === undefined || identity.framework === 'jest' || identity.framework === 'unknown') && !(node.arguments[0] && isZero(node.arguments[0]))) {
            report({
              node,
              ...withReason(`\`jest.retryTimes(${numberText(node.arguments[0], sourceFile)})\` retries every failing test that follows it in this file: ${HIDES}`, justification(node, sourceFile)),
            });
          }
          return;
        }
        // Playwright: test.describe.configure({ retries: n })
        if (chain && chain.path.length === 2 && chain.path[0] === 'describe' && chain.path[1] === 'configure') {
          const identity = model.resolveRunner(chain.root);
          const options = node.arguments[0];
          if (identity?.framework === 'playwright' && options && ts.isObjectLiteralExpression(options)) {
            const retries = propertyNamed(options, 'retries');
            if (retries && !isZero(retries.initializer)) {
              report({
                node: retries,
                ...withReason(`\`test.describe.configure({ retries: ${retries.initializer.getText(sourceFile)} })\` retries the failing tests of this suite: ${HIDES}`, justification(node, sourceFile)),
              });
            }
          }
          return;
        }
        // mocha: this.retries(n) inside a suite, test or hook
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'retries' && callee.expression.kind === ts.SyntaxKind.ThisKeyword && node.arguments.length === 1) {
          const block = model.enclosingBlock(node);
          if (block && (block.framework === 'mocha' || block.framework === 'unknown') && !isZero(node.arguments[0]!)) {
            const scope = block.kind === 'suite' ? 'the tests of this suite' : 'this test';
            report({
              node,
              ...withReason(`\`this.retries(${node.arguments[0]!.getText(sourceFile)})\` retries ${scope} on failure: ${HIDES}`, justification(node, sourceFile)),
            });
          }
        }
        return;
      }
      // Playwright: if (testInfo.retry) ... / test.info().retry > 0
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'retry' && isInCondition(node) && isPlaywrightTestInfo(node.expression, context)) {
        report({
          node,
          message: 'Branches on the retry count (`testInfo.retry`): the test behaves differently on a retry than on its first attempt, which works around a flaky first run instead of fixing it.',
        });
      }
    });
  },
};

function checkBlock(block: TestBlock, sourceFile: TS.SourceFile, report: RuleContext['report']): void {
  if (block.kind !== 'test' && block.kind !== 'suite') return;
  const what = block.kind === 'suite' ? 'suite' : 'test';
  // vitest: it('x', { retry: 3 }, fn) / it('x', fn, { retry: 3 }); describe(..., { retry }) too.
  for (const arg of block.call.arguments) {
    if (!ts.isObjectLiteralExpression(arg)) continue;
    const retry = block.framework === 'vitest' || block.framework === 'unknown' ? propertyNamed(arg, 'retry') : undefined;
    if (retry && !isZero(retry.initializer)) {
      report({
        node: retry,
        ...withReason(`This ${what} is retried up to ${retry.initializer.getText(sourceFile)} times on failure: ${HIDES}`, justification(block.call, sourceFile)),
      });
    }
    // Playwright tags / node:test skip reasons
    const tag = propertyNamed(arg, 'tag');
    if (tag && FLAKY_TAG.test(tag.initializer.getText(sourceFile))) {
      report({ node: tag, message: `Tagged \`@flaky\`: a ${what} known to be flaky is kept in the suite (often retried or filtered by that tag); fix the cause and drop the tag.` });
    }
    const skip = propertyNamed(arg, 'skip') ?? propertyNamed(arg, 'todo');
    if (skip && (ts.isStringLiteral(skip.initializer) || ts.isNoSubstitutionTemplateLiteral(skip.initializer)) && FLAKY_WORDS.test(skip.initializer.text)) {
      report({ node: skip, message: `Skipped as flaky ("${quote(skip.initializer.text)}"): the ${what} no longer runs, so its flakiness is hidden instead of fixed.` });
    }
  }
  if (block.title && FLAKY_TAG.test(block.title)) {
    report({ node: block.call.arguments[0]!, message: `Tagged \`@flaky\` in its title: a ${what} known to be flaky is kept in the suite (often retried or filtered by that tag); fix the cause and drop the tag.` });
  }
  const reason = justification(block.call, sourceFile);
  // Run-time skips inside a test body: test.skip(cond, 'flaky on webkit'), test.fixme(cond, 'reason').
  if (!block.callback && (block.modifiers.includes('skip') || block.modifiers.includes('fixme')) && block.parent?.kind === 'test') {
    const text = block.call.arguments.map((a) => (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a) ? a.text : '')).join(' ').trim();
    if (block.modifiers.includes('fixme') || FLAKY_WORDS.test(text) || (reason && FLAKY_WORDS.test(reason))) {
      report({
        node: block.call.expression,
        ...withReason(`\`${block.calleeText}\` skips the test at run time${text ? ` ("${quote(text)}")` : ''}${block.modifiers.includes('fixme') ? ' as known to be broken' : ' as flaky'}: it stops running where it fails, so the cause stays hidden instead of fixed.`, reason),
      });
    }
    return;
  }
  if (block.modifiers.includes('fixme')) {
    report({
      node: block.call.expression,
      ...withReason(`\`${block.calleeText}\` skips this ${what} as known to be broken: it no longer runs, so whatever makes it fail stays hidden.`, reason),
    });
    return;
  }
  if (block.modifiers.includes('skip') || block.modifiers.includes('todo')) {
    const saysFlaky = (block.title && FLAKY_WORDS.test(block.title)) || (reason && FLAKY_WORDS.test(reason));
    if (saysFlaky) {
      report({
        node: block.call.expression,
        ...withReason(`Skipped as flaky (\`${block.calleeText}\`): the ${what} no longer runs, so its flakiness is hidden instead of fixed.`, reason),
      });
    }
  }
}

function isInCondition(node: TS.Node): boolean {
  let current: TS.Node = node;
  for (let hops = 0; hops < 4 && current.parent; hops++) {
    const parent = current.parent;
    if ((ts.isIfStatement(parent) || ts.isWhileStatement(parent)) && parent.expression === current) return true;
    if (ts.isConditionalExpression(parent) && parent.condition === current) return true;
    if (ts.isBinaryExpression(parent) || ts.isPrefixUnaryExpression(parent) || ts.isParenthesizedExpression(parent)) {
      current = parent;
      continue;
    }
    return false;
  }
  return false;
}

/** `testInfo` (a Playwright TestInfo) or `test.info()`. */
function isPlaywrightTestInfo(expression: TS.Expression, context: RuleContext): boolean {
  const type = context.checker.getTypeAtLocation(expression);
  const symbol = type.getSymbol();
  if (!symbol || symbol.name !== 'TestInfo') return false;
  return (symbol.declarations ?? []).some((d) => /\/(?:@playwright\/test|playwright)\//.test(d.getSourceFile().fileName.replace(/\\/g, '/')));
}
