import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/types.js';
import { diagnosticCode, sameRange, toLspEdits } from './convert.js';
import { isOwnDiagnostic } from './validate.js';
import type { StoredResult } from './diagnostics.js';

export interface CodeActionOptions {
  /** The client accepts versioned documentChanges (edits are rejected if the document moved on). */
  documentChanges: boolean;
  /** Whether a diagnostic code names one of our rules (the LSP layer knows no rule itself). */
  isRuleId: (id: string) => boolean;
}

const NEXT_LINE_DIRECTIVE = /^([ \t]*)\/\/\s*flakelens-ignore-next-line\b([^\r\n]*)$/;

function wantsQuickFixes(only: string[] | undefined): boolean {
  // `only: ['quickfix']`, or a parent kind such as '' (everything); a sibling kind ('source', 'refactor') excludes us.
  return !only || only.some((kind) => kind === '' || CodeActionKind.QuickFix === kind || CodeActionKind.QuickFix.startsWith(`${kind}.`));
}

function lineText(document: TextDocument, line: number): string {
  return document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
}

function eol(document: TextDocument): string {
  return document.getText().includes('\r\n') ? '\r\n' : '\n';
}

function workspaceEdit(document: TextDocument, edits: TextEdit[], options: CodeActionOptions): WorkspaceEdit {
  if (options.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] };
  }
  return { changes: { [document.uri]: edits } };
}

/** `// flakelens-ignore-next-line <rule>` above the line (joined into an existing directive there). */
function ignoreLineEdit(document: TextDocument, line: number, ruleId: string): TextEdit {
  if (line > 0) {
    const previous = lineText(document, line - 1);
    const match = NEXT_LINE_DIRECTIVE.exec(previous);
    // An existing directive with rule ids and no `--` reason takes one more id.
    if (match && match[2]!.trim() !== '' && !match[2]!.includes('--')) {
      const end = { line: line - 1, character: previous.length };
      return { range: { start: end, end }, newText: `, ${ruleId}` };
    }
  }
  const indent = /^[ \t]*/.exec(lineText(document, line))![0];
  const start = { line, character: 0 };
  return { range: { start, end: start }, newText: `${indent}// flakelens-ignore-next-line ${ruleId}${eol(document)}` };
}

/** `// flakelens-ignore-file <rule>` at the top of the file, below a shebang. */
function ignoreFileEdit(document: TextDocument, ruleId: string): TextEdit {
  const line = lineText(document, 0).startsWith('#!') ? 1 : 0;
  const start = { line, character: 0 };
  return { range: { start, end: start }, newText: `// flakelens-ignore-file ${ruleId}${eol(document)}` };
}

/**
 * The finding behind a diagnostic, from the result of the document's current version only.
 * Matched by range first; then, for clients that echo ranges back in other units (Neovim 0.7 sends byte
 * columns on lines with non-ASCII text), by rule, message and line when that is unambiguous.
 */
function findingFor(result: StoredResult | undefined, document: TextDocument, diagnostic: Diagnostic, ruleId: string): Finding | undefined {
  if (!result || result.version !== document.version) return undefined;
  const candidates = result.findings.filter((f) => f.ruleId === ruleId && f.message === diagnostic.message);
  const exact = candidates.find((f) => sameRange(f.range, diagnostic.range));
  if (exact) return exact;
  const sameLine = candidates.filter((f) => f.range.start.line === diagnostic.range.start.line && f.range.end.line === diagnostic.range.end.line);
  return sameLine.length === 1 ? sameLine[0] : undefined;
}

/**
 * Whether the finding's offsets index into this document's text (the engine keeps line endings as they are).
 * A fix computed against another text must not be offered.
 */
function offsetsMatch(document: TextDocument, finding: Finding): boolean {
  return document.offsetAt(finding.range.start) === finding.start && document.offsetAt(finding.range.end) === finding.end;
}

/** Quick fixes for flakelens diagnostics: the finding's fixes, then ignore-for-line and ignore-for-file. */
export function codeActions(params: CodeActionParams, document: TextDocument | undefined, result: StoredResult | undefined, options: CodeActionOptions): CodeAction[] {
  if (!document || !wantsQuickFixes(params.context.only)) return [];
  const actions: CodeAction[] = [];
  const ignoreActions: CodeAction[] = [];
  const seenIgnores = new Set<string>();
  for (const diagnostic of params.context.diagnostics ?? []) {
    // Client-supplied: only our own diagnostics, with ranges inside this document, get actions.
    if (!isOwnDiagnostic(diagnostic, document, options.isRuleId)) continue;
    const ruleId = diagnosticCode(diagnostic);
    if (!ruleId) continue;
    const finding = findingFor(result, document, diagnostic, ruleId);
    if (finding && offsetsMatch(document, finding)) {
      for (const fix of finding.fixes) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.safe,
          edit: workspaceEdit(document, toLspEdits(document, fix.edits), options),
        });
      }
    }
    const line = diagnostic.range.start.line;
    if (!seenIgnores.has(`line:${line}:${ruleId}`)) {
      seenIgnores.add(`line:${line}:${ruleId}`);
      ignoreActions.push({
        title: `Ignore ${ruleId} for this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit(document, [ignoreLineEdit(document, line, ruleId)], options),
      });
    }
    if (!seenIgnores.has(`file:${ruleId}`)) {
      seenIgnores.add(`file:${ruleId}`);
      ignoreActions.push({
        title: `Ignore ${ruleId} for this file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit(document, [ignoreFileEdit(document, ruleId)], options),
      });
    }
  }
  // Real fixes first; the ignore actions are the fallback.
  return [...actions, ...ignoreActions.sort((a, b) => Number(a.title.endsWith('file')) - Number(b.title.endsWith('file')))];
}
