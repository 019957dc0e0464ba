import type { ts } from 'ts-morph';
import type { TestModel } from './testModel.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export type Category =
  | 'async-coordination'
  | 'focus-and-retry'
  | 'isolation'
  | 'timing';

export const CATEGORY_TITLES: Record<Category, string> = {
  'async-coordination': 'Async coordination',
  'focus-and-retry': 'Focus and retry markers',
  isolation: 'Isolation between tests',
  timing: 'Timing and sleeps',
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
}

export interface RuleContext {
  readonly sourceFile: ts.SourceFile;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly model: TestModel;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

export { docsUrlFor } from './docs.js';
