import { ts, type TS } from './typescript.js';
import type { FlakelensConfig } from '../config/schema.js';
import { LineMap } from './lines.js';
import { parseSuppressions } from './suppressions.js';
import { TestModel, type Framework, type TestBlock } from './testModel.js';
import { unknownRunnerConfig, type RunnerConfigFile, type RunnerConfigModel } from './runnerConfig.js';
import { docsUrlFor } from './docs.js';
import { testBlocksOf, type TestBlockInfo } from './testBlocks.js';
import { requiredModule } from './typeUtils.js';
import { capSeverity, type ConfigFileReport, type Finding, type Report, type Rule, type RuleContext, type RuleSettings, type Severity } from './types.js';

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
  /** The runners the file's test model resolved its calls to (decides which runner config governs it). */
  frameworks?: Framework[];
  /** How many tests the file registers (as the test model sees them; `it.each` counts once). */
  tests?: number;
  /**
   * Runner modules the file imports that do not resolve (a workspace copied without node_modules): tests built on
   * them are recognised from the import specifier only, so type-needing findings are missing. The CLI and the server say so once per workspace.
   */
  unresolvedRunnerModules?: string[];
  /** Tests and suites with their title paths, title ranges and source hashes (verify verdicts and code lenses sit on them). */
  testBlocks?: TestBlockInfo[];
}

/** Modules whose exports are the tests, suites and assertions the test model recognises by their declarations. */
export const RUNNER_MODULES: ReadonlySet<string> = new Set(['vitest', '@jest/globals', '@playwright/test', 'mocha', 'chai', 'chai-as-promised', 'node:test']);

/** The note for a workspace whose runner modules do not resolve: what is missing and the fix. */
export function unresolvedRunnerNote(modules: ReadonlyArray<{ module: string; file: string }>, root: string): string {
  const names = modules.map(({ module, file }) => `'${module}' (imported by ${file})`).join(', ');
  return `${names} cannot be resolved from ${root}: tests are recognised from the import alone, but findings that need the runner's types are missing. Install dependencies (e.g. npm install) in the workspace.`;
}

/**
 * Runner modules imported (import/export declarations; top-level `require` calls in JavaScript) by the file whose
 * import the checker cannot resolve. (In TypeScript `require` is untyped whether or not the module resolves: no note.)
 */
export function unresolvedRunnerModules(sourceFile: TS.SourceFile, checker: TS.TypeChecker, program?: TS.Program): string[] {
  const found = new Set<string>();
  const javascript = (sourceFile.flags & ts.NodeFlags.JavaScriptFile) !== 0;
  for (const statement of sourceFile.statements) {
    const specifiers = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? [statement.moduleSpecifier]
      : javascript && ts.isVariableStatement(statement) ? statement.declarationList.declarations.map((d) => d.initializer && requireSpecifier(d.initializer))
      : [];
    for (const specifier of specifiers) {
      if (!specifier || !ts.isStringLiteralLike(specifier) || !RUNNER_MODULES.has(specifier.text)) continue;
      // Type-only files of a runner (`import type`) still need the module; an unresolved one has no symbol. One that
      // resolves to a package without typings (mocha and chai installed without @types) has none either, but is there:
      // installing dependencies would not help.
      if (!checker.getSymbolAtLocation(specifier) && !resolvesToPackage(program, specifier, sourceFile)) found.add(specifier.text);
    }
  }
  return [...found];
}

/** The program's module resolution found a file for the specifier (a program method TypeScript keeps internal). */
function resolvesToPackage(program: TS.Program | undefined, specifier: TS.StringLiteralLike, sourceFile: TS.SourceFile): boolean {
  const withResolutions = program as { getResolvedModuleFromModuleSpecifier?: (s: TS.StringLiteralLike, f: TS.SourceFile) => TS.ResolvedModuleWithFailedLookupLocations | undefined } | undefined;
  return !!withResolutions?.getResolvedModuleFromModuleSpecifier?.(specifier, sourceFile)?.resolvedModule;
}

