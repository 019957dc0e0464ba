import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fullGc, IdleCollector } from '../../server/src/lsp/memory.js';

describe('IdleCollector', () => {
  // The heap in use (MB) as the collector reads it.
  let heap = 300;
  const heapUsed = () => heap;
  // The heap V8 holds (MB), used or not.
  let committed = 400;
  const heapCommitted = () => committed;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once the scheduler stays idle after work, not while it is busy, and not again without growth', () => {
    let idle = true;
    const gc = vi.fn(() => {
      heap = 310;
    });
    const collector = new IdleCollector(gc, () => idle, { idleMs: 1000, heapUsed, heapCommitted });
    collector.idle(); // nothing ran yet
    vi.advanceTimersByTime(5000);
    expect(gc).not.toHaveBeenCalled();

    collector.busy();
    heap = 900;
    collector.idle();
    idle = false; // an edit arrived before the pause was over
    vi.advanceTimersByTime(1000);
    expect(gc).not.toHaveBeenCalled();

    idle = true;
    collector.idle();
    vi.advanceTimersByTime(999);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(1);

    // More work without much growth: no second collection.
    collector.busy();
    heap = 340;
    collector.idle();
    vi.advanceTimersByTime(5000);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('collects as soon as the queue drains when the heap doubled since the last collection (long typing)', () => {
    const gc = vi.fn(() => {
      heap = 320;
    });
    const collector = new IdleCollector(gc, () => false, { idleMs: 1000, heapUsed, heapCommitted });
    collector.busy();
    heap = 400;
    // The first collection waits for a pause; a debounce timer keeps the scheduler from being idle.
    collector.idle();
    vi.advanceTimersByTime(5000);
    expect(gc).not.toHaveBeenCalled();
    const idleCollector = new IdleCollector(gc, () => true, { idleMs: 1000, heapUsed, heapCommitted });
    idleCollector.busy();
    idleCollector.idle();
    vi.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(1); // baseline 320 MB now
    idleCollector.busy();
    heap = 700;
    idleCollector.idle(); // drained, over 2 x 320: right away
    expect(gc).toHaveBeenCalledTimes(2);
    collector.dispose();
    idleCollector.dispose();
  });

  it('collects after a pause when V8 kept the pages of freed programs, though the heap in use is back near the live size', () => {
    // bench/memory.mjs: V8's own collections during typing free the old programs but keep their pages, so the heap in
    // use alone never showed growth at a pause and RSS stayed at 1.4-1.8x the after-startup size.
    heap = 300;
    committed = 400;
    const gc = vi.fn(() => {
      heap = 300;
      committed = 400;
    });
    const collector = new IdleCollector(gc, () => true, { idleMs: 1000, heapUsed, heapCommitted });
    collector.busy();
    collector.idle();
    vi.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(1); // the baseline: 300 in use, 400 held
    collector.busy();
    heap = 310;
    committed = 470; // under 1.2 x 400: nothing to return yet
    collector.idle();
    vi.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(1);
    collector.busy();
    heap = 320; // in use: still under 1.2 x 300
    committed = 620;
    collector.idle();
    vi.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(2);
    collector.dispose();
  });

  it('a full collection is two collections: the second compacts the pages the first left nearly empty', () => {
    vi.useRealTimers();
    const g = globalThis as { gc?: () => void };
    const before = g.gc;
    const exposed = vi.fn();
    g.gc = exposed;
    try {
      fullGc()!();
      expect(exposed).toHaveBeenCalledTimes(2);
    } finally {
      g.gc = before;
    }
  });

  it('can have a full collection without --expose-gc', () => {
    vi.useRealTimers();
    expect(typeof fullGc()).toBe('function');
  });
});
