import { ts } from 'ts-morph';
import type { FunctionLike, TestBlock } from '../engine/testModel.js';
import { isThenable } from '../engine/typeUtils.js';
import type { Fix, Rule, RuleContext, TextEdit } from '../engine/types.js';

/** Walks a function body without entering nested functions (their awaits and returns are their own). */
function forEachOwnNode(body: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    visit(node);
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(body, walk);
}

/** `await`, `for await` and `await using` all need the async keyword. */
function usesAwait(fn: FunctionLike): boolean {
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) found = true;
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) found = true;
  });
  return found;
}

function returnsValue(fn: FunctionLike): boolean {
  if (!ts.isBlock(fn.body)) return true;
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (ts.isReturnStatement(node) && node.expression) found = true;
  });
  return found;
}

/** A non-async callback that hands back a promise: a concise body or a `return` of a thenable. */
function returnsPromise(fn: FunctionLike, checker: ts.TypeChecker): boolean {
  if (!ts.isBlock(fn.body)) return isThenable(checker, fn.body);
  let found = false;
  forEachOwnNode(fn.body, (node) => {
    if (!found && ts.isReturnStatement(node) && node.expression && isThenable(checker, node.expression)) found = true;
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
    const isAsync = ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
    if (!isAsync && !returnsPromise(fn, checker)) continue;

    const what = isAsync ? 'async callback' : 'callback that returns a promise';
    const fixes: Fix[] = [];
    if (isAsync && !usesAwait(fn) && !returnsValue(fn)) {
      const fix = removeAsyncFix(fn, sourceFile);
      if (fix) fixes.push(fix);
    }
    const advice = fixes.length > 0
      ? 'Remove `async`: nothing in it is awaited.'
      : 'Keep the describe body synchronous and move the async setup into `beforeAll`/`before`.';
    const consequence = block.framework === 'vitest'
      ? 'vitest awaits it while collecting, so its async work runs at collection time, before any hook and even when the tests are filtered out or skipped, and tests registered after an `await` depend on that work finishing first'
      : 'the runner registers tests synchronously while the describe body runs, so tests and hooks declared after the first `await` are registered late or dropped, and the async work races the tests';
    report({
      start: fn.getStart(sourceFile),
      end: ts.isBlock(fn.body) ? fn.body.getStart(sourceFile) + 1 : fn.getEnd(),
      message: `\`${block.calleeText}\` gets an ${what}: ${consequence}. ${advice}`,
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