/** The specifier of `require('x')`, `require('x').y`. */
function requireSpecifier(initializer: TS.Expression): TS.StringLiteralLike | undefined {
  let node = initializer;
  while (ts.isParenthesizedExpression(node) || ts.isPropertyAccessExpression(node)) node = node.expression;
  return requiredModule(node);
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

export interface AnalyzeOptions {
  /** The runner config model for the file, given the runners its test model resolved to (asked lazily). */
  runnerConfig?: (file: string, frameworks: ReadonlySet<Framework>) => RunnerConfigModel;
  /** Settings rules read from the workspace config. */
  settings?: RuleSettings;
  /** Where findings' docs links point (the `docsBaseUrl` setting); empty: the docs pages shipped with the package. */
  docsBaseUrl?: string;
}

/**
 * Runs the rules over one source file of a built program. Pure with respect to its inputs:
 * everything it returns is plain data, nothing refers to nodes or types afterwards.
 */
export function analyzeSourceFile(program: TS.Program, sourceFile: TS.SourceFile, rules: readonly EnabledRule[], options: AnalyzeOptions = {}): FileAnalysis {
  const { settings } = options;
  const file = sourceFile.fileName;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const syntaxErrors = program.getSyntacticDiagnostics(sourceFile);
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0]!;
    const lineMap = new LineMap(sourceFile.text);
    const lineOf = (d: TS.Diagnostic): number => lineMap.lineOf(d.start ?? 0) + 1;
    // Name every line TypeScript's parser rejected (also code Node accepts, such as `() => ({ a })` then `{ block }`
    // on the next line): findings there may be missing, the rest of the file is analysed as usual.
    // Each error is shown as the lines of the innermost statement the parser built around it (its recovery may
    // swallow the next lines, as the block after `() => ({ a })` above).
    const spans = new Map<number, string>();
    for (const error of syntaxErrors) {
      const at = error.start ?? 0;
      const statement = innermostStatement(sourceFile, at);
      const from = statement ? lineMap.lineOf(statement.getStart(sourceFile)) + 1 : lineOf(error);
      const to = statement ? lineMap.lineOf(statement.getEnd()) + 1 : lineOf(error);
      spans.set(from, from === to ? `${from}` : `${from}-${to}`);
    }
    const ranges = [...spans.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
    const shown = ranges.length > 10 ? `${ranges.slice(0, 10).join(', ')}, ...` : ranges.join(', ');
    const plural = ranges.length > 1 || ranges[0]!.includes('-');
    notes.push(`${syntaxErrors.length} syntax error(s), first at line ${lineOf(first)}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}; TypeScript's parser rejects line${plural ? 's' : ''} ${shown}: findings there may be missing, the rest of the file is analysed`);
  }
  const checker = program.getTypeChecker();
  const unresolved = unresolvedRunnerModules(sourceFile, checker, program);
  let model: TestModel;
  try {
    model = new TestModel(sourceFile, checker);
  } catch (error) {
    notes.push(`test model could not be built: ${(error as Error).message}`);
    return { file, findings, notes, ...(unresolved.length > 0 ? { unresolvedRunnerModules: unresolved } : {}) };
  }
  let runnerConfig: RunnerConfigModel | undefined;
  const runnerConfigOf = (): RunnerConfigModel => {
    if (runnerConfig) return runnerConfig;
    try {
      runnerConfig = options.runnerConfig ? options.runnerConfig(file, model.frameworks) : unknownRunnerConfig(file, 'no runner config reader');
    } catch (error) {
      runnerConfig = unknownRunnerConfig(file, `runner config could not be read: ${(error as Error).message}`);
    }
    return runnerConfig;
  };
  const suppressions = parseSuppressions(sourceFile.text);
  // Positions in the editor's line model (TypeScript's also breaks at U+2028/U+2029).
  const lines = new LineMap(sourceFile.text);
  const seen = new Set<string>();
  const titleAt = (offset: number): { test?: string } => {
    const title = blockTitleAt(model, offset);
    return title ? { test: title } : {};
  };

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
        severity: capSeverity(severity, r.severity),
        file,
        start,
        end,
        range: { start: startPos, end: lines.positionAt(end) },
        message: r.message,
        why: meta.docs.why,
        docsUrl: docsUrlFor(meta.id, options.docsBaseUrl),
        fixes: r.fixes ?? [],
        ...titleAt(start),
        ...(r.justification ? { justification: r.justification } : {}),
        ...(r.related?.length ? {
          related: r.related.map(({ node, message }) => {
            const from = node.getStart(sourceFile);
            return { start: from, end: node.getEnd(), range: { start: lines.positionAt(from), end: lines.positionAt(node.getEnd()) }, message };
          }),
        } : {}),
      });
    };
    const context: RuleContext = { sourceFile, program, checker, model, runnerConfig: runnerConfigOf, report, settings };
    try {
      rule.check(context);
    } catch (error) {
      // One broken rule must not take the others' results with it.
      notes.push(`rule ${meta.id} failed on this file: ${(error as Error).message}`);
    }
  }
  findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return {
    file,
    findings,
    notes,
    frameworks: [...model.frameworks],
    tests: model.blocks.filter((b) => b.kind === 'test').length,
    testBlocks: testBlocksOf(model, sourceFile, lines),
    ...(unresolved.length > 0 ? { unresolvedRunnerModules: unresolved } : {}),
  };
}

