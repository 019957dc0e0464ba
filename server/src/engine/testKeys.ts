import { createHash } from 'node:crypto';

/**
 * How a test is keyed and fingerprinted, shared by verify (which records a hash of each test's source text) and
 * the editor and `check` (which compare it with the text shown). No parser here: verify loads only what it needs.
 */

/** A short stable hash of a test's source text. */
export function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function titleKey(titles: readonly string[]): string {
  return titles.join('\u0000');
}
