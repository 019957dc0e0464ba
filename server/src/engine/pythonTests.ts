import { sourceHash, titleKey } from './testKeys.js';

/**
 * pytest tests in a Python file's text, found by indentation (no Python parser; nothing is imported or run): what
 * verify verdicts and "Verify" code lenses sit on in the editor, and what verify hashes to tell a changed test.
 * Both sides call this same function, so a hash recorded at verify time equals the editor's for unchanged text.
 *
 * pytest's default collection names are followed: module-level `def test*` (also `async def`), `Test*` classes
 * (nested ones too) and their `test*` methods. A test is its decorators, its `def` line and its body, up to its
 * last code line. A function nested in another function is not a test; a class inside a function is not a suite.
 */
export interface PythonTestBlock {
  kind: 'test' | 'suite';
  /** Class names, then the function's name (pytest's node id without the file and any parameters). */
  titles: string[];
  /** Offsets of the name after `def` / `class` (where the verdict is shown). */
  nameStart: number;
  nameEnd: number;
  /** From the first decorator (or `def`/`async`/`class`) to the end of the last code line of the body. */
  start: number;
  end: number;
  /** Zero-based lines of `start` (pytest reports a decorated test there) and of the `def`/`class` keyword. */
  line: number;
  defLine: number;
  /** Tests: a hash of the text from `start` to `end`. */
  hash?: string;
}

interface LogicalLine {
  /** Offset of the first non-blank character. */
  start: number;
  /** Offset just after the last code character (comments and trailing blanks excluded). */
  codeEnd: number;
  indent: number;
  line: number;
}

/** Logical lines (bracketed and backslash-continued lines joined; strings, comments and blank lines understood). */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let i = 0;
  let line = 0;
  const n = text.length;
  while (i < n) {
    // At the start of a physical line that begins a logical line: measure its indentation.
    let indent = 0;
    let j = i;
    for (; j < n; j++) {
      const c = text[j];
      if (c === ' ') indent++;
      else if (c === '\t') indent = indent - (indent % 8) + 8;
      else if (c === '\f') indent = 0;
      else break;
    }
    if (j >= n) break;
    if (text[j] === '\n' || text[j] === '\r' || text[j] === '#') {
      // Blank or comment-only: no logical line.
      while (j < n && text[j] !== '\n') j++;
      i = j + 1;
      line++;
      continue;
    }
    const startLine = line;
    const start = j;
    let codeEnd = j;
    let depth = 0;
    let continued = false;
    let k = j;
    for (;;) {
      if (k >= n) break;
      const c = text[k]!;
      if (c === '\n') {
        line++;
        if (depth > 0 || continued) {
          continued = false;
          k++;
          continue;
        }
        k++;
        break;
      }
      if (c === '#') {
        continued = false;
        while (k < n && text[k] !== '\n') k++;
        continue;
      }
      if (c === '"' || c === "'") {
        const triple = text.startsWith(c.repeat(3), k);
        const quote = triple ? c.repeat(3) : c;
        k += quote.length;
        while (k < n) {
          if (text[k] === '\\') {
            if (text[k + 1] === '\n') line++;
            k += 2;
            continue;
          }
          if (text.startsWith(quote, k)) {
            k += quote.length;
            break;
          }
          if (text[k] === '\n') {
            // An unterminated single-quoted string ends at the line's end (a syntax error; keep going).
            if (!triple) break;
            line++;
          }
          k++;
        }
        codeEnd = k;
        continued = false;
        continue;
      }
      if (c === '\\') continued = true;
      else if (c !== '\r' && c !== ' ' && c !== '\t') continued = false;
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
      if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\\') codeEnd = k + 1;
      k++;
    }
    out.push({ start, codeEnd, indent, line: startLine });
    i = k;
  }
  return out;
}

const DEF = /^(?:async[ \t]+)?def[ \t]+([\p{L}\p{Nl}_][\p{L}\p{N}_]*)/u;
const CLASS = /^class[ \t]+([\p{L}\p{Nl}_][\p{L}\p{N}_]*)/u;

interface Open {
  indent: number;
  /** 'def' and other blocks make what is inside them no test. */
  kind: 'class' | 'def';
  name: string;
  /** A class pytest collects (Test*, inside collected classes only). */
  collected: boolean;
  block?: PythonTestBlock;
}

/** The tests and suites of a Python test file, in source order. */
export function pythonTestBlocks(text: string): PythonTestBlock[] {
  const blocks: PythonTestBlock[] = [];
  const stack: Open[] = [];
  let decorator: { start: number; line: number; indent: number } | undefined;
  const close = (upTo: number) => {
    while (stack.length && stack.at(-1)!.indent >= upTo) {
      const open = stack.pop()!;
      if (open.block?.kind === 'test') open.block.hash = sourceHash(text.slice(open.block.start, open.block.end));
    }
  };
  for (const logical of logicalLines(text)) {
    close(logical.indent);
    // Every block still open contains this line: it extends to its code end.
    for (const open of stack) if (open.block) open.block.end = logical.codeEnd;
    const head = text.slice(logical.start, Math.min(logical.codeEnd, logical.start + 400));
    if (head.startsWith('@')) {
      if (!decorator || decorator.indent !== logical.indent) decorator = { start: logical.start, line: logical.line, indent: logical.indent };
      continue;
    }
    const def = DEF.exec(head);
    const cls = def ? undefined : CLASS.exec(head);
    const pending = decorator?.indent === logical.indent ? decorator : undefined;
    decorator = undefined;
    if (!def && !cls) continue;
    const name = (def ?? cls)![1]!;
    const nameStart = logical.start + (def ?? cls)![0].length - name.length;
    // Collected only at module level or directly inside collected classes.
    const inCollected = stack.every((o) => o.kind === 'class' && o.collected);
    const open: Open = { indent: logical.indent, kind: def ? 'def' : 'class', name, collected: false };
    const titles = [...stack.map((o) => o.name), name];
    const collected = inCollected && (def ? /^test/.test(name) : /^Test/.test(name));
    if (collected) {
      open.collected = !def;
      open.block = {
        kind: def ? 'test' : 'suite',
        titles,
        nameStart,
        nameEnd: nameStart + name.length,
        start: pending?.start ?? logical.start,
        end: logical.codeEnd,
        line: pending?.line ?? logical.line,
        defLine: logical.line,
      };
      blocks.push(open.block);
    }
    stack.push(open);
  }
  close(-1);
  return blocks;
}

/** pytest's parametrised ids (`test_add[1-2]`) name their function (`test_add`). */
export function withoutParameters(titles: readonly string[]): string[] {
  const last = titles.at(-1);
  if (last === undefined) return [];
  const bracket = last.indexOf('[');
  return bracket > 0 && last.endsWith(']') ? [...titles.slice(0, -1), last.slice(0, bracket)] : [...titles];
}

/** Hashes of a file's tests by title path and by the 1-based lines pytest may report them on (see annotateSourceHashes). */
export function pythonTestSources(text: string): { byTitle: Map<string, string>; byLine: Map<number, string> } {
  const byTitle = new Map<string, string>();
  const byLine = new Map<number, string>();
  for (const block of pythonTestBlocks(text)) {
    if (block.kind !== 'test' || block.hash === undefined) continue;
    const key = titleKey(block.titles);
    if (!byTitle.has(key)) byTitle.set(key, block.hash);
    for (const line of [block.line + 1, block.defLine + 1]) if (!byLine.has(line)) byLine.set(line, block.hash);
  }
  return { byTitle, byLine };
}
