import { ts } from 'ts-morph';
import type { FlakelensConfig } from '../config/schema.js';
import { LineMap } from './lines.js';
import { parseSuppressions } from './suppressions.js';
import { TestModel } from './testModel.js';
import { docsUrlFor, type Finding, type Report, type Rule, type RuleContext, type Severity } from './types.js';

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
export function analyzeSourceFile(program: ts.Program, sourceFile: ts.SourceFile, rules: readonly EnabledRule[]): FileAnalysis {
  const file = sourceFile.fileName;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const syntaxErrors = program.getSyntacticDiagnostics(sourceFile);
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0]!;
    const line = new LineMap(sourceFile.text).lineOf(first.start ?? 0);
    notes.push(`${syntaxErrors.length} syntax error(s), first at line ${line + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}; results may be partial`);
  }
  const checker = program.getTypeChecker();
  let model: TestModel;
  try {
    model = new TestModel(sourceFile, checker);
  } catch (error) {
    notes.push(`test model could not be built: ${(error as Error).message}`);
    return { file, findings, notes };
  }
  const suppressions = parseSuppressions(sourceFile.text);
  // Positions in the editor's line model (TypeScript's also breaks at U+2028/U+2029).
  const lines = new LineMap(sourceFile.text);
  const seen = new Set<string>();

  for (const { rule, severity } of rules) {
    const { meta } = rule;
    const report = (r: Report): void => {
      const start = r.start ?? r.node?.getStart(sourceFile) ?? 0;
      const end = r.end ?? r.node?.getEnd() ?? start;
      const startPos = lines.positionAt(start);
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
        range: { start: startPos, end: lines.positionAt(end) },
        message: r.message,
        why: meta.docs.why,
        docsUrl: docsUrlFor(meta.id),
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
  return { file, findings, notes };
}
