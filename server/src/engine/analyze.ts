import { ts } from 'ts-morph';
import type { FlakelensConfig } from '../config/schema.js';
import { parseSuppressions } from './suppressions.js';
import { TestModel } from './testModel.js';
import { docsUrlFor, lowerSeverity, type Finding, type Report, type Rule, type RuleContext, type Severity } from './types.js';

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
    const lineOf = (d: ts.Diagnostic): number => sourceFile.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
    // Name every line TypeScript's parser rejected (also code Node accepts, such as `() => ({ a })` then `{ block }`
    // on the next line): findings there may be missing, the rest of the file is analysed as usual.
    // Each error is shown as the lines of the innermost statement the parser built around it (its recovery may
    // swallow the next lines, as the block after `() => ({ a })` above).
    const spans = new Map<number, string>();
    for (const error of syntaxErrors) {
      const at = error.start ?? 0;
      const statement = innermostStatement(sourceFile, at);
      const from = statement ? sourceFile.getLineAndCharacterOfPosition(statement.getStart(sourceFile)).line + 1 : lineOf(error);
      const to = statement ? sourceFile.getLineAndCharacterOfPosition(statement.getEnd()).line + 1 : lineOf(error);
      spans.set(from, from === to ? `${from}` : `${from}-${to}`);
    }
    const ranges = [...spans.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
    const shown = ranges.length > 10 ? `${ranges.slice(0, 10).join(', ')}, ...` : ranges.join(', ');
    const plural = ranges.length > 1 || ranges[0]!.includes('-');
    notes.push(`${syntaxErrors.length} syntax error(s), first at line ${lineOf(first)}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}; TypeScript's parser rejects line${plural ? 's' : ''} ${shown}: findings there may be missing, the rest of the file is analysed`);
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
        severity: lowerSeverity(severity, r.severity),
        file,
        start,
        end,
        range: { start: startPos, end: sourceFile.getLineAndCharacterOfPosition(end) },
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

/** The innermost statement (not block) containing the position, for naming the lines of a syntax error. */
function innermostStatement(sourceFile: ts.SourceFile, at: number): ts.Statement | undefined {
  let found: ts.Statement | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getStart(sourceFile) > at || at >= node.getEnd()) return;
    if (ts.isStatement(node) && !ts.isBlock(node)) found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  return found;
}
