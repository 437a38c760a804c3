import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LimitExceededError, UnavailableError } from "../core/errors.js";
import { ColumnsSender, type ColumnsSource } from "./columns-sender.js";

/** Points 0..count-1 of one column whose values are `width` characters of text each. */
function source(count: number, width = 8): ColumnsSource {
  const value = (i: number): string => String(i).padStart(width, "0");
  return {
    count,
    bodyOf: (start, n) =>
      `{"columns":{"v":${JSON.stringify(Array.from({ length: n }, (_, i) => value(start + i)))}}}`,
  };
}

const valuesOf = (body: string): number[] =>
  (JSON.parse(body) as { columns: { v: string[] } }).columns.v.map(Number);

/** A server that stores the values of each body it takes, refusing more than `maxPoints` with 413. */
function modelServer(maxPoints = Infinity) {
  const stored: number[] = [];
  const bodies: string[] = [];
  const keys: string[] = [];
  const send = (body: string, key: string): Promise<number> => {
    bodies.push(body);
    keys.push(key);
    const values = valuesOf(body);
    if (values.length > maxPoints) return Promise.reject(new LimitExceededError("too many"));
    stored.push(...values);
    return Promise.resolve(values.length);
  };
  return { stored, bodies, keys, send };
}

let keyNumber = 0;
const newKey = (): string => `key-${++keyNumber}`;

describe("ColumnsSender", () => {
  it("sends every point once, in order, in bodies within the byte limit, whatever the limits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1024, max: 8192 }),
        fc.integer({ min: 1, max: 500 }),
        async (count, maxBytes, maxPoints) => {
          const server = modelServer(maxPoints);
          const sender = new ColumnsSender({ maxBytes, newKey, send: server.send });
          const acks = await sender.send(source(count));
          expect(server.stored).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(acks.reduce((sum, n) => sum + n, 0)).toBe(count);
          // Refused bodies (413) aside, every body fits.
          const taken = server.bodies.filter((body) => valuesOf(body).length <= maxPoints);
          for (const body of taken) expect(body.length).toBeLessThanOrEqual(maxBytes);
          expect(new Set(server.keys).size).toBe(server.keys.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps the limit a 413 taught for later calls", async () => {
    const server = modelServer(10);
    const sender = new ColumnsSender({ maxBytes: 1 << 20, newKey, send: server.send });
    await sender.send(source(40));
    const refusedFirst = server.bodies.length;
    await sender.send(source(20));
    // The second call sends parts of at most 10 points straight away: no more refusals.
    expect(server.bodies.length - refusedFirst).toBe(2);
    expect(server.stored).toHaveLength(60);
  });

  it("gives up on a single point the server refuses, and passes other errors on", async () => {
    const refusing = new ColumnsSender({
      maxBytes: 1 << 20,
      newKey,
      send: () => Promise.reject(new LimitExceededError("too large")),
    });
    await expect(refusing.send(source(3))).rejects.toThrow(LimitExceededError);
    let calls = 0;
    const failing = new ColumnsSender({
      maxBytes: 1 << 20,
      newKey,
      send: () => {
        calls++;
        return Promise.reject(new UnavailableError("down"));
      },
    });
    await expect(failing.send(source(3))).rejects.toThrow(UnavailableError);
    expect(calls).toBe(1);
  });
});
