/**
 * Suppression comments:
 *   // flakelens-ignore-next-line [rule-id[, rule-id...]]   (no ids: every rule)
 *   // flakelens-ignore-file [rule-id[, rule-id...]]
 * Read from the text with a regex, so they work even where the parse is broken.
 */
import { LineMap } from './lines.js';

export interface Suppressions {
  isSuppressed(ruleId: string, line: number): boolean;
}

// The rule list ends at the end of the line or of a block comment (`*/`); a lone `*` (JSDoc-style) does not end it.
const DIRECTIVE = /(?:\/\/|\/\*)\s*flakelens-ignore-(next-line|file)\b((?:[^\r\n*]|\*(?!\/))*)/g;

function parseRuleList(text: string): Set<string> | 'all' {
  // Anything after `--` is a free-text reason.
  const reasonAt = text.indexOf('--');
  const list = (reasonAt >= 0 ? text.slice(0, reasonAt) : text).split(/[\s,]+/).filter(Boolean);
  return list.length === 0 ? 'all' : new Set(list);
}

export function parseSuppressions(text: string): Suppressions {
  const byLine = new Map<number, Set<string> | 'all'>();
  let fileWide: Set<string> | 'all' | undefined;
  if (!text.includes('flakelens-ignore')) return { isSuppressed: () => false };

  // Lines as editors count them (the same model findings are reported in).
  const lines = new LineMap(text);
  const lineOf = (offset: number): number => lines.lineOf(offset);

  for (const match of text.matchAll(DIRECTIVE)) {
    const rules = parseRuleList(match[2] ?? '');
    if (match[1] === 'file') {
      fileWide = merge(fileWide, rules);
    } else {
      // After a block comment spanning lines, the next line is the one after the comment ends.
      const start = match.index ?? 0;
      const blockEnd = text.startsWith('/*', start) ? text.indexOf('*/', start) : -1;
      const target = lineOf(blockEnd >= 0 ? blockEnd : start) + 1;
      byLine.set(target, merge(byLine.get(target), rules));
    }
  }
  const covers = (set: Set<string> | 'all' | undefined, ruleId: string) => set === 'all' || (set !== undefined && set.has(ruleId));
  return {
    isSuppressed: (ruleId, line) => covers(fileWide, ruleId) || covers(byLine.get(line), ruleId),
  };
}

function merge(a: Set<string> | 'all' | undefined, b: Set<string> | 'all'): Set<string> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...(a ?? []), ...b]);
}
