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

/** The same content for clients without markdown (eglot without markdown-mode): no markup, code indented. */
function describePlain(finding: Finding, meta: RuleMeta | undefined): string {
  const indent = (code: string) => code.replace(/^/gm, '    ');
  const parts = [`flakelens ${finding.ruleId} (${finding.severity})`, finding.message, `Why it makes tests flaky: ${finding.why}`];
  if (meta) {
    parts.push(`Flaky:\n\n${indent(meta.docs.badExample)}`);
    parts.push(`Use instead:\n\n${indent(meta.docs.goodExample)}`);
  }
  parts.push(`Rule documentation: ${finding.docsUrl}`);
  return parts.join('\n\n');
}

/** Markdown (or plain text) about the findings under the cursor, from the result of the document's current version. */
export function hover(
  params: HoverParams,
  document: TextDocument | undefined,
  result: StoredResult | undefined,
  ruleMeta: (ruleId: string) => RuleMeta | undefined,
  /** The client's hover.contentFormat; without markdown the same text goes as plaintext. */
  contentFormat?: readonly string[],
): Hover | null {
  if (!document || !result || result.version !== document.version) return null;
  const hits = result.findings.filter((f) => contains(f, params.position));
  if (hits.length === 0) return null;
  const language = /^(javascript|js)/.test(document.languageId) ? 'js' : 'ts';
  const markdown = !contentFormat || contentFormat.includes(MarkupKind.Markdown);
  const value = markdown
    ? hits.map((f) => describe(f, ruleMeta(f.ruleId), language)).join('\n\n---\n\n')
    : hits.map((f) => describePlain(f, ruleMeta(f.ruleId))).join('\n\n');
  return {
    contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value },
    range: hits.length === 1 ? hits[0]!.range : undefined,
  };
}
