import type { SeveritySetting } from '../engine/types.js';

/** Resolved settings for one workspace folder. */
export interface FlakelensConfig {
  /** Per-rule severity overrides; rules not listed use their default severity. */
  rules: Record<string, SeveritySetting>;
  /** Globs (relative to the workspace root) that select test files. */
  testFiles: string[];
  /** Globs excluded from analysis, on top of node_modules, .git and build output. */
  ignore: string[];
  /** Files larger than this many bytes are skipped with a message. */
  maxFileSize: number;
  /** Delay before re-analysing an edited buffer (LSP only). */
  debounceMs: number;
}

export interface SettingDoc {
  key: keyof FlakelensConfig;
  type: string;
  description: string;
}

export const DEFAULT_TEST_FILES = [
  '**/*.test.*',
  '**/*.spec.*',
  '**/__tests__/**',
  '**/test/**',
  '**/tests/**',
];

/** Directories never analysed or watched. */
// .flakelens holds verify results (and mocha config copies verify writes), never code to analyse.
export const ALWAYS_IGNORED_DIRS = ['node_modules', '.git', 'dist', 'build', 'out', 'coverage', '.next', '.turbo', '.cache', '.flakelens'];

export function defaultConfig(): FlakelensConfig {
  return {
    rules: {},
    testFiles: [...DEFAULT_TEST_FILES],
    ignore: [],
    maxFileSize: 1024 * 1024,
    debounceMs: 200,
  };
}

/** Drives validation and the README settings table (a test keeps them in step). */
export const SETTINGS: SettingDoc[] = [
  { key: 'rules', type: 'object', description: 'Rule id to severity: "error", "warning", "info", "hint" or "off".' },
  { key: 'testFiles', type: 'string[]', description: 'Globs selecting test files, relative to the workspace root. Replaces the defaults.' },
  { key: 'ignore', type: 'string[]', description: 'Globs never analysed (node_modules, .git, .flakelens and build output are always ignored).' },
  { key: 'maxFileSize', type: 'number', description: 'Files larger than this many bytes are skipped with a message.' },
  { key: 'debounceMs', type: 'number', description: 'Language server: delay after an edit before re-analysis.' },
];
