import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ALWAYS_IGNORED_DIRS, type FlakelensConfig } from '../config/schema.js';

export const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const IGNORED_DIR_SET = new Set(ALWAYS_IGNORED_DIRS);

export function isScriptFile(file: string): boolean {
  const lower = file.toLowerCase();
  return !lower.endsWith('.d.ts') && !lower.endsWith('.d.mts') && !lower.endsWith('.d.cts') && SCRIPT_EXTENSIONS.some((e) => lower.endsWith(e));
}

export function isJsFile(file: string): boolean {
  return /\.(c|m)?jsx?$/i.test(file);
}

/**
 * Whether the start of a file is binary rather than source text. A NUL byte alone is no proof: valid UTF-8
 * source may hold NULs (in a template literal or a string). Binary means NUL bytes plus bytes that are not
 * UTF-8, or so many control characters that no source file looks like it.
 */
export function looksBinary(head: Buffer | string): boolean {
  let decoded: string;
  if (typeof head === 'string') {
    if (!head.includes('\u0000')) return false;
    decoded = head;
  } else {
    if (!head.includes(0)) return false;
    try {
      // stream: a multi-byte character cut at the end of the head is not an error.
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    } catch {
      return true;
    }
  }
  let controls = 0;
  for (let i = 0; i < decoded.length; i++) {
    const code = decoded.charCodeAt(i);
    if (code < 32 && code !== 9 && code !== 10 && code !== 12 && code !== 13) controls++;
  }
  return controls * 10 > decoded.length;
}

interface IgnoreRule {
  negate: boolean;
  dirOnly: boolean;
  /** Tested against the path relative to the directory holding the .gitignore. */
  matches: (relative: string) => boolean;
}

/** One .gitignore line as a rule (undefined for blanks and comments). The common subset of gitignore(5). */
export function parseIgnoreLine(raw: string): IgnoreRule | undefined {
  let line = raw.replace(/\r$/, '');
  // Trailing spaces are dropped unless escaped.
  line = line.replace(/(?<!\\)\s+$/, '');
  if (line === '' || line.startsWith('#')) return undefined;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\#') || line.startsWith('\\!')) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith('/')) {
    dirOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (line === '') return undefined;
  // A slash at the start or in the middle anchors the pattern to the .gitignore's directory; otherwise it matches
  // a name at any depth.
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const match = picomatch(line, { dot: true, ...(anchored ? {} : { basename: true }) });
  // `dir/**` matches what is inside dir, not dir itself (so `!dir/file` can bring a file back).
  const inside = line.endsWith('/**') ? line.slice(0, -3) : undefined;
  return { negate, dirOnly, matches: inside === undefined ? match : (relative) => relative !== inside && match(relative) };
}

/**
 * Follows the root's .gitignore and those of nested directories (read lazily, once each): globs, `**`, negation
 * (`!`), directory-only patterns (`dir/`), anchoring. As in git, nothing inside an ignored directory comes back.
 */
export class GitIgnore {
  private readonly rulesByDir = new Map<string, IgnoreRule[]>();

  constructor(private readonly root: string) {}

  private rulesOf(dir: string): IgnoreRule[] {
    let rules = this.rulesByDir.get(dir);
    if (!rules) {
      rules = [];
      try {
        const text = fs.readFileSync(path.join(this.root, dir, '.gitignore'), 'utf8');
        for (const line of text.split('\n')) {
          const rule = parseIgnoreLine(line);
          if (rule) rules.push(rule);
        }
      } catch {
        // no .gitignore here
      }
      this.rulesByDir.set(dir, rules);
    }
    return rules;
  }

  /** `relative`: a path below the root, with forward slashes. */
  isIgnored(relative: string, isDirectory: boolean): boolean {
    const segments = relative.split('/').filter(Boolean);
    for (let i = 1; i < segments.length; i++) {
      if (this.matchesRules(segments.slice(0, i), true)) return true;
    }
    return segments.length > 0 && this.matchesRules(segments, isDirectory);
  }

