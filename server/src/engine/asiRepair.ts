import { ts, type TS } from './typescript.js';
import { LineMap } from './lines.js';

/**
 * JavaScript that Node accepts but TypeScript's parser rejects:
 *
 *     const request = cookie => ({ path: '/' })
 *
 *     {
 *       const res = await client.request(request('a'))
 *     }
 *
 * Node ends the statement after `)` (a `{` cannot continue an expression: automatic semicolon insertion).
 * TypeScript instead takes `({ path: '/' })` as the parameter list of an arrow function whose `=>` is missing and
 * the block as its body, so the object literal becomes a broken binding pattern and the block's code is lost to
 * the analysis. The repair puts the semicolon Node infers into the analysed copy of the text: it replaces the
 * last space, tab or carriage return between the `)` and the `{` with `;`. The text keeps its length and every
 * line break, so every offset, line and column (findings, fixes, suppression comments, code frames) is the same in
 * the original and the analysed text: no offset map is needed. A gap without such a character (`)` at a line end,
 * `{` at column 0) would need an insertion that shifts every later offset; it is left unrepaired and the syntax
 * note names those lines.
 */
export interface AsiRepair {
  text: string;
  /** 1-based lines of the `)` where a semicolon was supplied. */
  lines: number[];
}

/** How many times a repaired file is parsed again (a repair can uncover another boundary recovery hid). */
const MAX_ROUNDS = 3;

function parseDiagnosticsOf(sourceFile: TS.SourceFile): readonly TS.Diagnostic[] {
  // Internal but stable: the diagnostics the parser recorded (what program.getSyntacticDiagnostics returns for the file).
  return (sourceFile as unknown as { parseDiagnostics?: readonly TS.Diagnostic[] }).parseDiagnostics ?? [];
}

/**
 * Where to put `;` (`at`, a whitespace offset in `text`) for each arrow function TypeScript built from `(...)` +
 * line break + `{`, with the offset of the `)`.
 */
function boundaries(sourceFile: TS.SourceFile): Array<{ at: number; paren: number }> {
  const text = sourceFile.text;
  const found: Array<{ at: number; paren: number }> = [];
  const visit = (node: TS.Node): void => {
    if (ts.isArrowFunction(node) && ts.isBlock(node.body)) {
      const arrow = node.equalsGreaterThanToken;
      // A missing `=>` is a zero-width token the parser made up.
      if (arrow.pos === arrow.end) {
        const braceAt = node.body.getStart(sourceFile);
        const gap = text.slice(arrow.pos, braceAt);
        // Only whitespace with a line break between `)` and `{` (comments or other text: not this construct).
        if (/^[ \t\r\n]*$/.test(gap) && /[\n\r]/.test(gap)) {
          const last = Math.max(gap.lastIndexOf(' '), gap.lastIndexOf('\t'), gap.lastIndexOf('\r'));
          if (last >= 0) found.push({ at: arrow.pos + last, paren: arrow.pos - 1 });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/**
 * The text to analyse for a file TypeScript's parser rejected at such boundaries, or undefined when the parsed
 * file has no syntax error, no such boundary, or the repair does not reduce the parser's errors.
 */
export function repairAsiBoundaries(sourceFile: TS.SourceFile, languageVersion: TS.ScriptTarget | TS.CreateSourceFileOptions): { sourceFile: TS.SourceFile; repair: AsiRepair } | undefined {
  const original = sourceFile.text;
  let current = sourceFile;
  let text = original;
  const offsets: number[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const errors = parseDiagnosticsOf(current).length;
    if (errors === 0) break;
    const candidates = boundaries(current);
    if (candidates.length === 0) break;
    let next = text;
    for (const { at } of candidates) next = `${next.slice(0, at)};${next.slice(at + 1)}`;
    const reparsed = ts.createSourceFile(sourceFile.fileName, next, languageVersion, false);
    if (parseDiagnosticsOf(reparsed).length >= errors) break;
    current = reparsed;
    text = next;
    offsets.push(...candidates.map((c) => c.paren));
  }
  if (offsets.length === 0) return undefined;
  const lineMap = new LineMap(original);
  const lines = [...new Set(offsets.map((at) => lineMap.lineOf(at) + 1))].sort((a, b) => a - b);
  return { sourceFile: current, repair: { text, lines } };
}

export function asiRepairNote(repair: AsiRepair): string {
  const where = repair.lines.length === 1 ? `line ${repair.lines[0]}` : `lines ${repair.lines.join(', ')}`;
  return `${where}: TypeScript's parser rejects \`(...)\` followed by a block on a later line, which Node reads as two statements (automatic semicolon insertion); analysed with that semicolon`;
}
