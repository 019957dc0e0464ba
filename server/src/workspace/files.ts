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

/** Decides which files under a root are test files, from the config's globs. */
export class TestFileMatcher {
  private readonly isTest: (p: string) => boolean;
  private readonly isIgnored: (p: string) => boolean;

  constructor(private readonly root: string, config: Pick<FlakelensConfig, 'testFiles' | 'ignore'>) {
    this.isTest = picomatch(config.testFiles, { dot: true });
    this.isIgnored = config.ignore.length ? picomatch(config.ignore, { dot: true }) : () => false;
  }

  relative(file: string): string | undefined {
    const rel = path.relative(this.root, path.resolve(file)).replace(/\\/g, '/');
    return rel.startsWith('../') || rel === '..' || path.isAbsolute(rel) ? undefined : rel;
  }

  isIgnoredPath(file: string): boolean {
    const rel = this.relative(file);
    if (rel === undefined) return true;
    if (rel.split('/').some((segment) => IGNORED_DIR_SET.has(segment))) return true;
    return this.isIgnored(rel);
  }

  isTestFile(file: string): boolean {
    const rel = this.relative(file);
    return rel !== undefined && isScriptFile(file) && !this.isIgnoredPath(file) && this.isTest(rel);
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
        if (!IGNORED_DIR_SET.has(entry.name) && !matcher.isIgnoredPath(full)) stack.push(full);
      } else if (entry.isFile() && matcher.isTestFile(full)) {
        found.push(full);
      }
    }
  }
  return found.sort();
}
