import type * as TsMorphCommon from '@ts-morph/common';
import { requireWithCodeCache } from './codeCache.js';

type Common = typeof TsMorphCommon;
type TypeScript = Common['ts'];

let common: Common | undefined;

/**
 * TypeScript as ts-morph bundles it (@ts-morph/common), loaded through require rather than import: Node's ESM loader
 * lexes every CommonJS file it imports for its export names and detects its module format, which for ts-morph's
 * 12 MB of bundled compiler costs about 150 ms in every process (check, explain, the language server's engine).
 * Its compiled code is cached between processes (codeCache.ts).
 *
 * Loaded on first use, not on import: loading it costs about half a second, and a `check --cache` whose files are
 * all cache hits, or a language server answering `initialize`, needs none of it.
 */
function load(): Common {
  if (!common) {
    common = requireWithCodeCache('@ts-morph/common', import.meta.url) as Common;
    ts = common.ts;
  }
  return common;
}

/**
 * The compiler API. Values are `ts.X`; in type positions the same names are `TS.X`. Until first use this is a
 * stand-in that loads the compiler when touched and then replaces itself (an ES module export is a live binding, so
 * every importer sees the real namespace from then on and the hot paths never go through the stand-in).
 */
export let ts: TypeScript = new Proxy({} as TypeScript, {
  get: (_target, property) => Reflect.get(load().ts, property),
  has: (_target, property) => Reflect.has(load().ts, property),
  ownKeys: () => Reflect.ownKeys(load().ts),
  getOwnPropertyDescriptor: (_target, property) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load().ts, property);
    // A proxy may not report a property its (empty) target lacks as non-configurable.
    return descriptor && { ...descriptor, configurable: true };
  },
});
export type { ts as TS } from '@ts-morph/common';

/** TypeScript's lib files as ts-morph bundles them (name and text), served from memory. */
export function getLibFiles(): ReturnType<Common['getLibFiles']> {
  return load().getLibFiles();
}

/** The in-memory folder the lib files are served from. */
export function libFolder(): string {
  return load().libFolderInMemoryPath;
}
