import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts, type TS } from './typescript.js';

/**
 * The package a declaration belongs to: from its node_modules path; else the ambient module it is declared in
 * (`declare module 'fastify' { ... }`); else the nearest package.json of its file (see packageOfFile).
 */
export function packageOfDeclaration(declaration: TS.Node): string | undefined {
  const fileName = declaration.getSourceFile().fileName;
  return packageInNodeModules(fileName) ?? ambientModuleOf(declaration) ?? packageOfFile(fileName);
}

function ambientModuleOf(node: TS.Node): string | undefined {
  for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) return current.name.text;
  }
  return undefined;
}

function packageInNodeModules(fileName: string): string | undefined {
  return /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(fileName.replace(/\\/g, '/'))?.[1];
}

/**
 * The npm package a declaration file belongs to: `@scope/name` or `name` from its node_modules path; for a file
 * outside node_modules (a library's own test suite importing `..`, a workspace package), the `name` of the
 * nearest package.json above it, read as JSON (never executed). fastify's own tests call `fastify.register()`
 * declared in the repository's types/instance.d.ts: the package is still fastify.
 */
export function packageOfFile(fileName: string): string | undefined {
  const normalized = fileName.replace(/\\/g, '/');
  const inNodeModules = packageInNodeModules(fileName);
  if (inNodeModules) return inNodeModules;
  // TypeScript's bundled lib files (served from memory) belong to no package.
  if (!path.isAbsolute(fileName) || /\/lib\.[\w.]*\.d\.ts$/.test(normalized)) return undefined;
  return nearestPackageName(path.dirname(fileName), 0);
}

/** Directory -> package name (null: none found above it). Package manifests rarely change during a session. */
const names = new Map<string, string | null>();

function nearestPackageName(dir: string, depth: number): string | undefined {
  const cached = names.get(dir);
  if (cached !== undefined) return cached ?? undefined;
  let name: string | null = null;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    if (typeof manifest.name === 'string' && manifest.name) name = manifest.name;
  } catch {
    // No (readable) package.json here: look further up.
  }
  const parent = path.dirname(dir);
  if (name === null && parent !== dir && depth < 32) name = nearestPackageName(parent, depth + 1) ?? null;
  names.set(dir, name);
  return name ?? undefined;
}
