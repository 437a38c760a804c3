import { describe, expect, it } from "vitest";
import { InternalError } from "../core/errors.js";
import {
  parseAppendAnswer,
  parseReadAnswer,
  parseStatsAnswer,
  parseTimeReadAnswer,
  parseTrackListAnswer,
} from "./track-responses.js";

const what = "answer to GET /x";

describe("parseAppendAnswer", () => {
  it("reads the indexes and the count", () => {
    expect(
      parseAppendAnswer(
        { trackId: "t", startIndex: 10, endIndex: 12, count: 3, chunkSize: 10000 },
        what,
      ),
    ).toEqual({ startIndex: 10, endIndex: 12, count: 3 });
  });

  it("reads counts sent as strings (the Python local shapes)", () => {
    expect(parseAppendAnswer({ startIndex: "0", endIndex: "1", count: "2" }, what)).toEqual({
      startIndex: 0,
      endIndex: 1,
      count: 2,
    });
  });

  it("refuses indexes that disagree with the count", () => {
    expect(() => parseAppendAnswer({ startIndex: 0, endIndex: 5, count: 2 }, what)).toThrow(
      InternalError,
    );
  });

  it("names the field that is missing", () => {
    expect(() => parseAppendAnswer({ startIndex: 0, endIndex: 1 }, what)).toThrow(
      new InternalError(
        `The server's answer to GET /x is malformed: field "count" should be a number, got undefined`,
      ),
    );
  });

  it("refuses an answer that is not an object", () => {
    expect(() => parseAppendAnswer([1], what)).toThrow(/is not a JSON object/);
  });
});

describe("parseReadAnswer", () => {
  it("reads the rows and the paging fields", () => {
    const answer = {
      data: [
        { index: 4, data: { _ts: 1.5, x: [1, 2] } },
        { index: "5", data: { _ts: 2 } },
      ],
      startIndex: 4,
      endIndex: 5,
      total: 2,
      hasMore: true,
    };
    expect(parseReadAnswer(answer, what)).toEqual({
      data: [
        { index: 4, data: { _ts: 1.5, x: [1, 2] } },
        { index: 5, data: { _ts: 2 } },
      ],
      startIndex: 4,
      endIndex: 5,
      total: 2,
      hasMore: true,
    });
  });

  it("names the row whose point is not an object", () => {
    const answer = {
      data: [{ index: 0, data: 3 }],
      startIndex: 0,
      endIndex: 0,
      total: 1,
      hasMore: false,
    };
    expect(() => parseReadAnswer(answer, what)).toThrow(/data\[0\] of the answer to GET \/x/);
  });

  it("refuses a hasMore that is not a boolean", () => {
    const answer = { data: [], startIndex: 0, endIndex: -1, total: 0, hasMore: "no" };
    expect(() => parseReadAnswer(answer, what)).toThrow(/"hasMore" should be a boolean/);
  });
});

describe("parseTimeReadAnswer", () => {
  it("reads null bounds as null", () => {
    expect(
      parseTimeReadAnswer(
        { data: [], startTime: null, endTime: 5.5, total: 0, hasMore: false },
        what,
      ),
    ).toEqual({ data: [], startTime: null, endTime: 5.5, total: 0, hasMore: false });
  });
});

describe("parseStatsAnswer", () => {
  const stats = {
    trackId: "local-track-a",
    name: "a",
    description: null,
    tags: ["x"],
    metadata: null,
    totalDataPoints: 3,
    bufferedDataPoints: 3,
    chunkedDataPoints: 0,
    totalChunks: 0,
    chunkSize: 10000,
    firstTs: 1,
    lastTs: 3,
    firstDataAt: "1970-01-01T00:00:01.000000Z",
    lastDataAt: "1970-01-01T00:00:03.000000Z",
    createdAt: "2026-01-01T00:00:00.000000Z",
    updatedAt: null,
  };

  it("reads every field, absent text as null", () => {
    expect(parseStatsAnswer(stats, what)).toEqual(stats);
  });

  it("reads an empty track's time range as null", () => {
    expect(parseStatsAnswer({ ...stats, firstTs: null, lastTs: null }, what)).toMatchObject({
      firstTs: null,
      lastTs: null,
    });
  });

  it("refuses tags that are not strings", () => {
    expect(() => parseStatsAnswer({ ...stats, tags: [1] }, what)).toThrow(InternalError);
  });
});

describe("parseTrackListAnswer", () => {
  it("reads the names, sorted", () => {
    expect(
      parseTrackListAnswer({ tracks: [{ name: "train" }, { name: "robot/pose" }] }, what),
    ).toEqual(["robot/pose", "train"]);
  });

  it("names the entry without a name", () => {
    expect(() => parseTrackListAnswer({ tracks: [{ trackId: "1" }] }, what)).toThrow(
      /tracks\[0\] of the answer/,
    );
  });
});
