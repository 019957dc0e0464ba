import { ts } from 'ts-morph';
import type { FlakelensConfig } from '../config/schema.js';
import { parseSuppressions } from './suppressions.js';
import { TestModel } from './testModel.js';
import { docsUrlFor } from './docs.js';
import { type Finding, type Report, type Rule, type RuleContext, type Severity } from './types.js';

export interface EnabledRule {
  rule: Rule;
  severity: Severity;
}

export interface FileAnalysis {
  file: string;
  findings: Finding[];
  /** Things the user should know about this file's results: syntax errors, a rule that failed, a skipped file. */
  notes: string[];
  /** The file was not analysed at all (too large, binary, gone, not a script); notes say why. */
  skipped?: boolean;
  /**
   * Runner modules the file imports that do not resolve (a workspace copied without node_modules): tests built on
   * them are not recognised, so findings are missing. The CLI and the server say so once per workspace.
   */
  unresolvedRunnerModules?: string[];
}

/** Modules whose exports are the tests, suites and assertions the test model recognises by their declarations. */
export const RUNNER_MODULES: ReadonlySet<string> = new Set(['vitest', '@jest/globals', '@playwright/test', 'mocha', 'chai', 'chai-as-promised', 'node:test']);

/** The note for a workspace whose runner modules do not resolve: what is missing and the fix. */
export function unresolvedRunnerNote(modules: ReadonlyArray<{ module: string; file: string }>, root: string): string {
  const names = modules.map(({ module, file }) => `'${module}' (imported by ${file})`).join(', ');
  return `${names} cannot be resolved from ${root}: tests using ${modules.length > 1 ? 'them' : 'it'} are not recognised, so most findings are missing. Install dependencies (e.g. npm install) in the workspace.`;
}

/** Runner modules imported (import/export declarations) by the file whose import the checker cannot resolve. */
export function unresolvedRunnerModules(sourceFile: ts.SourceFile, checker: ts.TypeChecker): string[] {
  const found = new Set<string>();
  for (const statement of sourceFile.statements) {
    const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (!specifier || !ts.isStringLiteral(specifier) || !RUNNER_MODULES.has(specifier.text)) continue;
    // Type-only files of a runner (`import type`) still need the module; an unresolved one has no symbol.
    if (!checker.getSymbolAtLocation(specifier)) found.add(specifier.text);
  }
  return [...found];
}

/** Rules with their effective severity; `off` rules are dropped. */
export function enabledRules(rules: readonly Rule[], config: Pick<FlakelensConfig, 'rules'>): EnabledRule[] {
  const enabled: EnabledRule[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.meta.id] ?? rule.meta.defaultSeverity;
    if (setting !== 'off') enabled.push({ rule, severity: setting });
  }
  return enabled;
}

/**
 * Runs the rules over one source file of a built program. Pure with respect to its inputs:
 * everything it returns is plain data, nothing refers to nodes or types afterwards.
 */
export interface AnalyzeOptions {
  /** Where findings' docs links point (the `docsBaseUrl` setting); empty: the docs pages shipped with the package. */
  docsBaseUrl?: string;
}

export function analyzeSourceFile(program: ts.Program, sourceFile: ts.SourceFile, rules: readonly EnabledRule[], options: AnalyzeOptions = {}): FileAnalysis {
  const file = sourceFile.fileName;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const syntaxErrors = program.getSyntacticDiagnostics(sourceFile);
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0]!;
    const { line } = sourceFile.getLineAndCharacterOfPosition(first.start ?? 0);
    notes.push(`${syntaxErrors.length} syntax error(s), first at line ${line + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}; results may be partial`);
  }
  const checker = program.getTypeChecker();
  const unresolved = unresolvedRunnerModules(sourceFile, checker);
  let model: TestModel;
  try {
    model = new TestModel(sourceFile, checker);
  } catch (error) {
    notes.push(`test model could not be built: ${(error as Error).message}`);
    return { file, findings, notes, ...(unresolved.length > 0 ? { unresolvedRunnerModules: unresolved } : {}) };
  }
  const suppressions = parseSuppressions(sourceFile.text);
  const seen = new Set<string>();

  for (const { rule, severity } of rules) {
    const { meta } = rule;
    const report = (r: Report): void => {
      const start = r.start ?? r.node?.getStart(sourceFile) ?? 0;
      const end = r.end ?? r.node?.getEnd() ?? start;
      const startPos = sourceFile.getLineAndCharacterOfPosition(start);
      if (suppressions.isSuppressed(meta.id, startPos.line)) return;
      const key = `${meta.id}:${start}:${end}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({
        ruleId: meta.id,
        category: meta.category,
        severity,
        file,
        start,
        end,
        range: { start: startPos, end: sourceFile.getLineAndCharacterOfPosition(end) },
        message: r.message,
        why: meta.docs.why,
        docsUrl: docsUrlFor(meta.id, options.docsBaseUrl),
        fixes: r.fixes ?? [],
      });
    };
    const context: RuleContext = { sourceFile, program, checker, model, report };
    try {
      rule.check(context);
    } catch (error) {
      // One broken rule must not take the others' results with it.
      notes.push(`rule ${meta.id} failed on this file: ${(error as Error).message}`);
    }
  }
  findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return { file, findings, notes, ...(unresolved.length > 0 ? { unresolvedRunnerModules: unresolved } : {}) };
}
