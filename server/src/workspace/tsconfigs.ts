import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ts, type TS } from '../engine/typescript.js';
import { existsRecorded, probeList, probeRead } from './probes.js';

const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];
const JS_EXTENSIONS = ['.js', '.jsx', '.mjs', '.cjs'];
const DEFAULT_EXCLUDES = ['node_modules', 'bower_components', 'jspm_packages'];

/** What a tsconfig says about file membership, read statically (no program is built). */
export interface TsconfigSpec {
  path: string;
  compilerOptions: TS.CompilerOptions;
  /** Referenced tsconfig files (solution-style configs own nothing themselves). */
  references: string[];
  problems: string[];
  /** The file itself could not be read or parsed: it still owns the files below it, which get inferred settings. */
  unreadable: boolean;
  includes(file: string): boolean;
  /**
   * Declaration files the config includes (global augmentations such as src/env.d.ts): a program
   * built from test files alone would miss them, and types they declare would turn into errors.
   */
  declarationFiles(): string[];
}

/** Walking a huge include for declarations stops here; the rest would only refine types. */
const MAX_DECLARATION_FILES = 500;

interface RawSpec {
  files?: string[];
  include?: string[];
  exclude?: string[];
  /** The directory the patterns above are relative to (the config that declared them). */
  filesBase?: string;
  includeBase?: string;
  excludeBase?: string;
}

function readRaw(configPath: string, seen: Set<string>): { raw: Record<string, unknown>; spec: RawSpec } {
  const dir = path.dirname(configPath);
  const result = ts.readConfigFile(configPath, readRecorded);
  if (result.error) {
    // A half-parsed tsconfig would silently change which files a project owns and how they are typed.
    const { error } = result;
    const where = error.file && error.start !== undefined ? ` at line ${error.file.getLineAndCharacterOfPosition(error.start).line + 1}` : '';
    throw new Error(`invalid JSON${where}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`);
  }
  const raw = (result.config ?? {}) as Record<string, unknown>;
  let spec: RawSpec = {};
  // Inherited specs first: a config's own include/exclude/files replace the base's.
  const extendsList = typeof raw.extends === 'string' ? [raw.extends] : Array.isArray(raw.extends) ? raw.extends.filter((e): e is string => typeof e === 'string') : [];
  for (const ext of extendsList) {
    const basePath = resolveExtends(ext, dir);
    if (!basePath || seen.has(basePath)) continue;
    seen.add(basePath);
    try {
      spec = { ...spec, ...readRaw(basePath, seen).spec };
    } catch {
      // A broken base config only loses its file lists; parseJsonConfigFileContent reports it.
    }
  }
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined);
  const files = strings(raw.files);
  const include = strings(raw.include);
  const exclude = strings(raw.exclude);
  if (files) spec = { ...spec, files, filesBase: dir };
  if (include) spec = { ...spec, include, includeBase: dir };
  if (exclude) spec = { ...spec, exclude, excludeBase: dir };
  return { raw, spec };
}

/** Config reads are recorded: a result cache must notice a changed, created or deleted tsconfig. */
function readRecorded(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    probeRead(file, undefined);
    throw error;
  }
  probeRead(file, text);
  return text;
}

const fileExistsRecorded = (file: string): boolean => existsRecorded(file, 'file');

function resolveExtends(ext: string, dir: string): string | undefined {
  if (ext.startsWith('.') || path.isAbsolute(ext)) {
    const full = path.resolve(dir, ext);
    if (fileExistsRecorded(full)) return full;
    if (fileExistsRecorded(full + '.json')) return full + '.json';
    return undefined;
  }
  // A package config (@tsconfig/node20): compiler options only matter, TS resolves those itself.
  return undefined;
}

/** TS include semantics: a last segment without wildcard or extension names a directory. */
function toGlob(base: string, pattern: string, isInclude: boolean): string[] {
  const abs = path.resolve(base, pattern).replace(/\\/g, '/');
  const last = abs.slice(abs.lastIndexOf('/') + 1);
  const isDirectory = !/[*?]/.test(last) && !last.includes('.');
  if (isInclude) return isDirectory ? [`${abs}/**/*`] : [abs];
  return [abs, `${abs}/**`];
}

