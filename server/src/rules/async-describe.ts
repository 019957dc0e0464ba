import { ts } from 'ts-morph';
import type { FunctionLike, TestBlock } from '../engine/testModel.js';
import { forEachOwnNode, isAsyncFunction, returnsPromise, returnsValue } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext, TextEdit } from '../engine/types.js';

/** `await`, `for await` and `await using` all need the async keyword. */
function usesAwait(fn: FunctionLike): boolean {
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) found = true;
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) found = true;
  });
  return found;
}

/** Deletes the `async` keyword and the whitespace after it. */
function removeAsyncFix(fn: FunctionLike, sourceFile: ts.SourceFile): Fix | undefined {
  const keyword = ts.getModifiers(fn)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  if (!keyword) return undefined;
  const text = sourceFile.text;
  let end = keyword.getEnd();
  while (end < text.length && /[ \t]/.test(text[end]!)) end++;
  const edit: TextEdit = { start: keyword.getStart(sourceFile), end, newText: '' };
  return { title: 'Remove async from the describe callback', safe: true, edits: [edit] };
}

/** node:test awaits async suite functions; every other runner registers tests synchronously. */
function collectsSynchronously(block: TestBlock): boolean {
  return block.kind === 'suite' && block.framework !== 'node-test';
}

function check({ sourceFile, checker, model, report }: RuleContext): void {
  for (const block of model.blocks) {
    if (!collectsSynchronously(block)) continue;
    const fn = block.callback;
    if (!fn || fn.asteriskToken) continue;
    const isAsync = isAsyncFunction(fn);
    if (!isAsync && !returnsPromise(fn, checker)) continue;

    const what = isAsync ? 'an async callback' : 'a callback that returns a promise';
    const fixes: Fix[] = [];
    if (isAsync && !usesAwait(fn) && !returnsValue(fn)) {
      const fix = removeAsyncFix(fn, sourceFile);
      if (fix) fixes.push(fix);
    }
    const setupHook = block.framework === 'mocha' ? '`before`' : block.framework === 'playwright' ? '`test.beforeAll`' : '`beforeAll`';
    const advice = fixes.length > 0 ? 'Remove `async`: nothing in it is awaited.' : `Keep the body synchronous and move the async setup into ${setupHook}.`;
    const consequence = block.framework === 'vitest'
      ? 'vitest runs its async work while collecting, before any hook and even when the tests are skipped or filtered out'
      : 'tests are registered synchronously, so tests and hooks declared after the first `await` are registered late or dropped';
    report({
      start: fn.getStart(sourceFile),
      end: ts.isBlock(fn.body) ? fn.body.getStart(sourceFile) + 1 : fn.getEnd(),
      message: `\`${block.calleeText}\` gets ${what}: ${consequence}. ${advice}`,
      fixes,
    });
  }
}

export const asyncDescribe: Rule = {
  meta: {
    id: 'async-describe',
    category: 'async-coordination',
    defaultSeverity: 'error',
    requiresTypes: false,
    docs: {
      summary: 'Reports async callbacks (or callbacks returning a promise) given to describe/suite/context.',
      why: 'Runners collect tests by running describe bodies synchronously: tests declared after an `await` are registered late or silently dropped, and async work in the body runs at collection time, racing the tests instead of preparing them.',
      badExample: "describe('orders', async () => {\n  const db = await connect();\n  it('lists orders', async () => { /* uses db */ });\n});",
      goodExample: "describe('orders', () => {\n  let db: Db;\n  beforeAll(async () => { db = await connect(); });\n  it('lists orders', async () => { /* uses db */ });\n});",
    },
  },
  check,
};
