import { LineMap } from './lines.js';

/**
 * TypeScript's parser, binder and checker recurse once per nesting level, and so do syntax walks: a file with
 * 1,000 nested parentheses or 2,000 nested arrow functions overflows the stack and would lose every finding in it.
 * Regions nested deeper than this are blanked (offsets and line breaks kept) before parsing; the rest is analysed.
 */
export const MAX_NESTING = 250;

export interface BlankedRegion {
  start: number;
  end: number;
  /** 1-based lines, for the note. */
  firstLine: number;
  lastLine: number;
}

/**
 * Top-level statements whose lexical nesting (brackets, template substitutions, arrow bodies) exceeds MAX_NESTING.
 * A cheap lexical scan: strings, templates and comments are skipped; regular expressions are not recognised, which
 * only matters for files deep enough to be cut anyway.
 */
export function deepRegions(text: string, limit = MAX_NESTING): BlankedRegion[] {
  if (text.length < limit) return [];
  const regions: BlankedRegion[] = [];
  // '(' '[' '{' push their closer; '=>' pushes 'a' (closed by ; , or the enclosing closer); '`' pushes '`' for templates.
  const stack: string[] = [];
  let statementStart = 0;
  let deepFrom = -1;
  const closeRegion = (end: number) => {
    if (deepFrom < 0) return;
    regions.push({ start: statementStart, end, firstLine: 0, lastLine: 0 });
    deepFrom = -1;
  };
  const popArrows = () => {
    while (stack.length && stack[stack.length - 1] === 'a') stack.pop();
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const inTemplate = stack[stack.length - 1] === '`';
    if (inTemplate) {
      if (c === '\\') i += 2;
      else if (c === '`') {
        stack.pop();
        i++;
      } else if (c === '$' && text[i + 1] === '{') {
        stack.push('}');
        i += 2;
      } else i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '`') {
      stack.push('`');
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c === '(' ? ')' : c === '[' ? ']' : '}');
    else if (c === '=' && text[i + 1] === '>') {
      stack.push('a');
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      popArrows();
      if (stack[stack.length - 1] === c) stack.pop();
    } else if (c === ';' || c === ',') popArrows();
    if (stack.length > limit && deepFrom < 0) deepFrom = i;
    i++;
    // Arrow bodies left open at a line end (no semicolons) end there, unless we are inside a deep region.
    if (c === '\n' && deepFrom < 0 && stack.length > 0 && stack.every((s) => s === 'a')) stack.length = 0;
    if (stack.length === 0) {
      closeRegion(i);
      // A statement starts after `;`, `}` or a line end at the top level.
      if (c === ';' || c === '}' || c === '\n') statementStart = i;
    }
  }
  closeRegion(n);
  if (regions.length) {
    const lines = new LineMap(text);
    for (const r of regions) {
      r.firstLine = lines.lineOf(r.start) + 1;
      r.lastLine = lines.lineOf(Math.max(r.start, r.end - 1)) + 1;
    }
  }
  return regions;
}

/** The text with the regions replaced by spaces (line breaks kept, so every offset and line stays where it was). */
export function blankRegions(text: string, regions: readonly BlankedRegion[]): string {
  let out = '';
  let last = 0;
  for (const r of regions) {
    out += text.slice(last, r.start) + text.slice(r.start, r.end).replace(/[^\r\n]/g, ' ');
    last = r.end;
  }
  return out + text.slice(last);
}

export function nestingNote(r: BlankedRegion): string {
  const where = r.firstLine === r.lastLine ? `line ${r.firstLine}` : `lines ${r.firstLine}-${r.lastLine}`;
  return `${where}: nesting deeper than ${MAX_NESTING} levels (parentheses, brackets or arrow functions); that statement was not analysed`;
}
