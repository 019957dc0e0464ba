import type * as TsMorphCommon from '@ts-morph/common';
import { requireWithCodeCache } from './codeCache.js';

/**
 * TypeScript as ts-morph bundles it (@ts-morph/common), loaded through require rather than import: Node's ESM loader
 * lexes every CommonJS file it imports for its export names and detects its module format, which for ts-morph's
 * 12 MB of bundled compiler costs about 150 ms in every process (check, explain, the language server's engine).
 * Its compiled code is cached between processes (codeCache.ts). Values are `ts.X`; in type positions the same names
 * are `TS.X`.
 */
const common = requireWithCodeCache('@ts-morph/common', import.meta.url) as typeof TsMorphCommon;

export const ts: typeof TsMorphCommon.ts = common.ts;
export type { ts as TS } from '@ts-morph/common';
export const { getLibFiles, libFolderInMemoryPath } = common;
