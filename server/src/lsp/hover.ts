import { MarkupKind, type Hover, type HoverParams, type Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, RuleMeta } from '../engine/types.js';
import type { StoredResult } from './diagnostics.js';

function contains(finding: Finding, position: Position): boolean {
  const { start, end } = finding.range;
  const afterStart = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const beforeEnd = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return afterStart && beforeEnd;
}

function fence(code: string, language: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${code}\n${ticks}`;
}

function describe(finding: Finding, meta: RuleMeta | undefined, language: string): string {
  const parts = [`**flakelens** \`${finding.ruleId}\` (${finding.severity})`, finding.message, `**Why it makes tests flaky:** ${finding.why}`];
  if (meta) {
    parts.push(`Flaky:\n\n${fence(meta.docs.badExample, language)}`);
    parts.push(`Use instead:\n\n${fence(meta.docs.goodExample, language)}`);
  }
  parts.push(`[Rule documentation](${finding.docsUrl})`);
  return parts.join('\n\n');
}

/** Markdown about the findings under the cursor, from the result of the document's current version. */
export function hover(
  params: HoverParams,
  document: TextDocument | undefined,
  result: StoredResult | undefined,
  ruleMeta: (ruleId: string) => RuleMeta | undefined,
): Hover | null {
  if (!document || !result || result.version !== document.version) return null;
  const hits = result.findings.filter((f) => contains(f, params.position));
  if (hits.length === 0) return null;
  const language = /javascript/.test(document.languageId) ? 'js' : 'ts';
  const value = hits.map((f) => describe(f, ruleMeta(f.ruleId), language)).join('\n\n---\n\n');
  return {
    contents: { kind: MarkupKind.Markdown, value },
    range: hits.length === 1 ? hits[0]!.range : undefined,
  };
}
