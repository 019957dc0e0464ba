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

/** Walks a directory for test files, skipping ignored directories before descending into them. */
export function findTestFiles(start: string, matcher: TestFileMatcher): string[] {
  const found: string[] = [];
  const stack = [path.resolve(start)];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: partial results
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
