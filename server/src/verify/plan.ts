import type { Mode } from './types.js';

/** mulberry32: a small seeded PRNG, so a recorded seed always gives the same file order. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates with the seeded PRNG: the order flakelens runs files in for runners without native shuffle. */
export function permute<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface PlannedRun {
  mode: Mode;
  stress: boolean;
  seed?: number;
}

/**
 * runs x modes, mode by mode (so a reader of the live progress sees one mode finish before the next), each
 * shuffle run with its own seed (base seed + k); with --stress, as many serial runs again under load.
 */
export function planRuns(options: { runs: number; modes: readonly Mode[]; stress: boolean; seed: number }): PlannedRun[] {
  const plan: PlannedRun[] = [];
  for (const mode of options.modes) {
    for (let k = 0; k < options.runs; k++) plan.push(mode === 'shuffle' ? { mode, stress: false, seed: (options.seed + k) >>> 0 } : { mode, stress: false });
  }
  if (options.stress) for (let k = 0; k < options.runs; k++) plan.push({ mode: 'serial', stress: true });
  return plan;
}

/** Round-robin over the sorted files: shard i of n (1-based) takes files i-1, i-1+n, ... */
export function shardFiles(files: readonly string[], index: number, count: number): string[] {
  return files
    .slice()
    .sort()
    .filter((_, i) => i % count === index - 1);
}

export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) return undefined;
  return { index, count };
}
