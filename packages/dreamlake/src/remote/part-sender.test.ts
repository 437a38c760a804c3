import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LimitExceededError, UnavailableError } from "../core/errors.js";
import { PartSender, type RequestLimits } from "./part-sender.js";

const bodyOf = (items: readonly string[]): string => `{"p":[${items.join(",")}]}`;
const itemsOf = (body: string): string[] =>
  (JSON.parse(body) as { p: unknown[] }).p.map((item) => JSON.stringify(item));

type Fate = "ok" | "lost-before" | "lost-after";

/**
 * A server that honours idempotency keys: a repeated key gets the first answer and
 * stores nothing. `fates` decide what happens to each request: stored and answered, lost
 * before it arrives, or stored with its answer lost on the way back.
 */
function modelServer(fates: readonly Fate[] = [], maxItems = Infinity) {
  const stored: string[] = [];
  const answers = new Map<string, number>();
  const bodies: string[] = [];
  let request = 0;
  const send = (body: string, key: string): Promise<number> => {
    bodies.push(body);
    const fate = fates[request++] ?? "ok";
    if (fate === "lost-before") return Promise.reject(new UnavailableError("lost"));
    const known = answers.get(key);
    if (known !== undefined) return Promise.resolve(known);
    const items = itemsOf(body);
    if (items.length > maxItems) return Promise.reject(new LimitExceededError("too many"));
    const start = stored.length;
    stored.push(...items);
    answers.set(key, start);
    if (fate === "lost-after") return Promise.reject(new UnavailableError("answer lost"));
    return Promise.resolve(start);
  };
  return { stored, bodies, send };
}

function sender(
  send: (body: string, key: string) => Promise<number>,
  limits: RequestLimits = { maxItems: 1000, maxBytes: 1 << 20 },
) {
  let next = 0;
  return new PartSender<number>({ limits, newKey: () => `k${next++}`, bodyOf, send });
}

/** Calls `send` until it succeeds (as a track's flush is retried), at most `tries` times. */
async function sendUntilDone(parts: PartSender<number>, items: string[], tries = 100) {
  for (let i = 0; i < tries; i++) {
    try {
      return await parts.send(items);
    } catch (error: unknown) {
      if (!(error instanceof UnavailableError)) throw error;
    }
  }
  throw new Error("never succeeded");
}

const items = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ i }));

describe("splitting", () => {
  it("sends everything in one request when it fits", async () => {
    const server = modelServer();
    const acks = await sender(server.send).send(items(5));
    expect(server.bodies).toHaveLength(1);
    expect(acks).toEqual([0]);
  });

  it("splits by the items limit, in order", async () => {
    const server = modelServer();
    const acks = await sender(server.send, { maxItems: 2, maxBytes: 1 << 20 }).send(items(5));
    expect(server.bodies.map((body) => itemsOf(body).length)).toEqual([2, 2, 1]);
    expect(acks).toEqual([0, 2, 4]);
    expect(server.stored).toEqual(items(5));
  });

  it("splits by the body limit, counting UTF-8 bytes", async () => {
    const server = modelServer();
    const big = [JSON.stringify("é".repeat(100)), JSON.stringify("é".repeat(100))];
    // Each item is 202 bytes of UTF-8 but 102 characters.
    await sender(server.send, { maxItems: 1000, maxBytes: 300 }).send(big);
    expect(server.bodies).toHaveLength(2);
    for (const body of server.bodies) {
      expect(new TextEncoder().encode(body).byteLength).toBeLessThanOrEqual(300);
    }
  });

  it("sends an item larger than the body limit alone (the server decides)", async () => {
    const server = modelServer();
    await sender(server.send, { maxItems: 1000, maxBytes: 10 }).send(items(3));
    expect(server.bodies).toHaveLength(3);
  });
});

describe("retries", () => {
  it("skips the parts acknowledged before a failure", async () => {
    const server = modelServer(["ok", "lost-before"]);
    const parts = sender(server.send, { maxItems: 2, maxBytes: 1 << 20 });
    await expect(parts.send(items(4))).rejects.toThrow(UnavailableError);
    expect(parts.acknowledgedItems).toBe(2);
    const acks = await parts.send(items(4));
    expect(acks).toEqual([0, 2]);
    expect(server.bodies).toHaveLength(3);
    expect(itemsOf(server.bodies[2]!)).toEqual(items(4).slice(2));
  });

  it("resends a part whose answer was lost under its old key: stored once", async () => {
    const server = modelServer(["lost-after"]);
    const parts = sender(server.send);
    await expect(parts.send(items(3))).rejects.toThrow(UnavailableError);
    await parts.send(items(3));
    expect(server.stored).toEqual(items(3));
  });

  it("starts afresh (new keys) when the retried items differ", async () => {
    const server = modelServer(["lost-before"]);
    const parts = sender(server.send);
    await expect(parts.send(items(3))).rejects.toThrow(UnavailableError);
    await parts.send(items(2));
    expect(server.stored).toEqual(items(2));
  });

  it("stores every item exactly once, in order, whatever requests are lost", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.constantFrom<Fate>("ok", "lost-before", "lost-after"), { maxLength: 40 }),
        async (count, maxItems, fates) => {
          const server = modelServer(fates);
          const parts = sender(server.send, { maxItems, maxBytes: 1 << 20 });
          await sendUntilDone(parts, items(count));
          expect(server.stored).toEqual(items(count));
        },
      ),
    );
  });
});

describe("413 answers", () => {
  it("halves a refused part until it fits, and keeps the lower limit for later calls", async () => {
    const server = modelServer([], 3);
    const parts = sender(server.send);
    await parts.send(items(10));
    expect(server.stored).toEqual(items(10));
    const before = server.bodies.length;
    await parts.send(items(3));
    // Learned: the next call sends parts the server takes, without a 413 first.
    expect(server.bodies.length - before).toBe(1);
  });

  it("gives the 413 to the caller for a single item", async () => {
    const server = modelServer([], 0);
    await expect(sender(server.send).send(items(1))).rejects.toThrow(LimitExceededError);
  });
});
