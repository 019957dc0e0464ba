import { MarkupKind, type Hover, type HoverParams, type Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, RuleMeta } from '../engine/types.js';
import type { StoredResult } from './diagnostics.js';

function contains(located: { range: Finding['range'] }, position: Position): boolean {
  const { start, end } = located.range;
  const afterStart = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const beforeEnd = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return afterStart && beforeEnd;
}

function fence(code: string, language: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${code}\n${ticks}`;
}

/** The docs page without its `# id` title (the hover's first line already names the rule). */
function pageBody(page: string): string {
  return page.replace(/^\uFEFF?#[^\n]*\n+/, '').trim();
}

function describe(finding: Finding, meta: RuleMeta | undefined, language: string, page: string | undefined): string {
  const parts = [`**flakelens** \`${finding.ruleId}\` (${finding.severity})`, finding.message];
  if (finding.detail !== undefined) {
    // Evidence the engine prepared (verify verdicts); the docs page stays one click away.
    parts.push('---', finding.detail, `[Documentation](${finding.docsUrl})`);
    return parts.join('\n\n');
  }
  if (page !== undefined) {
    // The rule's docs page as installed, so hover explains the rule even where the link cannot be opened.
    parts.push('---', pageBody(page));
  } else if (meta) {
    parts.push(`**Why it makes tests flaky:** ${finding.why}`);
    parts.push(`Flaky:\n\n${fence(meta.docs.badExample, language)}`);
    parts.push(`Use instead:\n\n${fence(meta.docs.goodExample, language)}`);
  } else {
    parts.push(`**Why it makes tests flaky:** ${finding.why}`);
  }
  parts.push(`[Rule documentation](${finding.docsUrl})`);
  return parts.join('\n\n');
}

/** The same content for clients without markdown (eglot without markdown-mode): no markup, code indented. */
function describePlain(finding: Finding, meta: RuleMeta | undefined, page: string | undefined): string {
  const indent = (code: string) => code.replace(/^/gm, '    ');
  const parts = [`flakelens ${finding.ruleId} (${finding.severity})`, finding.message];
  if (finding.detail !== undefined) {
    parts.push(markdownToPlain(finding.detail), `Documentation: ${finding.docsUrl}`);
    return parts.join('\n\n');
  }
  if (page !== undefined) {
    parts.push(markdownToPlain(pageBody(page)));
  } else if (meta) {
    parts.push(`Why it makes tests flaky: ${finding.why}`);
    parts.push(`Flaky:\n\n${indent(meta.docs.badExample)}`);
    parts.push(`Use instead:\n\n${indent(meta.docs.goodExample)}`);
  } else {
    parts.push(`Why it makes tests flaky: ${finding.why}`);
  }
  parts.push(`Rule documentation: ${finding.docsUrl}`);
  return parts.join('\n\n');
}

/** Readable plain text from a docs page: headings end with a colon, code blocks are indented, no markup. */
export function markdownToPlain(markdown: string): string {
  const out: string[] = [];
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      out.push(`    ${line}`);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const text = (heading ? `${heading[1]}:` : line)
      .replace(/\[([^\]]*)\]\(([^)]*)\)/g, (_, label: string, url: string) => (url.startsWith('#') ? label : `${label} (${url})`))
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1$2');
    out.push(text);
  }
  return out.join('\n');
}

/** Markdown (or plain text) about the findings under the cursor, from the result of the document's current version. */
export function hover(
  params: HoverParams,
  document: TextDocument | undefined,
  result: StoredResult | undefined,
  ruleMeta: (ruleId: string) => RuleMeta | undefined,
  /** The client's hover.contentFormat; without markdown the same text goes as plaintext. */
  contentFormat?: readonly string[],
  /** The rule's docs page (markdown), when installed. */
  docsPage: (ruleId: string) => string | undefined = () => undefined,
): Hover | null {
  if (!document || !result || result.version !== document.version) return null;
  const hits = result.findings.filter((f) => contains(f, params.position));
  // A test title with a verdict that has no diagnostic (stable): its evidence alone.
  const verified = hits.some((f) => f.detail !== undefined) ? undefined : result.testBlocks?.find((b) => b.verdict && contains(b, params.position));
  if (hits.length === 0 && !verified) return null;
  const language = document.languageId === 'python' || document.uri.endsWith('.py') ? 'python' : /^(javascript|js)/.test(document.languageId) ? 'js' : 'ts';
  const markdown = !contentFormat || contentFormat.includes(MarkupKind.Markdown);
  const sections = markdown
    ? hits.map((f) => describe(f, ruleMeta(f.ruleId), language, docsPage(f.ruleId)))
    : hits.map((f) => describePlain(f, ruleMeta(f.ruleId), docsPage(f.ruleId)));
  if (verified?.verdict) sections.push(markdown ? `**flakelens** verify\n\n${verified.verdict.detail}` : `flakelens verify\n\n${markdownToPlain(verified.verdict.detail)}`);
  return {
    contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: sections.join(markdown ? '\n\n---\n\n' : '\n\n') },
    range: hits.length === 1 && !verified ? hits[0]!.range : hits.length === 0 && verified ? verified.range : undefined,
  };
}
