import { createHash } from 'node:crypto';
import { ts } from 'ts-morph';
import type { LineMap } from './lines.js';
import type { TestBlock, TestModel } from './testModel.js';
import type { Range } from './types.js';

/**
 * A test or suite as plain data: what the editor shows verify verdicts and "Verify" code lenses on, and how a
 * verdict (file + full title path, as the runner reports it) finds its place in the source.
 */
export interface TestBlockInfo {
  kind: 'test' | 'suite';
  /** Suite titles then its own title; undefined when one of them is not a literal (`it(name, ...)`). */
  titles?: string[];
  /** Where the block is named: the title literal, else the callee (`it.each(table)`). */
  range: Range;
  start: number;
  end: number;
  /** The registration call (`it('title', fn)`): findings inside it belong to the block. */
  callStart: number;
  callEnd: number;
  /** Zero-based line of the registration call (runners report a test's location there). */
  callLine: number;
  /** Tests: a hash of the registration call's text, to tell whether a verdict was made on the text shown. */
  hash?: string;
  /** The verify verdict shown on this test (set when the workspace has verify results for it). */
  verdict?: { kind: string; stale: boolean; detail: string };
}

/** A short stable hash of a test's source text (its registration call). */
export function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Tests and suites of a file's test model, in source order. */
export function testBlocksOf(model: TestModel, sourceFile: ts.SourceFile, lines: LineMap): TestBlockInfo[] {
  const out: TestBlockInfo[] = [];
  for (const block of model.blocks) {
    if (block.kind !== 'test' && block.kind !== 'suite') continue;
    const first = block.call.arguments[0];
    const named = block.title !== undefined && first !== undefined ? first : block.call.expression;
    const start = named.getStart(sourceFile);
    const end = named.getEnd();
    const callStart = block.call.getStart(sourceFile);
    const titles = titlePath(block);
    out.push({
      kind: block.kind,
      ...(titles ? { titles } : {}),
      range: { start: lines.positionAt(start), end: lines.positionAt(end) },
      start,
      end,
      callStart,
      callEnd: block.call.getEnd(),
      callLine: lines.lineOf(callStart),
      ...(block.kind === 'test' ? { hash: sourceHash(sourceFile.text.slice(callStart, block.call.getEnd())) } : {}),
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

function titlePath(block: TestBlock): string[] | undefined {
  const titles: string[] = [];
  for (let b: TestBlock | undefined = block; b; b = b.parent) {
    // Hooks and steps do not name tests; a test inside one is not something a runner reports by path.
    if (b.kind !== 'suite' && b !== block && b.kind !== 'test') return undefined;
    if (b.title === undefined) return undefined;
    titles.unshift(b.title);
  }
  return titles;
}

/**
 * Hashes of the tests in a file's text, by title path, found syntactically (no program, no checker): every call
 * with a literal title and a function argument is a block, nested by where its call sits. Used when verify
 * records what it ran; the editor compares with the test model's hash of the same call, so a test whose path
 * differs here (a wrapper call with a title) simply has no recorded hash, and no staleness is claimed.
 */
export function testSourceHashes(fileName: string, text: string): Map<string, string> {
  return testSources(fileName, text).byTitle;
}

/**
 * The same, also by the 1-based line each call starts on: for tests whose runner title is computed (`it.each`,
 * a title from a variable), found by the line the runner reports, as the editor finds them.
 */
export function testSources(fileName: string, text: string): { byTitle: Map<string, string>; byLine: Map<number, string> } {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, scriptKind(fileName));
  const hashes = new Map<string, string>();
  const byLine = new Map<number, string>();
  const visit = (node: ts.Node, path: string[]): void => {
    if (ts.isCallExpression(node)) {
      const first = node.arguments[0];
      const hasCallback = node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
      if (first && hasCallback) {
        const start = node.getStart(sourceFile);
        const line = sourceFile.getLineAndCharacterOfPosition(start).line + 1;
        if (!byLine.has(line)) byLine.set(line, sourceHash(text.slice(start, node.getEnd())));
      }
      if (first && hasCallback && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
        const titles = [...path, first.text];
        const key = titleKey(titles);
        if (!hashes.has(key)) hashes.set(key, sourceHash(text.slice(node.getStart(sourceFile), node.getEnd())));
        ts.forEachChild(node, (child) => visit(child, titles));
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, path));
  };
  visit(sourceFile, []);
  return { byTitle: hashes, byLine };
}

export function titleKey(titles: readonly string[]): string {
  return titles.join('\u0000');
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.[cm]?ts$/.test(fileName)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}
