import { ts, type TS } from '../engine/typescript.js';
import type { Fix, Rule } from '../engine/types.js';
import { calleeChain } from '../engine/testModel.js';

const FOCUS_ALIASES: Record<string, string> = { fit: 'it', fdescribe: 'describe', fcontext: 'context' };

/** `.only` member to delete, or `fit`-style identifier to rename, in a block's callee. */
function focusFix(sourceFile: TS.SourceFile, callee: TS.Expression): { node: TS.Node; fix: Fix } | undefined {
  let current: TS.Expression = callee;
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current) || ts.isTaggedTemplateExpression(current)) {
    if (ts.isElementAccessExpression(current)) {
      // test['only'], test[`only`]: delete the whole `[...]`.
      if (ts.isStringLiteralLike(current.argumentExpression) && current.argumentExpression.text === 'only') {
        return {
          node: current.argumentExpression,
          fix: { title: 'Remove .only', safe: true, edits: [{ start: current.expression.getEnd(), end: current.getEnd(), newText: '' }] },
        };
      }
      current = current.expression;
    } else if (ts.isPropertyAccessExpression(current)) {
      if (current.name.text === 'only') {
        const dotStart = current.expression.getEnd();
        return {
          node: current.name,
          fix: { title: 'Remove .only', safe: true, edits: [{ start: dotStart, end: current.name.getEnd(), newText: '' }] },
        };
      }
      current = current.expression;
    } else {
      current = ts.isCallExpression(current) ? current.expression : current.tag;
    }
  }
  const chain = calleeChain(current);
  const replacement = chain && FOCUS_ALIASES[chain.root.text];
  if (chain && replacement) {
    return {
      node: chain.root,
      fix: {
        title: `Replace ${chain.root.text} with ${replacement}`,
        safe: true,
        edits: [{ start: chain.root.getStart(sourceFile), end: chain.root.getEnd(), newText: replacement }],
      },
    };
  }
  return undefined;
}

export const focusedTest: Rule = {
  meta: {
    id: 'focused-test',
    category: 'focus-and-retry',
    defaultSeverity: 'error',
    requiresTypes: false,
    docs: {
      summary: 'Reports focused tests and suites (.only, fit, fdescribe, { only: true }) left in committed code.',
      why: 'A focused test silently skips every other test in the file (or the whole run), so CI goes green while most of the suite never ran; the skipped tests rot and fail later in ways that look random.',
      badExample: "it.only('saves the order', async () => { /* ... */ });",
      goodExample: "it('saves the order', async () => { /* ... */ });",
    },
  },
  check({ model, sourceFile, report }) {
    for (const block of model.blocks) {
      if (block.modifiers.includes('only')) {
        const found = focusFix(sourceFile, block.call.expression);
        const what = block.kind === 'suite' ? 'suite' : block.kind === 'hook' ? 'hook' : 'test';
        report({
          node: found?.node ?? block.call.expression,
          message: `Focused ${what} \`${block.calleeText}\` runs alone and skips the rest of the suite; remove the focus before committing.`,
          fixes: found ? [found.fix] : [],
        });
        continue;
      }
      // node:test and vitest: test('name', { only: true }, fn)
      if (block.framework === 'node-test' || block.framework === 'vitest' || block.framework === 'unknown') {
        for (const arg of block.call.arguments) {
          if (!ts.isObjectLiteralExpression(arg)) continue;
          for (const prop of arg.properties) {
            if (ts.isPropertyAssignment(prop) && ts.isIdentifier(prop.name) && prop.name.text === 'only' && prop.initializer.kind === ts.SyntaxKind.TrueKeyword) {
              report({
                node: prop,
                message: block.framework === 'vitest'
                  ? `Focused ${block.kind === 'suite' ? 'suite' : 'test'} (\`only: true\`) runs alone and skips the rest of the file; remove the option before committing.`
                  : `Focused ${block.kind === 'suite' ? 'suite' : 'test'} (\`only: true\`) runs alone under --test-only and hides the rest of the suite; remove the option before committing.`,
              });
            }
          }
        }
      }
    }
  },
};
