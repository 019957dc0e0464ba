import { describe, expect, it } from 'vitest';
import { findingToDiagnostic, pathToUri } from '../../server/src/lsp/convert.js';
import type { Finding } from '../../server/src/engine/types.js';

const range = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 10 } });

const finding: Finding = {
  ruleId: 'fixed-sleep', category: 'timing', severity: 'warning', file: '/w/a.test.ts', range: range(3), start: 40, end: 48,
  message: 'm', why: 'w', docsUrl: 'file:///docs/fixed-sleep.md', fixes: [],
};

describe('findingToDiagnostic', () => {
  it('maps related locations of the same claim to relatedInformation in the same document', () => {
    const diagnostic = findingToDiagnostic({ ...finding, related: [{ range: range(7), start: 90, end: 98, message: 'also awaits `signIn()`, which sleeps' }] });
    expect(diagnostic.relatedInformation).toEqual([
      { location: { uri: pathToUri('/w/a.test.ts'), range: range(7) }, message: 'also awaits `signIn()`, which sleeps' },
    ]);
  });

  it('sends no relatedInformation when there is none', () => {
    expect(findingToDiagnostic(finding)).not.toHaveProperty('relatedInformation');
  });
});
