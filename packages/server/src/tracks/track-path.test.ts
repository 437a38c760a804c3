import { describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError } from "dreamlake/engine";
import { parseTrackPath } from "./track-path.js";

const segments = (path: string): string[] => path.split("/");

describe("parseTrackPath", () => {
  it.each([
    ["GET", "loss", { name: "loss", action: "read" }],
    ["GET", "robot/pose", { name: "robot/pose", action: "read" }],
    ["GET", "robot%2Fpose", { name: "robot/pose", action: "read" }],
    ["GET", "robot/pose/by-time", { name: "robot/pose", action: "by-time" }],
    ["GET", "robot%2Fpose/by-time", { name: "robot/pose", action: "by-time" }],
    ["GET", "robot/pose/stats", { name: "robot/pose", action: "stats" }],
    ["GET", "robot%2Fstats", { name: "robot/stats", action: "read" }],
    ["GET", "stats", { name: "stats", action: "read" }],
    ["GET", "a/append", { name: "a/append", action: "read" }],
    ["POST", "robot/pose/append-batch", { name: "robot/pose", action: "append-batch" }],
    ["POST", "robot%2Fpose/append-batch", { name: "robot/pose", action: "append-batch" }],
    ["POST", "loss/append", { name: "loss", action: "append" }],
    ["POST", "a%2Fappend/append", { name: "a/append", action: "append" }],
  ] as const)("%s .../tracks/%s", (method, path, expected) => {
    expect(parseTrackPath(segments(path), method)).toEqual(expected);
  });

  it("answers 404 for a POST without an append action", () => {
    expect(() => parseTrackPath(["loss"], "POST")).toThrow(NotFoundError);
    expect(() => parseTrackPath(["append-batch"], "POST")).toThrow(NotFoundError);
    expect(() => parseTrackPath(["loss", "stats"], "POST")).toThrow(NotFoundError);
  });

  it.each([["a%20b"], ["..%2Fescape"], ["a//b"], ["%2Fabs"], ["a%zz"], [""]])(
    "refuses the name %j with 400",
    (path) => {
      expect(() => parseTrackPath(segments(path), "GET")).toThrow(InvalidArgumentError);
    },
  );
});
