import type { TS } from './typescript.js';
import type { LineMap } from './lines.js';
import type { TestBlock, TestModel } from './testModel.js';
import type { Range } from './types.js';
import { sourceHash } from './testKeys.js';

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

/** Tests and suites of a file's test model, in source order. */
export function testBlocksOf(model: TestModel, sourceFile: TS.SourceFile, lines: LineMap): TestBlockInfo[] {
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

export { testSourceHashes, testSources } from './testSyntax.js';
export { sourceHash, titleKey } from './testKeys.js';
