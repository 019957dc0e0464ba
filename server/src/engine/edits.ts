import type { TextEdit } from './types.js';

/** Applies non-overlapping edits (later ones first, so offsets stay valid); overlapping edits are dropped. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  let lastStart = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > lastStart) continue;
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
    lastStart = edit.start;
  }
  return result;
}
