import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Rule } from '../engine/types.js';
import type { ConfigProblem } from '../config/resolve.js';
import { Workspace, type ConfigLayer } from './workspace.js';

/** Where a workspace came from: a folder the editor opened, or inferred for a file outside every folder. */
export type WorkspaceOrigin = 'folder' | 'inferred';

export interface WorkspaceEntry {
  workspace: Workspace;
  origin: WorkspaceOrigin;
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The nearest directory (from the file's own) holding a package.json or tsconfig.json; else the file's directory. */
export function inferredRootFor(file: string): string {
  const start = path.dirname(path.resolve(file));
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, 'tsconfig.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/**
 * Multi-root: one Workspace per editor folder, picked by the longest root containing a file.
 * Files outside every folder get an inferred workspace, created on first use.
 */
export class Workspaces {
  private readonly entries = new Map<string, WorkspaceEntry>();

  /**
   * @param layersFor settings layers (above the config file) for a workspace root, asked when one is created.
   * @param onCreated called after a workspace is created.
   */
  constructor(
    private readonly rules: readonly Rule[],
    private readonly layersFor: (root: string) => ConfigLayer[] = () => [],
    /** Told about every workspace created (e.g. to report its config problems). */
    private readonly onCreated: (workspace: Workspace, origin: WorkspaceOrigin) => void = () => {},
  ) {}

  /** Sets the editor's folders: new ones are created, removed ones disposed (inferred workspaces are kept). */
  setFolders(roots: string[]): void {
    const wanted = new Set(roots.map((r) => path.resolve(r)));
    for (const [root, entry] of this.entries) {
      if (entry.origin === 'folder' && !wanted.has(root)) {
        entry.workspace.dispose();
        this.entries.delete(root);
      }
    }
    for (const root of wanted) {
      const existing = this.entries.get(root);
      if (existing) existing.origin = 'folder';
      else this.create(root, 'folder');
    }
  }

  addFolder(root: string): Workspace {
    const abs = path.resolve(root);
    const existing = this.entries.get(abs);
    if (existing) {
      existing.origin = 'folder';
      return existing.workspace;
    }
    return this.create(abs, 'folder').workspace;
  }

  removeFolder(root: string): void {
    const abs = path.resolve(root);
    const entry = this.entries.get(abs);
    if (entry?.origin !== 'folder') return;
    entry.workspace.dispose();
    this.entries.delete(abs);
  }

  /** The folder workspace with the longest root containing the file, if any. */
  folderFor(file: string): Workspace | undefined {
    const abs = path.resolve(file);
    let best: WorkspaceEntry | undefined;
    let bestRoot = '';
    for (const [root, entry] of this.entries) {
      if (entry.origin !== 'folder' || !isInside(root, abs)) continue;
      if (root.length > bestRoot.length) {
        best = entry;
        bestRoot = root;
      }
    }
    return best?.workspace;
  }

  /** The workspace that owns a file, creating an inferred one for files outside every folder. */
  forFile(file: string): Workspace {
    const abs = path.resolve(file);
    const folder = this.folderFor(abs);
    if (folder) return folder;
    const root = inferredRootFor(abs);
    return (this.entries.get(root) ?? this.create(root, 'inferred')).workspace;
  }

  /** Every workspace whose root contains the path (nested folders may share files). */
  containing(file: string): Workspace[] {
    const abs = path.resolve(file);
    return [...this.entries].filter(([root]) => isInside(root, abs)).map(([, e]) => e.workspace);
  }

  folders(): Workspace[] {
    return [...this.entries.values()].filter((e) => e.origin === 'folder').map((e) => e.workspace);
  }

  all(): Workspace[] {
    return [...this.entries.values()].map((e) => e.workspace);
  }

  /** Re-applies settings layers to one workspace; returns its problems (config file and layers). */
  applyLayers(workspace: Workspace, layers: ConfigLayer[]): ConfigProblem[] {
    workspace.setLayers(layers);
    return workspace.problems;
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.workspace.dispose();
    this.entries.clear();
  }

  private create(root: string, origin: WorkspaceOrigin): WorkspaceEntry {
    const entry: WorkspaceEntry = { workspace: new Workspace({ root, rules: this.rules, layers: this.layersFor(root), keepAllCheckers: true }), origin };
    this.entries.set(root, entry);
    this.onCreated(entry.workspace, origin);
    return entry;
  }
}
