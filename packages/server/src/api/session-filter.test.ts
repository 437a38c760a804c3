import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "dreamlake/engine";
import type { SessionRecord } from "../sessions/session-registry.js";
import { matchesSession, parseSessionFilter, paramEquals } from "./session-filter.js";

const record = (extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id: "1",
  namespace: "alice",
  workspace: "vision",
  name: "resnet-7",
  writeProtected: false,
  description: "Long run on 8 GPUs",
  tags: ["baseline", "gpu"],
  metadata: null,
  createdAt: "2026-01-01T00:00:00.000000Z",
  updatedAt: null,
  ...extra,
});

describe("parseSessionFilter", () => {
  it("reads text, tag and comma-separated key=value conditions", () => {
    expect(
      parseSessionFilter({ q: " res ", tag: "gpu", param: "lr=0.001, model.layers = 4" }),
    ).toEqual({
      text: "res",
      tag: "gpu",
      params: [
        { key: "lr", value: "0.001" },
        { key: "model.layers", value: "4" },
      ],
    });
    expect(parseSessionFilter({})).toEqual({ text: undefined, tag: undefined, params: [] });
  });

  it("refuses a condition without a key, and too many conditions", () => {
    expect(() => parseSessionFilter({ param: "lr" })).toThrow(InvalidArgumentError);
    expect(() => parseSessionFilter({ param: "=1" })).toThrow(InvalidArgumentError);
    expect(() =>
      parseSessionFilter({ param: Array.from({ length: 17 }, (_, i) => `k${i}=1`).join(",") }),
    ).toThrow(/at most 16/);
  });
});

describe("matchesSession", () => {
  it("finds text in the prefix, the description and the tags, ignoring case", () => {
    for (const q of ["RESNET", "vision/res", "8 gpus", "basel", "alice/vision"]) {
      expect(matchesSession(parseSessionFilter({ q }), record(), {})).toBe(true);
    }
    expect(matchesSession(parseSessionFilter({ q: "bert" }), record(), {})).toBe(false);
  });

  it("needs the exact tag and every param condition", () => {
    const params = { lr: 0.001, "model.layers": 4, optimizer: "adam", augment: true };
    expect(matchesSession(parseSessionFilter({ tag: "gpu" }), record(), params)).toBe(true);
    expect(matchesSession(parseSessionFilter({ tag: "gp" }), record(), params)).toBe(false);
    expect(
      matchesSession(parseSessionFilter({ param: "lr=1e-3,optimizer=adam" }), record(), params),
    ).toBe(true);
    expect(
      matchesSession(parseSessionFilter({ param: "lr=1e-3,optimizer=sgd" }), record(), params),
    ).toBe(false);
    expect(matchesSession(parseSessionFilter({ param: "augment=true" }), record(), params)).toBe(
      true,
    );
    expect(matchesSession(parseSessionFilter({ param: "missing=1" }), record(), params)).toBe(
      false,
    );
    expect(matchesSession(parseSessionFilter({ param: "__proto__=1" }), record(), params)).toBe(
      false,
    );
  });
});

describe("paramEquals", () => {
  it("matches every finite number by its own text", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(paramEquals(value, String(value))).toBe(true);
      }),
    );
  });

  it("matches every string by itself and never a number by an empty text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(paramEquals(text, text)).toBe(true);
      }),
    );
    expect(paramEquals(0, "")).toBe(false);
    expect(paramEquals(null, "null")).toBe(true);
    expect(paramEquals([1, 2], "[1,2]")).toBe(true);
  });
});