/**
 * Runs the rules that report on runner config files (retries in playwright.config.ts, say) over one config file as
 * the runner-config model read it. Findings sit on the config keys; suppression comments in the file apply.
 */
export function analyzeRunnerConfigFile(config: RunnerConfigFile, text: string, rules: readonly EnabledRule[], docsBaseUrl?: string): FileAnalysis {
  const findings: Finding[] = [];
  const notes = [...config.notes];
  const suppressions = parseSuppressions(text);
  const seen = new Set<string>();
  for (const { rule, severity } of rules) {
    if (!rule.checkConfigFile) continue;
    const { meta } = rule;
    const report = ({ location, message, severity: own, justification }: ConfigFileReport): void => {
      if (location.file !== config.file || suppressions.isSuppressed(meta.id, location.range.start.line)) return;
      const key = `${meta.id}:${location.start}:${location.end}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({
        ruleId: meta.id,
        category: meta.category,
        severity: capSeverity(severity, own),
        file: config.file,
        start: location.start,
        end: location.end,
        range: location.range,
        message,
        why: meta.docs.why,
        docsUrl: docsUrlFor(meta.id, docsBaseUrl),
        fixes: [],
        ...(justification ? { justification } : {}),
      });
    };
    try {
      rule.checkConfigFile({ config, text, report });
    } catch (error) {
      notes.push(`rule ${meta.id} failed on this file: ${(error as Error).message}`);
    }
  }
  findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return { file: config.file, findings, notes };
}

/** Title path (`suite › test`) of the innermost test, hook, step or suite whose registration contains the offset. */
function blockTitleAt(model: TestModel, offset: number): string | undefined {
  let best: TestBlock | undefined;
  for (const block of model.blocks) {
    const { call } = block;
    if (call.pos > offset || call.end <= offset) continue;
    if (!best || call.end - call.pos < best.call.end - best.call.pos) best = block;
  }
  if (!best) return undefined;
  const parts: string[] = [];
  for (let block: TestBlock | undefined = best; block; block = block.parent) {
    parts.unshift(block.kind === 'hook' ? `${block.calleeText}` : block.title !== undefined ? block.title : `(${block.calleeText})`);
  }
  return parts.join(' › ');
}

/** The innermost statement (not block) containing the position, for naming the lines of a syntax error. */
function innermostStatement(sourceFile: TS.SourceFile, at: number): TS.Statement | undefined {
  let found: TS.Statement | undefined;
  const visit = (node: TS.Node): void => {
    if (node.getStart(sourceFile) > at || at >= node.getEnd()) return;
    if (ts.isStatement(node) && !ts.isBlock(node)) found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  return found;
}
