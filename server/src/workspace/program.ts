import * as path from 'node:path';
import { getLibFiles, libFolder, ts, type TS } from '../engine/typescript.js';
import { asiRepairNote, repairAsiBoundaries } from '../engine/asiRepair.js';
import { blankRegions, deepRegions, nestingNote } from '../engine/nesting.js';
import type { OverlayFileSystemHost } from './fsHost.js';

/** TypeScript's lib files, bundled with ts-morph: served from memory, parsed once per target for every program. */
let libTexts: Map<string, string> | undefined;
/** Made on first use: importing this module must not load the compiler (engine/typescript.ts). */
function libText(fileName: string): string | undefined {
  libTexts ??= new Map(getLibFiles().map((f) => [`${libFolder()}/${f.fileName}`, f.text]));
  return libTexts.get(fileName);
}
const LIB_SOURCE_FILES = new Map<string, TS.SourceFile>();

/**
 * Parsed and bound files shared between programs (the projects of one workspace, or of several), as tsserver's
 * document registry shares them: one parse per file text and parse-affecting options instead of one per project. A
 * library tested under several tsconfigs (kysely: 9 projects over the same sources and declarations) otherwise holds
 * and parses each file once per project. Parsing and binding are deterministic for equal text and options, so results
 * do not change (the fuzzer compares with a spawned CLI). Entries are weak: a file no program holds any more is
 * collected, so edited buffers and removed files do not accumulate.
 */
const sharedFiles = new Map<string, WeakRef<TS.SourceFile>>();
const sharedFilesCleanup = new FinalizationRegistry<string>((key) => {
  if (sharedFiles.get(key)?.deref() === undefined) sharedFiles.delete(key);
});

/**
 * Opt-in (the fuzzer, which builds and drops thousands of programs over one node_modules): also keep parsed
 * declaration files under node_modules alive between programs, not only while a program holds them.
 */
let retainedDeclarations: Map<string, TS.SourceFile> | undefined;

export function shareNodeModulesDeclarations(enabled: boolean): void {
  retainedDeclarations = enabled ? (retainedDeclarations ?? new Map()) : undefined;
}

/** The options that change what parsing and binding produce: TypeScript's own list, which tsserver keys its registry on. */
function parseAffectingKey(options: TS.CompilerOptions): string {
  const declared = (ts as unknown as { sourceFileAffectingCompilerOptions?: ReadonlyArray<{ name: string }> }).sourceFileAffectingCompilerOptions;
  if (!declared) return stableKey(options);
  return stableKey(Object.fromEntries(declared.map((o) => [o.name, options[o.name]])));
}

function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b))) : typeof v === 'function' ? undefined : v,
  );
}

function isLib(fileName: string): boolean {
  return libText(fileName) !== undefined;
}

function languageVersionOf(v: TS.ScriptTarget | TS.CreateSourceFileOptions): TS.ScriptTarget {
  return typeof v === 'object' ? v.languageVersion : v;
}

/**
 * One program over a set of root files, rebuilt from scratch semantics on every change: its files are exactly the roots
 * plus what they resolve to (imports, type references, `types`) in the current buffers and disk. ts-morph's Project is
 * not used for this because it keeps every file it ever loaded as a root of later programs (a module a buffer stopped
 * importing would keep its type augmentations). Unchanged source files are reused between programs; the previous
 * program, its checker and files no longer in the program are released as soon as the next one is built.
 */
export class ProgramHost {
  readonly roots = new Set<string>();
  private readonly cache = new Map<string, TS.SourceFile>();
  private readonly nestingNotes = new Map<string, string[]>();
  /** The file's own text, for source files parsed from a repaired or blanked copy of it. */
  private readonly originalTexts = new WeakMap<TS.SourceFile, string>();
  private program: TS.Program | undefined;
  /** The program releaseChecker built, while nobody has asked for it (so it has no checker to release). */
  private checkerFree: TS.Program | undefined;
  /** The roots or a file's text changed since the program was built. */
  private stale = true;
  /** A file appeared or disappeared: module resolutions of the last program must not be reused. */
  private resolutionsChanged = false;
  private readonly host: TS.CompilerHost;
  private optionsKey: string | undefined;
  /**
   * Module resolutions and package.json lookups, kept across programs: without it every program (one per edit) asks
   * the file system again, for each of its files, which package.json scopes it (its module format) — a fifth of an
   * edit's time on a 150-file workspace. Cleared whenever an answer may have changed: a file appeared or disappeared,
   * or a package.json changed.
   */
  private resolutionCache: TS.ModuleResolutionCache | undefined;

