import type { Position } from './types.js';

/**
 * Line starts as LSP clients and the CLI count lines: `\n`, `\r\n` and `\r` end a line, nothing else.
 * TypeScript also breaks lines at U+2028/U+2029, so its line map must not be used for reported positions:
 * every finding after such a character would be one line off in the editor.
 */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Offset -> zero-based line and UTF-16 character in the LSP line model. */
export class LineMap {
  private readonly starts: number[];

  constructor(private readonly text: string) {
    this.starts = lineStarts(text);
  }

  lineOf(offset: number): number {
    const target = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const target = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(target);
    return { line, character: target - this.starts[line]! };
  }
}