export function parseTsconfig(configPath: string): TsconfigSpec {
  const problems: string[] = [];
  const dir = path.dirname(configPath);
  let raw: Record<string, unknown> = {};
  let spec: RawSpec = {};
  let unreadable = false;
  try {
    ({ raw, spec } = readRaw(configPath, new Set([configPath])));
  } catch (error) {
    unreadable = true;
    problems.push(`${configPath}: cannot be read (${(error as Error).message}); its files are analysed with inferred settings`);
  }
  const host: TS.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: fileExistsRecorded,
    readFile: (p) => {
      try {
        return readRecorded(p);
      } catch {
        return undefined;
      }
    },
  };
  const parsed = ts.parseJsonConfigFileContent(raw, host, dir, undefined, configPath);
  for (const error of parsed.errors) {
    // "No inputs were found" is an artefact of not reading directories.
    if (error.code === 18003) continue;
    problems.push(`${configPath}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`);
  }
  const options = parsed.options;
  const extensions = options.allowJs ? [...TS_EXTENSIONS, ...JS_EXTENSIONS] : TS_EXTENSIONS;
  const explicitFiles = new Set((spec.files ?? []).map((f) => path.resolve(spec.filesBase ?? dir, f)));
  // No files and no include means everything below the config; `files` alone means only those.
  const includePatterns = spec.include
    ? spec.include.flatMap((p) => toGlob(spec.includeBase ?? dir, p, true))
    : spec.files
      ? []
      : [`${dir.replace(/\\/g, '/')}/**/*`];
  const excludeSource = spec.exclude ?? [...DEFAULT_EXCLUDES, ...(options.outDir ? [options.outDir] : [])];
  const excludePatterns = excludeSource.flatMap((p) => toGlob(spec.excludeBase ?? dir, p, false));
  const isIncluded = includePatterns.length ? picomatch(includePatterns, { dot: false }) : () => false;
  const isExcluded = excludePatterns.length ? picomatch(excludePatterns, { dot: true }) : () => false;
  const references = (parsed.projectReferences ?? []).map((r) => {
    const p = r.path;
    return p.endsWith('.json') ? p : path.join(p, 'tsconfig.json');
  });

  return {
    path: configPath,
    compilerOptions: options,
    references,
    problems,
    unreadable,
    includes(file: string): boolean {
      const abs = path.resolve(file);
      if (explicitFiles.has(abs)) return true;
      const lower = abs.toLowerCase();
      if (lower.endsWith('.d.ts') || !extensions.some((e) => lower.endsWith(e))) return false;
      const posix = abs.replace(/\\/g, '/');
      return isIncluded(posix) && !isExcluded(posix);
    },
    declarationFiles(): string[] {
      if (unreadable) return [];
      const include = spec.include
        ? spec.include.map((p) => path.resolve(spec.includeBase ?? dir, p))
        : spec.files ? [] : [path.join(dir, '**/*')];
      const exclude = excludeSource.map((p) => path.resolve(spec.excludeBase ?? dir, p));
      const declarations = new Set([...explicitFiles].filter((f) => /\.d\.[cm]?ts$/i.test(f)));
      if (include.length) {
        for (const file of ts.sys.readDirectory(dir, ['.d.ts', '.d.mts', '.d.cts'], exclude, include)) {
          declarations.add(path.resolve(file));
          if (declarations.size >= MAX_DECLARATION_FILES) break;
        }
      }
      return [...declarations];
    },
  };
}

/** Finds and caches tsconfig specs; decides which one owns a file the way tsserver does. */
export class TsconfigIndex {
  private readonly specs = new Map<string, TsconfigSpec>();

  constructor(private readonly stopAt: string) {}

  invalidate(): void {
    this.specs.clear();
  }

  get(configPath: string): TsconfigSpec {
    let spec = this.specs.get(configPath);
    if (!spec) {
      spec = parseTsconfig(configPath);
      this.specs.set(configPath, spec);
    }
    return spec;
  }

  /**
   * The tsconfig tsserver would give the file: the nearest tsconfig.json that includes it (directly or through its
   * references), walking up past tsconfig.json files that do not. Unreferenced siblings (tsconfig.base.json,
   * tsconfig.test.json) only when no tsconfig.json up to the workspace root owns the file: tsserver would use an
   * inferred project there, and a sibling that includes the file types it better than defaults do.
   */
  ownerOf(file: string): TsconfigSpec | undefined {
    return this.walkUp(file, (dir) => this.search(path.join(dir, 'tsconfig.json'), file, new Set()))
      ?? this.walkUp(file, (dir) => this.siblingOwner(dir, file));
  }

  private walkUp(file: string, ownerIn: (dir: string) => TsconfigSpec | undefined): TsconfigSpec | undefined {
    const root = path.resolve(this.stopAt);
    let dir = path.dirname(path.resolve(file));
    const within = (d: string) => d === root || d.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
    // Files outside the workspace folder belong to no tsconfig of this workspace.
    if (!within(dir)) return undefined;
    for (;;) {
      if (path.basename(dir) !== 'node_modules') {
        const owner = ownerIn(dir);
        if (owner) return owner;
      }
      const parent = path.dirname(dir);
      if (dir === root || parent === dir || !within(parent)) return undefined;
      dir = parent;
    }
  }

  /**
   * The nearest readable tsconfig.json above the file, whether or not it includes it: its compiler options
   * (jsx, types, paths) suit a test file the config excludes better than generic defaults.
   */
  nearest(file: string): TsconfigSpec | undefined {
    const root = path.resolve(this.stopAt);
    const within = (d: string) => d === root || d.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
    for (let dir = path.dirname(path.resolve(file)); within(dir); dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'tsconfig.json');
      if (fileExistsRecorded(candidate)) {
        const spec = this.get(candidate);
        return spec.unreadable ? undefined : spec;
      }
      if (dir === root || path.dirname(dir) === dir) break;
    }
    return undefined;
  }

  private siblingOwner(dir: string, file: string): TsconfigSpec | undefined {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      probeList(dir, undefined);
      return undefined;
    }
    probeList(dir, names);
    names = names.filter((n) => /^tsconfig\..+\.json$/.test(n));
    names.sort((a, b) => a.localeCompare(b));
    for (const name of names) {
      const found = this.search(path.join(dir, name), file, new Set());
      if (found) return found;
    }
    return undefined;
  }

  private search(configPath: string, file: string, visited: Set<string>): TsconfigSpec | undefined {
    if (visited.has(configPath) || !fileExistsRecorded(configPath)) return undefined;
    visited.add(configPath);
    const spec = this.get(configPath);
    if (spec.includes(file)) return spec;
    for (const ref of spec.references) {
      const found = this.search(ref, file, visited);
      if (found) return found;
    }
    return undefined;
  }
}