  constructor(
    readonly options: TS.CompilerOptions,
    private readonly fsHost: OverlayFileSystemHost,
    /** Files every program includes (declarations a tsconfig includes), whether or not a root imports them. */
    private readonly extraRoots: readonly string[] = [],
  ) {
    this.host = this.createHost();
  }

  addRoot(file: string): void {
    const abs = path.resolve(file);
    if (this.roots.has(abs)) return;
    this.roots.add(abs);
    this.stale = true;
  }

  removeRoot(file: string): void {
    if (this.roots.delete(path.resolve(file))) this.stale = true;
  }

  /** Whether the file is in the current program (or the cache of the last one). */
  has(file: string): boolean {
    return this.cache.has(path.resolve(file));
  }

  /**
   * The file's text is now `text` (undefined: it does not exist). An unchanged text keeps the program; a file that
   * appeared or disappeared also drops the last program's module resolutions (an import may resolve elsewhere now).
   */
  fileChanged(file: string, text: string | undefined, existenceChanged: boolean): void {
    const abs = path.resolve(file);
    const cached = this.cache.get(abs);
    if (cached && text !== undefined && (this.originalTexts.get(cached) ?? cached.text) === text && !existenceChanged) return;
    if (cached) {
      this.cache.delete(abs);
      this.stale = true;
    }
    // A package.json decides module formats, `exports` and `types` for the files below it.
    if (existenceChanged || text === undefined || path.basename(abs) === 'package.json') {
      this.stale = true;
      this.resolutionsChanged = true;
    }
  }

  getProgram(): TS.Program {
    // Handed out: its checker may be made now.
    this.checkerFree = undefined;
    return this.program && !this.stale ? this.program : this.build();
  }

  private build(): TS.Program {
    const oldProgram = this.resolutionsChanged ? undefined : this.program;
    if (this.resolutionsChanged) this.resolutionCache = undefined;
    this.program = undefined;
    const program = ts.createProgram({ rootNames: [...this.extraRoots, ...this.roots], options: this.options, host: this.host, oldProgram });
    this.program = program;
    this.stale = false;
    this.resolutionsChanged = false;
    // Files the new program does not contain are released with the old program.
    const live = new Set(program.getSourceFiles().map((f) => path.resolve(f.fileName)));
    for (const key of this.cache.keys()) if (!live.has(key)) this.cache.delete(key);
    for (const key of this.nestingNotes.keys()) if (!live.has(key)) this.nestingNotes.delete(key);
    return program;
  }

  /**
   * Drops the program's checker (every type it resolved: most of a project's memory once its files are analysed),
   * keeping the parsed and bound files: only the checker is made again.
   */
  releaseChecker(): void {
    // Replaced by a program over the same files, built from the old one's structure (a program without an old one
    // to reuse resolves every import again: about a second on a 600-file project), whose checker is made on demand.
    if (!this.program || this.program === this.checkerFree) return;
    this.stale = true;
    try {
      this.checkerFree = this.build();
    } catch {
      // Whatever failed fails again, and is reported, when the program is next asked for.
      this.program = undefined;
    }
  }

  /** Notes about regions of the file left out because they nest too deep. */
  notesFor(file: string): string[] {
    return this.nestingNotes.get(path.resolve(file)) ?? [];
  }

  dispose(): void {
    this.nestingNotes.clear();
    this.program = undefined;
    this.checkerFree = undefined;
    this.cache.clear();
    this.roots.clear();
  }

  private readText(fileName: string): string | undefined {
    const lib = libText(fileName);
    if (lib !== undefined) return lib;
    try {
      return this.fsHost.readFileSync(fileName);
    } catch {
      return undefined;
    }
  }

  private moduleResolutionCache(host: TS.CompilerHost): TS.ModuleResolutionCache {
    this.resolutionCache ??= ts.createModuleResolutionCache(host.getCurrentDirectory(), (f) => host.getCanonicalFileName(f), this.options);
    return this.resolutionCache;
  }

