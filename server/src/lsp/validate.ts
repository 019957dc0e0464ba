import { ErrorCodes, ResponseError, type Diagnostic, type Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** Shape checks for client-supplied params: a malformed request is answered -32602 InvalidParams, never a crash. */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPosition(value: unknown): boolean {
  return isObject(value) && Number.isSafeInteger(value.line) && Number.isSafeInteger(value.character) && (value.line as number) >= 0 && (value.character as number) >= 0;
}

function isRange(value: unknown): value is Range {
  return isObject(value) && isPosition(value.start) && isPosition(value.end);
}

function invalid(method: string, what: string): ResponseError<never> {
  return new ResponseError<never>(ErrorCodes.InvalidParams, `flakelens: ${method}: invalid params (${what})`);
}

function documentUri(method: string, params: unknown): ResponseError<never> | undefined {
  if (!isObject(params)) return invalid(method, 'params must be an object');
  if (!isObject(params.textDocument) || typeof params.textDocument.uri !== 'string') return invalid(method, 'textDocument.uri must be a string');
  return undefined;
}

/** textDocument/hover and other position requests. */
export function checkPositionParams(method: string, params: unknown): ResponseError<never> | undefined {
  const error = documentUri(method, params);
  if (error) return error;
  if (!isPosition((params as Record<string, unknown>).position)) return invalid(method, 'position must have non-negative integer line and character');
  return undefined;
}

export function checkDocumentParams(method: string, params: unknown): ResponseError<never> | undefined {
  return documentUri(method, params);
}

export function checkCodeActionParams(method: string, params: unknown): ResponseError<never> | undefined {
  const error = documentUri(method, params);
  if (error) return error;
  const p = params as Record<string, unknown>;
  if (!isRange(p.range)) return invalid(method, 'range must be a range of non-negative integer positions');
  if (!isObject(p.context) || !Array.isArray(p.context.diagnostics)) return invalid(method, 'context.diagnostics must be an array');
  if (p.context.only !== undefined && !(Array.isArray(p.context.only) && p.context.only.every((k) => typeof k === 'string'))) return invalid(method, 'context.only must be an array of strings');
  return undefined;
}

/**
 * Whether a diagnostic a client sent back (codeAction context) is one of ours and fits the document: source
 * flakelens, a registered rule id as code, a range inside the document. Anything else gets no action.
 */
export function isOwnDiagnostic(diagnostic: unknown, document: TextDocument, isRuleId: (id: string) => boolean): diagnostic is Diagnostic {
  if (!isObject(diagnostic) || diagnostic.source !== 'flakelens' || typeof diagnostic.code !== 'string' || !isRuleId(diagnostic.code)) return false;
  if (typeof diagnostic.message !== 'string' || !isRange(diagnostic.range)) return false;
  const { start, end } = diagnostic.range;
  if (start.line > end.line || (start.line === end.line && start.character > end.character)) return false;
  if (end.line >= document.lineCount) return false;
  const lineLength = (line: number) => document.offsetAt({ line: line + 1, character: 0 }) - document.offsetAt({ line, character: 0 });
  // positionAt clamps, so compare against the line's own length (its line break included for a range ending there).
  return start.character <= lineLength(start.line) && end.character <= lineLength(end.line);
}