  /** The last rule matching the path decides, deeper .gitignore files after shallower ones. */
  private matchesRules(segments: string[], isDirectory: boolean): boolean {
    let ignored = false;
    for (let depth = 0; depth < segments.length; depth++) {
      const rules = this.rulesOf(segments.slice(0, depth).join('/'));
      if (rules.length === 0) continue;
      const below = segments.slice(depth).join('/');
      for (const rule of rules) {
        if (rule.dirOnly && !isDirectory) continue;
        if (rule.matches(below)) ignored = !rule.negate;
      }
    }
    return ignored;
  }
}

/**
 * Type tests (`queryClient.test-d.tsx`, `index.test-d.ts`): vitest's typecheck mode and tsd only type-check them,
 * nothing in them runs, so no runtime flakiness can come from them.
 */
const TYPE_TEST = /\.(test|spec)-d\.[cm]?[jt]sx?$/;

/** Decides which files under a root are test files, from the config's globs and the root's .gitignore files. */
export class TestFileMatcher {
  private readonly isTest: (p: string) => boolean;
  private readonly isIgnored: (p: string) => boolean;
  private readonly gitignore: GitIgnore;

  constructor(private readonly root: string, config: Pick<FlakelensConfig, 'testFiles' | 'ignore'>) {
    this.isTest = picomatch(config.testFiles, { dot: true });
    this.isIgnored = config.ignore.length ? picomatch(config.ignore, { dot: true }) : () => false;
    this.gitignore = new GitIgnore(root);
  }

  relative(file: string): string | undefined {
    const rel = path.relative(this.root, path.resolve(file)).replace(/\\/g, '/');
    return rel.startsWith('../') || rel === '..' || path.isAbsolute(rel) ? undefined : rel;
  }

  isIgnoredPath(file: string, isDirectory = false): boolean {
    const rel = this.relative(file);
    if (rel === undefined) return true;
    if (rel.split('/').some((segment) => IGNORED_DIR_SET.has(segment))) return true;
    return this.isIgnored(rel) || this.gitignore.isIgnored(rel, isDirectory);
  }

  isTestFile(file: string): boolean {
    const rel = this.relative(file);
    return rel !== undefined && isScriptFile(file) && !TYPE_TEST.test(rel) && !this.isIgnoredPath(file) && this.isTest(rel);
  }
}

/** What went wrong reading a file or directory, in words (`EACCES` -> permission denied). */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no longer exists';
    case 'EACCES':
    case 'EPERM':
      return `cannot be read (permission denied, ${code})`;
    case 'ENOTDIR':
      return 'is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'cannot be read (too many levels of symbolic links)';
    case 'EIO':
      return 'cannot be read (I/O error)';
    default:
      return `cannot be read (${code ?? (error as Error | undefined)?.message ?? String(error)})`;
  }
}

export type ReadDir = (dir: string) => fs.Dirent[];
const readDir: ReadDir = (dir) => fs.readdirSync(dir, { withFileTypes: true });

/**
 * Walks a directory for test files, skipping ignored directories before descending into them.
 * A directory that cannot be read is reported through `onUnreadable` and the walk goes on (partial results).
 */
export function findTestFiles(start: string, matcher: TestFileMatcher, onUnreadable: (dir: string, reason: string) => void = () => {}, readdir: ReadDir = readDir): string[] {
  const found: string[] = [];
  const stack = [path.resolve(start)];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = readdir(dir);
    } catch (error) {
      // A directory that vanished mid-walk is no news; one we cannot read hides its tests.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onUnreadable(dir, describeFsError(error));
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!IGNORED_DIR_SET.has(entry.name) && !matcher.isIgnoredPath(full, true)) stack.push(full);
      } else if (entry.isFile() && matcher.isTestFile(full)) {
        found.push(full);
      }
    }
  }
  return found.sort();
}