  private createHost(): TS.CompilerHost {
    const caseSensitive = this.fsHost.isCaseSensitive();
    const host: TS.CompilerHost = {
      // What the program does by default (resolveModuleName per literal, in the mode of its usage), with our cache.
      resolveModuleNameLiterals: (literals, containingFile, redirectedReference, options, containingSourceFile) => {
        const cache = this.moduleResolutionCache(host);
        return literals.map((literal) =>
          ts.resolveModuleName(literal.text, containingFile, options, host, cache, redirectedReference, ts.getModeForUsageLocation(containingSourceFile, literal, options)),
        );
      },
      getModuleResolutionCache: () => this.moduleResolutionCache(host),
      // JSDoc in TypeScript files never changes a type, and no rule reads it: parsed only in JavaScript, where it
      // declares types (tsc itself skips most of it). Declaration files are mostly JSDoc (lib.dom.d.ts).
      jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo,
      getSourceFile: (fileName, languageVersionOrOptions) => {
        if (isLib(fileName)) {
          const key = `${languageVersionOf(languageVersionOrOptions)}:${fileName}`;
          let lib = LIB_SOURCE_FILES.get(key);
          if (!lib) {
            lib = ts.createSourceFile(fileName, libText(fileName)!, languageVersionOrOptions);
            LIB_SOURCE_FILES.set(key, lib);
          }
          return lib;
        }
        const abs = path.resolve(fileName);
        const cached = this.cache.get(abs);
        if (cached) return cached;
        const original = this.readText(fileName);
        if (original === undefined) return undefined;
        let text = original;
        this.optionsKey ??= parseAffectingKey(this.options);
        const sharedKey = `${this.optionsKey}\0${stableKey(languageVersionOrOptions)}\0${abs}`;
        const shared = sharedFiles.get(sharedKey)?.deref() ?? retainedDeclarations?.get(sharedKey);
        if (shared && shared.text === text) {
          this.cache.set(abs, shared);
          this.nestingNotes.delete(abs);
          return shared;
        }
        // Regions nested too deep for TypeScript's recursive parser are blanked; the rest of the file is analysed.
        const declarationFile = /\.d\.[cm]?ts$/i.test(fileName);
        const deep = declarationFile ? [] : deepRegions(text);
        const notes = deep.map(nestingNote);
        if (deep.length) text = blankRegions(text, deep);
        let sourceFile = ts.createSourceFile(fileName, text, languageVersionOrOptions);
        // JavaScript Node accepts but TypeScript's parser rejects (`=> ({ ... })` then a `{ block }` on a later line):
        // analysed with the semicolon Node infers, same length and lines. Only files the parser rejected pay for it.
        const repaired = declarationFile ? undefined : repairAsiBoundaries(sourceFile, languageVersionOrOptions);
        if (repaired) {
          sourceFile = repaired.sourceFile;
          notes.push(asiRepairNote(repaired.repair));
        }
        if (notes.length) this.nestingNotes.set(abs, notes);
        else this.nestingNotes.delete(abs);
        if (sourceFile.text !== original) this.originalTexts.set(sourceFile, original);
        this.cache.set(abs, sourceFile);
        // Only a parse of the file's own text is shared: a repaired or blanked one carries notes of this host.
        if (sourceFile.text === original) {
          sharedFiles.set(sharedKey, new WeakRef(sourceFile));
          sharedFilesCleanup.register(sourceFile, sharedKey);
          if (retainedDeclarations && declarationFile && abs.includes(`${path.sep}node_modules${path.sep}`)) retainedDeclarations.set(sharedKey, sourceFile);
        }
        return sourceFile;
      },
      getDefaultLibFileName: (options) => `${libFolder()}/${ts.getDefaultLibFileName(options)}`,
      getDefaultLibLocation: () => libFolder(),
      writeFile: () => {
        // flakelens never emits
      },
      getCurrentDirectory: () => this.fsHost.getCurrentDirectory(),
      getCanonicalFileName: (fileName) => (caseSensitive ? fileName : fileName.toLowerCase()),
      useCaseSensitiveFileNames: () => caseSensitive,
      getNewLine: () => '\n',
      fileExists: (fileName) => isLib(fileName) || this.fsHost.fileExistsSync(fileName),
      readFile: (fileName) => this.readText(fileName),
      directoryExists: (dir) => dir === libFolder() || this.fsHost.directoryExistsSync(dir),
      getDirectories: (dir) => {
        try {
          return this.fsHost.readDirSync(dir).filter((e) => e.isDirectory).map((e) => e.name);
        } catch {
          return [];
        }
      },
      realpath: (p) => (isLib(p) ? p : this.fsHost.realpathSync(p)),
    };
    return host;
  }
}
