import type { ts } from 'ts-morph';
import type { TestModel } from './testModel.js';
import type { RunnerConfigFile, RunnerConfigModel, SourceLocation } from './runnerConfig.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export type Category =
  | 'async-coordination'
  | 'focus-and-retry'
  | 'isolation'
  | 'timing';

export const CATEGORY_TITLES: Record<Category, string> = {
  'async-coordination': 'Async coordination',
  'focus-and-retry': 'Retry and flaky markers',
  isolation: 'Isolation and race conditions',
  timing: 'Timing and nondeterministic inputs',
};

/** Zero-based line and UTF-16 character, as LSP counts them. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A replacement of [start, end) (UTF-16 offsets into the file text). */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Safe fixes may be applied without review (CLI --fix, quick fix marked preferred). */
  safe: boolean;
}

/** A finding is plain data: no nodes, no types, safe to keep across analyses. */
export interface Finding {
  ruleId: string;
  category: Category;
  severity: Severity;
  /** Absolute file path. */
  file: string;
  range: Range;
  start: number;
  end: number;
  message: string;
  /** Why this pattern makes tests flaky. */
  why: string;
  docsUrl: string;
  fixes: Fix[];
  /** Title path of the test (or hook, or suite) the finding sits in: `cart › adds an item`. */
  test?: string;
  /** The comment the code gives for it (a retry's or skip's justification), when there is one. */
  justification?: string;
  /** Other places the finding involves (the test that wrote shared state); LSP relatedInformation. */
  related?: RelatedLocation[];
}

/** A place in the same file that a finding refers to. */
export interface RelatedLocation {
  file: string;
  range: Range;
  start: number;
  end: number;
  message: string;
}

export interface RuleDocs {
  /** One sentence: what the rule reports. */
  summary: string;
  /** Why the pattern makes tests flaky. */
  why: string;
  /** A short flaky example and its fixed form, used by hover. */
  badExample: string;
  goodExample: string;
}

export interface RuleMeta {
  id: string;
  category: Category;
  defaultSeverity: Severity;
  /** Whether the rule needs the type checker (skipped cheaply otherwise). */
  requiresTypes: boolean;
  docs: RuleDocs;
}

export interface Report {
  node?: ts.Node;
  /** Explicit offsets, used when no single node spans the finding. */
  start?: number;
  end?: number;
  message: string;
  fixes?: Fix[];
  /**
   * A ceiling for this finding's severity, for the rule's minor or context-dependent cases (a `close()` left
   * floating in a teardown): the finding gets the less severe of this and the rule's configured severity.
   */
  severity?: Severity;
  /** The comment the code gives for what is reported (shown in the audit report's marker table). */
  justification?: string;
  /** Other places in the file the finding refers to (become LSP relatedInformation). */
  related?: Array<{ node: ts.Node; message: string }>;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** The less severe of the two. */
export function capSeverity(configured: Severity, ceiling: Severity | undefined): Severity {
  return ceiling && SEVERITY_RANK[ceiling] > SEVERITY_RANK[configured] ? ceiling : configured;
}

/** Settings rules read (from the workspace config); absent in contexts without a config. */
export interface RuleSettings {
  /** floating-promise: calls deliberately left unawaited (`name` or `package#name`). */
  readonly knownSafeCalls?: readonly string[];
}

export interface RuleContext {
  readonly settings?: RuleSettings;
  readonly sourceFile: ts.SourceFile;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly model: TestModel;
  /**
   * The runner configuration that governs this file (reset options, fake timers, setup-file hooks,
   * parallelism, retries), read statically from the config files. Computed on first call and memoised:
   * rules that never ask pay nothing.
   */
  runnerConfig(): RunnerConfigModel;
  report(report: Report): void;
}

/** A finding on a runner config file, placed on a config key. */
export interface ConfigFileReport {
  location: SourceLocation;
  message: string;
  severity?: Severity;
  justification?: string;
}

export interface ConfigFileContext {
  /** The runner config file as read statically: every setting of every project, with key locations. */
  readonly config: RunnerConfigFile;
  /** The file's text (editor buffer or disk). */
  readonly text: string;
  report(report: ConfigFileReport): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
  /** Rules that also report on runner config files (vitest/jest/Playwright/mocha configs, package.json). */
  checkConfigFile?(context: ConfigFileContext): void;
}

export { docsUrlFor } from './docs.js';
