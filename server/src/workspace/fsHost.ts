import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSystemHost, RuntimeDirEntry } from 'ts-morph';
import { existsRecorded, probeList, probeRead } from './probes.js';

/**
 * The file system seen by every ts-morph project: open editor buffers win over disk.
 * Read-only: flakelens never writes into the analysed workspace.
 */
export class OverlayFileSystemHost implements FileSystemHost {
  private readonly overlay = new Map<string, string>();

  /** `root` is the current directory the compiler sees, so @types and relative lookups start at the workspace. */
  constructor(private readonly root: string = process.cwd()) {}

  setOverlay(file: string, text: string): void {
    // A buffer can hold half of a surrogate pair (an edit splitting an emoji); saved, it becomes U+FFFD. Analysing
    // what the file would contain keeps the server equal to `check` on the saved text (same length, same offsets).
    this.overlay.set(path.resolve(file), (text as string & { isWellFormed(): boolean; toWellFormed(): string }).isWellFormed() ? text : (text as string & { toWellFormed(): string }).toWellFormed());
  }

  clearOverlay(file: string): void {
    this.overlay.delete(path.resolve(file));
  }

  hasOverlay(file: string): boolean {
    return this.overlay.has(path.resolve(file));
  }

  getOverlay(file: string): string | undefined {
    return this.overlay.get(path.resolve(file));
  }

  overlayFiles(): string[] {
    return [...this.overlay.keys()];
  }

  /** Names of buffers directly inside a directory (a config that exists only in an editor buffer, or a test's). */
  overlayNamesIn(dir: string): string[] {
    const abs = path.resolve(dir);
    const names: string[] = [];
    for (const file of this.overlay.keys()) if (path.dirname(file) === abs) names.push(path.basename(file));
    return names;
  }

  isCaseSensitive(): boolean {
    return process.platform !== 'win32' && process.platform !== 'darwin';
  }

  readDirSync(dirPath: string): RuntimeDirEntry[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dirPath, { withFileTypes: true });
    } catch (error) {
      probeList(dirPath, undefined);
      throw error;
    }
    probeList(dirPath, entries.map((e) => e.name));
    return entries.map((e) => {
      // pnpm links packages (node_modules/@types/jest -> .pnpm/...): follow links to see what they point at.
      const target = e.isSymbolicLink() ? statOrUndefined(path.join(dirPath, e.name)) : undefined;
      return {
        name: e.name,
        isFile: target ? target.isFile() : e.isFile(),
        isDirectory: target ? target.isDirectory() : e.isDirectory(),
        isSymlink: e.isSymbolicLink(),
      };
    });
  }

  readFileSync(filePath: string, encoding: BufferEncoding = 'utf-8'): string {
    const overlay = this.overlay.get(path.resolve(filePath));
    if (overlay !== undefined) return overlay;
    let text: string;
    try {
      text = fs.readFileSync(filePath, encoding);
    } catch (error) {
      probeRead(filePath, undefined);
      throw error;
    }
    probeRead(filePath, text);
    return text;
  }

  async readFile(filePath: string, encoding: BufferEncoding = 'utf-8'): Promise<string> {
    return this.overlay.get(path.resolve(filePath)) ?? fs.promises.readFile(filePath, encoding);
  }

  fileExistsSync(filePath: string): boolean {
    if (this.overlay.has(path.resolve(filePath))) return true;
    return existsRecorded(filePath, 'file');
  }

  async fileExists(filePath: string): Promise<boolean> {
    return this.fileExistsSync(filePath);
  }

  directoryExistsSync(dirPath: string): boolean {
    return existsRecorded(dirPath, 'dir');
  }

  async directoryExists(dirPath: string): Promise<boolean> {
    return this.directoryExistsSync(dirPath);
  }

  realpathSync(p: string): string {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  }

  getCurrentDirectory(): string {
    return this.root;
  }

  globSync(patterns: ReadonlyArray<string>): string[] {
    // Only used when ts-morph adds files from a tsconfig, which flakelens never asks for.
    void patterns;
    return [];
  }

  async glob(patterns: ReadonlyArray<string>): Promise<string[]> {
    return this.globSync(patterns);
  }

  private readOnly(): never {
    throw new Error('flakelens never writes to the analysed workspace');
  }

  async delete(): Promise<void> { this.readOnly(); }
  deleteSync(): void { this.readOnly(); }
  async writeFile(): Promise<void> { this.readOnly(); }
  writeFileSync(): void { this.readOnly(); }
  async mkdir(): Promise<void> { this.readOnly(); }
  mkdirSync(): void { this.readOnly(); }
  async move(): Promise<void> { this.readOnly(); }
  moveSync(): void { this.readOnly(); }
  async copy(): Promise<void> { this.readOnly(); }
  copySync(): void { this.readOnly(); }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
