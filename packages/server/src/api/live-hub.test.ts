import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveHub } from "./live-hub.js";

describe("LiveHub", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const listener = () => {
    const values: unknown[] = [];
    let closed = 0;
    return {
      values,
      closedCount: () => closed,
      value: (value: unknown) => values.push(value),
      closed: () => {
        closed++;
      },
    };
  };

  it("polls one key once per interval however many listen, and sends only changes", async () => {
    const hub = new LiveHub({ intervalMs: 100 });
    let total = 0;
    const poll = vi.fn(() => Promise.resolve({ total }));
    const a = listener();
    const b = listener();
    const stopA = hub.watch("track", poll, a);
    await vi.advanceTimersByTimeAsync(0);
    const stopB = hub.watch("track", poll, b);
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.watcherCount).toBe(1);
    expect(a.values).toEqual([{ total: 0 }]);
    expect(b.values).toEqual([{ total: 0 }]);
    await vi.advanceTimersByTimeAsync(300);
    expect(poll).toHaveBeenCalledTimes(4);
    expect(a.values).toHaveLength(1);
    total = 5;
    await vi.advanceTimersByTimeAsync(100);
    expect(a.values).toEqual([{ total: 0 }, { total: 5 }]);
    expect(b.values).toEqual([{ total: 0 }, { total: 5 }]);
    stopA();
    stopA();
    expect(hub.watcherCount).toBe(1);
    stopB();
    expect(hub.watcherCount).toBe(0);
    const calls = poll.mock.calls.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(poll).toHaveBeenCalledTimes(calls);
  });

  it("keeps polling after a failed poll and reports it", async () => {
    const errors: string[] = [];
    const hub = new LiveHub({ intervalMs: 100, onError: (key) => errors.push(key) });
    let calls = 0;
    const a = listener();
    hub.watch(
      "logs",
      () => (++calls === 1 ? Promise.reject(new Error("down")) : Promise.resolve(calls)),
      a,
    );
    await vi.advanceTimersByTimeAsync(150);
    expect(errors).toEqual(["logs"]);
    expect(a.values).toEqual([2]);
  });

  it("tells every listener when it closes, and a later watch at once", async () => {
    const hub = new LiveHub({ intervalMs: 100 });
    const a = listener();
    hub.watch("x", () => Promise.resolve(1), a);
    hub.close();
    expect(a.closedCount()).toBe(1);
    expect(hub.watcherCount).toBe(0);
    const late = listener();
    hub.watch("x", () => Promise.resolve(1), late);
    await vi.advanceTimersByTimeAsync(0);
    expect(late.closedCount()).toBe(1);
  });
});
