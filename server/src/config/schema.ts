import type { SeveritySetting } from '../engine/types.js';

/** Resolved settings for one workspace folder. */
export interface FlakelensConfig {
  /** Per-rule severity overrides; rules not listed use their default severity. */
  rules: Record<string, SeveritySetting>;
  /** Globs (relative to the workspace root) that select test files. */
  testFiles: string[];
  /** Globs excluded from analysis, on top of node_modules, .git and what .gitignore files exclude. */
  ignore: string[];
  /** Files larger than this many bytes are skipped with a message. */
  maxFileSize: number;
  /** Delay before re-analysing an edited buffer (LSP only). */
  debounceMs: number;
  /**
   * floating-promise: calls deliberately left unawaited (like typescript-eslint's allowForKnownSafeCalls):
   * `"name"` for any function or method of that name, `"package#name"` for one declared by that npm package.
   */
  knownSafeCalls: string[];
  /** A hosted copy of docs/rules (docs links become `<docsBaseUrl>/<rule-id>.md`); empty: the pages shipped with the package. */
  docsBaseUrl: string;
  /** Language server: the result cache kept across restarts, relative to the workspace root; empty: none. */
  cacheLocation: string;
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
/** Never analysed, whatever .gitignore says. Build output is left to .gitignore (a `build/` folder may hold sources); .flakelens holds verify results. */
export const ALWAYS_IGNORED_DIRS = ['node_modules', '.git', '.flakelens'];

export function defaultConfig(): FlakelensConfig {
  return {
    rules: {},
    testFiles: [...DEFAULT_TEST_FILES],
    ignore: [],
    maxFileSize: 1024 * 1024,
    debounceMs: 200,
    knownSafeCalls: [],
    docsBaseUrl: '',
    cacheLocation: '.flakelens/cache.json',
  };
}

/** Drives validation and the README settings table (a test keeps them in step). */
export const SETTINGS: SettingDoc[] = [
  { key: 'rules', type: 'object', description: 'Rule id to severity: "error", "warning", "info", "hint" or "off".' },
  { key: 'testFiles', type: 'string[]', description: 'Globs selecting test files, relative to the workspace root. Replaces the defaults.' },
  { key: 'ignore', type: 'string[]', description: 'Globs never analysed, on top of what .gitignore files exclude (node_modules, .git and .flakelens are always ignored).' },
  { key: 'maxFileSize', type: 'number', description: 'Files larger than this many bytes are skipped with a message.' },
  { key: 'debounceMs', type: 'number', description: 'Language server: delay after an edit before re-analysis.' },
  { key: 'knownSafeCalls', type: 'string[]', description: 'floating-promise: calls deliberately left unawaited, as "name" (any function or method of that name) or "package#name" (declared by that npm package), e.g. "playwright-core#evaluate".' },
  { key: 'docsBaseUrl', type: 'string', description: 'URL of a hosted copy of docs/rules: docs links become `<docsBaseUrl>/<rule-id>.md`. Empty: `file://` links to the pages installed with flakelens.' },
  { key: 'cacheLocation', type: 'string', description: 'Language server: where the results of unchanged files are kept across restarts (the file `check --cache` uses by default), relative to the workspace root. Empty: no cache.' },
];
