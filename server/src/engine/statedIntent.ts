import { ts, type TS } from './typescript.js';

/**
 * A comment on the statement that says leaving it unawaited is deliberate: `// Intentionally don't await this to
 * ensure we don't get unhandled rejections`, `// fire and forget`, `// not awaited on purpose`. The author has
 * weighed the risk the rule would report; like a justified suppression, no finding.
 */
const DELIBERATE = /\b(?:intentional(?:ly)?|deliberate(?:ly)?|on purpose|purposely|purposefully|fire[- ]and[- ]forget)\b|\b(?:don'?t|do not|does not|doesn'?t|not|no|without|never)\s+(?:be\s+)?await(?:ed|ing)?\b/i;

/** Comments just before the statement (its leading trivia) and after it on the same line. */
function commentsOf(statement: TS.Statement, sourceFile: TS.SourceFile): string[] {
  const text = sourceFile.text;
  const ranges = [...(ts.getLeadingCommentRanges(text, statement.pos) ?? [])];
  const lineEnd = text.indexOf('\n', statement.end);
  for (const range of ts.getTrailingCommentRanges(text, statement.end) ?? []) {
    if (lineEnd === -1 || range.pos < lineEnd) ranges.push(range);
  }
  return ranges.map((r) => text.slice(r.pos, r.end));
}

export function statedDeliberate(statement: TS.Statement | undefined, sourceFile: TS.SourceFile): boolean {
  if (!statement) return false;
  return commentsOf(statement, sourceFile).some((comment) => DELIBERATE.test(comment));
}
