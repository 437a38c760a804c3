import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../core/errors.js";
import { manualSleeper, recordingSleeper, settle } from "../../test/remote-doubles.js";
import { Outbox } from "./outbox.js";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.js";
import type { Sleeper } from "./sleeper.js";

/** A destination that fails while `isDown` and keeps what it received. */
function destination() {
  const received: number[] = [];
  const state = { isDown: false, refuse: undefined as Error | undefined, attempts: 0 };
  const send = (item: number): Promise<void> => {
    state.attempts++;
    if (state.refuse !== undefined) return Promise.reject(state.refuse);
    if (state.isDown) return Promise.reject(new UnavailableError("down"));
    received.push(item);
    return Promise.resolve();
  };
  return { received, state, send };
}

function outbox(send: (item: number) => Promise<void>, sleeper: Sleeper, maxAttempts = 4) {
  return new Outbox<number>({
    send,
    sizeOf: () => 10,
    name: 'track "t"',
    unit: "points",
    destination: "http://server",
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts },
    sleeper,
    random: () => 0.5,
  });
}

describe("background sending", () => {
  it("sends what is pushed, in order, without being asked", async () => {
    const server = destination();
    const box = outbox(server.send, manualSleeper());
    box.push(1);
    box.push(2);
    await settle();
    expect(server.received).toEqual([1, 2]);
    expect(box.pending).toBe(0);
  });

  it("keeps retrying with backoff while the server is down, then sends everything", async () => {
    const server = destination();
    const sleeper = manualSleeper();
    const box = outbox(server.send, sleeper);
    server.state.isDown = true;
    box.push(1);
    box.push(2);
    for (let i = 0; i < 20; i++) {
      await settle();
      sleeper.wake();
    }
    // Many more attempts than maxAttempts: the background never gives up.
    expect(server.state.attempts).toBeGreaterThan(10);
    expect(box.pending).toBe(20);
    expect(sleeper.waits.slice(0, 3)).toEqual([188, 375, 750]);
    expect(Math.max(...sleeper.waits)).toBe(7500);
    server.state.isDown = false;
    sleeper.wake();
    await settle();
    expect(server.received).toEqual([1, 2]);
  });

  it("waits without keeping the process alive", async () => {
    const server = destination();
    server.state.isDown = true;
    const keepAlive: (boolean | undefined)[] = [];
    const sleeper: Sleeper = {
      sleep(_ms, options = {}) {
        keepAlive.push(options.keepAlive);
        return new Promise(() => undefined);
      },
    };
    outbox(server.send, sleeper).push(1);
    await settle();
    expect(keepAlive).toEqual([false]);
  });

  it("stops at an item the server refuses (4xx) and keeps it", async () => {
    const server = destination();
    server.state.refuse = new InvalidArgumentError("bad point");
    const box = outbox(server.send, manualSleeper());
    box.push(1);
    box.push(2);
    await settle();
    expect(server.state.attempts).toBe(1);
    expect(box.pending).toBe(20);
  });
});

describe("drain", () => {
  it("resolves once everything pushed, also meanwhile, was sent", async () => {
    const server = destination();
    const box = outbox(server.send, recordingSleeper());
    box.push(1);
    const drained = box.drain();
    box.push(2);
    await drained;
    expect(server.received).toEqual([1, 2]);
  });

  it("gives up after maxAttempts with an error naming what was not sent, and keeps it", async () => {
    const server = destination();
    server.state.isDown = true;
    const sleeper = manualSleeper();
    const box = outbox(server.send, sleeper, 3);
    box.push(1);
    box.push(2);
    await settle();
    const drained = box.drain().catch((error: unknown) => error);
    for (let i = 0; i < 10; i++) {
      await settle();
      sleeper.wake();
    }
    const error = await drained;
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(
      '20 points of track "t" were not sent to http://server (3 attempts; they are kept and sent when it answers again): down',
    );
    expect(box.pending).toBe(20);
    server.state.isDown = false;
    await box.drain();
    expect(server.received).toEqual([1, 2]);
  });

  it("throws the server's refusal, and tries the refused item again on the next drain", async () => {
    const server = destination();
    server.state.refuse = new InvalidArgumentError("bad point");
    const box = outbox(server.send, recordingSleeper());
    box.push(1);
    await expect(box.drain()).rejects.toThrow(InvalidArgumentError);
    server.state.refuse = undefined;
    await box.drain();
    expect(server.received).toEqual([1]);
  });

  it("sends nothing more in the background once closed", async () => {
    const server = destination();
    server.state.isDown = true;
    const sleeper = manualSleeper();
    const box = outbox(server.send, sleeper);
    box.push(1);
    await settle();
    box.close();
    server.state.isDown = false;
    await settle();
    sleeper.wake();
    await settle();
    expect(server.received).toEqual([]);
    expect(box.pending).toBe(10);
  });
});
