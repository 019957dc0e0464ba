import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * A full garbage collection, when the process can have one: with --expose-gc, or by enabling it at run time (as
 * jest's leak detector does). Undefined when neither works.
 */
export function fullGc(): (() => void) | undefined {
  const gc = exposedGc();
  // Twice: V8 picks the pages to compact from the live sizes its previous marking saw, so the first collection frees
  // the old programs and the second moves the survivors off the pages they left nearly empty and returns those
  // (bench/memory.mjs: one collection left RSS at 1.44x after startup, two at about 1.05x in-process).
  return gc ? () => {
    gc();
    gc();
  } : undefined;
}

function exposedGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function heapUsed(): number {
  return v8.getHeapStatistics().used_heap_size;
}

function heapCommitted(): number {
  return v8.getHeapStatistics().total_heap_size;
}

export interface IdleCollectorOptions {
  /** Quiet time after the last analysis before collecting. */
  idleMs?: number;
  /** Collect only when the heap grew by this factor over what the last collection left. */
  growth?: number;
  /** Collect as soon as the queue drains, without waiting for a pause, when the heap grew by this factor (long typing). */
  ceiling?: number;
  /** Bytes of heap in use (tests replace it). */
  heapUsed?: () => number;
  /** Bytes of heap V8 holds from the system, used or not (tests replace it). */
  heapCommitted?: () => number;
}

/**
 * Returns the memory of replaced programs once editing pauses. Every analysis after an edit builds a new program and
 * checker and drops the old ones, but V8 collects old space lazily: over 5,000 edits RSS swung between 1.4x and 5x
 * its after-startup value (bench/memory.mjs). One full collection when the scheduler has been
 * idle for a moment brings RSS back near the live size; it never runs while analyses are queued, and during long typing
 * only when the heap doubled since the last one.
 */
export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;
  private worked = false;
  /**
   * Heap in use right after the last collection: the live size. (Not RSS: V8 returns freed pages to the system only
   * later, so RSS right after a collection still counts the garbage.)
   */
  private liveAfterLast: number | undefined;
  /**
   * Heap V8 held right after the last collection. V8's own collections during typing free the old programs but keep
   * the pages (fragmented, or reserved for growth): the heap in use is back near the live size while RSS stays high
   * (bench/memory.mjs: 1.4-1.8x after startup at every pause). A forced collection compacts and returns them.
   */
  private committedAfterLast: number | undefined;
  private readonly idleMs: number;
  private readonly growth: number;
  private readonly ceiling: number;
  private readonly heapUsed: () => number;
  private readonly heapCommitted: () => number;

  constructor(
    private readonly gc: (() => void) | undefined,
    private readonly isIdle: () => boolean,
    options: IdleCollectorOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 1000;
    this.growth = options.growth ?? 1.2;
    this.ceiling = options.ceiling ?? 2;
    this.heapUsed = options.heapUsed ?? heapUsed;
    this.heapCommitted = options.heapCommitted ?? heapCommitted;
  }

  /** An analysis ran. */
  busy(): void {
    this.worked = true;
  }

  /** The scheduler drained: collect after a quiet moment, unless work comes first. */
  idle(): void {
    if (!this.gc || !this.worked) return;
    if (this.timer) clearTimeout(this.timer);
    if (this.liveAfterLast !== undefined && this.heapUsed() > this.liveAfterLast * this.ceiling) {
      this.collect(true);
      return;
    }
    this.timer = setTimeout(() => this.collect(), this.idleMs);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** `now`: the queue just drained and RSS is over the ceiling (a pending debounce timer does not stop it). */
  private collect(now = false): void {
    this.timer = undefined;
    if (!this.gc || (!now && !this.isIdle())) return;
    if (!now && this.liveAfterLast !== undefined && !this.grown()) return;
    this.gc();
    this.worked = false;
    this.liveAfterLast = this.heapUsed();
    this.committedAfterLast = this.heapCommitted();
  }

  /** The heap in use, or the heap V8 holds, grew by `growth` since the last collection. */
  private grown(): boolean {
    if (this.heapUsed() >= this.liveAfterLast! * this.growth) return true;
    return this.committedAfterLast !== undefined && this.heapCommitted() >= this.committedAfterLast * this.growth;
  }
}
