import type { CodeLens } from 'vscode-languageserver/node';
import type { StoredResult } from './diagnostics.js';

export const VERIFY_COMMAND = 'flakelens.verify';
/** Runs per mode of the editor's "Verify" (the classic bar: ten consistent runs). */
export const EDITOR_VERIFY_RUNS = 10;

/** "Verify ×10" above each test and suite whose title path is known; arguments: file URI, title path. */
export function codeLenses(result: StoredResult | undefined): CodeLens[] {
  if (!result || result.skippedNote !== undefined) return [];
  const lenses: CodeLens[] = [];
  for (const block of result.testBlocks ?? []) {
    if (!block.titles) continue;
    lenses.push({
      range: block.range,
      command: { title: `Verify ×${EDITOR_VERIFY_RUNS}`, command: VERIFY_COMMAND, arguments: [result.uri, block.titles] },
    });
  }
  return lenses;
}
