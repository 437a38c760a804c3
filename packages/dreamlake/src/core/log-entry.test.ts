import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { formatLogLine, parseLogLine, parseLogQuery } from "./log-entry.js";
import { parseLogLevel } from "./log-level.js";

const PYTHON_LINE =
  '{"sequenceNumber": 2, "timestamp": "2026-11-26T15:01:43.959860Z", "level": "info", "message": "m", "metadata": {"a": 1, "b": 3, "c": 4}}\n';

describe("log lines", () => {
  it("are written byte for byte as the Python SDK writes them", () => {
    const entry = {
      sequenceNumber: 2,
      timestamp: "2026-11-26T15:01:43.959860Z",
      level: "info",
      message: "m",
      metadata: { a: 1, b: 3, c: 4 },
    } as const;
    const { sequenceNumber, ...rest } = entry;
    expect(formatLogLine(sequenceNumber, rest)).toBe(PYTHON_LINE);
    expect(parseLogLine(PYTHON_LINE.trim())).toEqual(entry);
  });

  it("leave metadata out when there is none", () => {
    expect(formatLogLine(0, { timestamp: "t", level: "warn", message: "é" })).toBe(
      '{"sequenceNumber": 0, "timestamp": "t", "level": "warn", "message": "\\u00e9"}\n',
    );
  });

  it("read Python's non-string messages as text, and refuse foreign lines", () => {
    expect(
      parseLogLine('{"sequenceNumber": 0, "timestamp": "t", "level": "INFO", "message": 123}'),
    ).toEqual({ sequenceNumber: 0, timestamp: "t", level: "info", message: "123" });
    expect(parseLogLine('{"sequenceNumber": 0, "timestamp": "t", "lev')).toBeUndefined();
    expect(
      parseLogLine('{"sequenceNumber": -1, "timestamp": "t", "level": "info"}'),
    ).toBeUndefined();
    expect(
      parseLogLine('{"sequenceNumber": 1, "timestamp": "t", "level": "loud"}'),
    ).toBeUndefined();
  });
});

describe("log levels", () => {
  it("are debug, info, warn, error and fatal, in any case; absent is info", () => {
    expect(["debug", "INFO", "Warn", "error", "fatal"].map(parseLogLevel)).toEqual([
      "debug",
      "info",
      "warn",
      "error",
      "fatal",
    ]);
    expect(parseLogLevel(undefined)).toBe("info");
  });

  it("refuse anything else, naming it", () => {
    expect(() => parseLogLevel("warning")).toThrow(InvalidArgumentError);
    expect(() => parseLogLevel("warning")).toThrow(
      'Log level must be one of debug, info, warn, error, fatal; got "warning"',
    );
    expect(() => parseLogLevel(3)).toThrow(/got 3/);
  });
});

describe("parseLogQuery", () => {
  it("has defaults and accepts Dates and seconds", () => {
    expect(parseLogQuery(undefined)).toEqual({
      levels: undefined,
      sinceSeconds: undefined,
      untilSeconds: undefined,
      limit: 1000,
      offset: 0,
      reverse: false,
    });
    expect(
      parseLogQuery({ since: new Date(1500), until: 3, level: ["warn", "error"] }),
    ).toMatchObject({
      sinceSeconds: 1.5,
      untilSeconds: 3,
      levels: ["warn", "error"],
    });
  });

  it.each([
    [{ limit: 0 }, /limit/],
    [{ limit: 10_001 }, /limit/],
    [{ offset: -1 }, /offset/],
    [{ since: "yesterday" }, /since/],
    [{ until: new Date(Number.NaN) }, /until/],
    [{ level: "loud" }, /loud/],
    [{ reverse: "yes" }, /reverse/],
  ])("refuses %j", (options, message) => {
    expect(() => parseLogQuery(options as never)).toThrow(message);
  });
});
