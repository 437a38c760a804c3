import { describe, expect, it } from "vitest";
import { InternalError } from "../core/errors.js";
import { parseDeletedAnswer, parseFileAnswer, parseFileListAnswer } from "./remote-files.js";
import { parseLogsAppendAnswer, parseLogsReadAnswer } from "./remote-logs.js";
import { parseParamsAnswer } from "./remote-params.js";
import { parseSessionAnswer } from "./session-answer.js";

const what = "answer to GET /x";

describe("parseSessionAnswer", () => {
  it("reads session.id, a string or an integer", () => {
    expect(parseSessionAnswer({ session: { id: "abc", name: "n" } }, what)).toEqual({ id: "abc" });
    expect(parseSessionAnswer({ session: { id: 7 } }, what)).toEqual({ id: "7" });
  });

  it("refuses an answer without a session", () => {
    expect(() => parseSessionAnswer({ id: "abc" }, what)).toThrow(InternalError);
  });
});

describe("parseParamsAnswer", () => {
  it("reads data as the flat params", () => {
    expect(
      parseParamsAnswer({ id: "p", data: { "model.layers": 4, lr: 0.1 }, version: 2 }, what),
    ).toEqual({ "model.layers": 4, lr: 0.1 });
  });

  it("reads null data as no params", () => {
    expect(parseParamsAnswer({ data: null }, what)).toEqual({});
  });

  it("refuses data that is not an object", () => {
    expect(() => parseParamsAnswer({ data: [1] }, what)).toThrow(InternalError);
  });
});

describe("parseLogsAppendAnswer", () => {
  it("reads the first sequence number and the count", () => {
    expect(
      parseLogsAppendAnswer({ created: 2, startSequence: 5, endSequence: 6, sessionId: "s" }, what),
    ).toEqual({ startSequence: 5, created: 2 });
  });
});

describe("parseLogsReadAnswer", () => {
  const entry = {
    sequenceNumber: 0,
    timestamp: "2026-11-26T15:01:43.959357Z",
    level: "warn",
    message: "hot",
  };

  it("reads the entries, metadata only where given", () => {
    expect(
      parseLogsReadAnswer(
        { logs: [entry, { ...entry, sequenceNumber: 1, metadata: { gpu: 0 } }], hasMore: true },
        what,
      ),
    ).toEqual({
      logs: [entry, { ...entry, sequenceNumber: 1, metadata: { gpu: 0 } }],
      hasMore: true,
      skippedLines: 0,
    });
  });

  it("refuses an unknown level, naming the entry", () => {
    expect(() =>
      parseLogsReadAnswer({ logs: [{ ...entry, level: "critical" }], hasMore: false }, what),
    ).toThrow(/logs\[0\] of the answer to GET \/x is malformed: field "level"/);
  });
});

describe("file answers", () => {
  const record = {
    id: "7355208973547353",
    sessionId: "abc",
    path: "/models",
    filename: "model.pt",
    description: null,
    tags: ["best"],
    contentType: "application/octet-stream",
    sizeBytes: 12,
    checksum: "a".repeat(64),
    metadata: null,
    uploadedAt: "2026-01-01T00:00:00.000000Z",
    updatedAt: "2026-01-01T00:00:00.000000Z",
    deletedAt: null,
  };

  it("reads a record, nulls as absent fields", () => {
    const parsed = parseFileAnswer(record, what);
    expect(parsed).toMatchObject({ id: record.id, path: "/models", sizeBytes: 12, tags: ["best"] });
    expect("description" in parsed).toBe(false);
    expect("metadata" in parsed).toBe(false);
  });

  it("reads a size sent as a string (PhysicalFile.sizeBytes is a BigInt on some servers)", () => {
    expect(parseFileAnswer({ ...record, sizeBytes: "12" }, what).sizeBytes).toBe(12);
  });

  it("refuses a record without a checksum", () => {
    expect(() => parseFileAnswer({ ...record, checksum: undefined }, what)).toThrow(InternalError);
  });

  it("reads a list and a delete", () => {
    expect(parseFileListAnswer({ files: [record] }, what)).toHaveLength(1);
    expect(parseDeletedAnswer({ id: record.id, deletedAt: "2026-01-02T00:00:00Z" }, what)).toEqual({
      id: record.id,
      deletedAt: "2026-01-02T00:00:00Z",
    });
  });

  it("names the list entry that is not a record", () => {
    expect(() => parseFileListAnswer({ files: [{}] }, what)).toThrow(/files\[0\] of the answer/);
  });
});
