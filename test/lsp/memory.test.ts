import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fullGc, IdleCollector } from '../../server/src/lsp/memory.js';

describe('IdleCollector', () => {
  // The heap in use (MB) as the collector reads it.
  let heap = 300;
  const heapUsed = () => heap;
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
    const collector = new IdleCollector(gc, () => idle, { idleMs: 1000, heapUsed });
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
    const collector = new IdleCollector(gc, () => false, { idleMs: 1000, heapUsed });
    collector.busy();
    heap = 400;
    // The first collection waits for a pause; a debounce timer keeps the scheduler from being idle.
    collector.idle();
    vi.advanceTimersByTime(5000);
    expect(gc).not.toHaveBeenCalled();
    const idleCollector = new IdleCollector(gc, () => true, { idleMs: 1000, heapUsed });
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

  it('can have a full collection without --expose-gc', () => {
    vi.useRealTimers();
    expect(typeof fullGc()).toBe('function');
  });
});
