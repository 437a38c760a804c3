import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { MAX_NAME_SEGMENT_LENGTH, MAX_TRACK_NAME_LENGTH } from "./limits.js";
import { parseSessionPrefix, validateTrackName } from "./names.js";

const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter((s) => s !== "." && s !== "..");

describe("validateTrackName", () => {
  it("accepts /-separated segments of letters, digits, _, - and .", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const name = segments.join("/");
        expect(validateTrackName(name)).toBe(name);
      }),
    );
  });

  it.each([
    ["../x", '".."'],
    ["a/../../escape", '".."'],
    ["./a", '"."'],
    ["/abs", "empty segment"],
    ["a//b", "empty segment"],
    ["a/", "empty segment"],
    ["", "empty segment"],
    ["a\0b", "\\u0000"],
    ["with space", '"with space"'],
    ["a\\b", '"a\\\\b"'],
    ["ü", '"ü"'],
  ])("refuses %j, naming the problem", (name, mention) => {
    expect(() => validateTrackName(name)).toThrow(InvalidArgumentError);
    expect(() => validateTrackName(name)).toThrow(mention);
  });

  it.each([
    "x/data.msgpack",
    "data.msgpack",
    "x/data.msgpack.idx/y",
    "x/metadata.json",
    "x/.track.lock",
    "x/.metadata.json.1234.0.ab.tmp",
  ])("refuses %j, whose segment is the name of a file in a track's folder", (name) => {
    expect(() => validateTrackName(name)).toThrow(InvalidArgumentError);
    expect(() => validateTrackName(name)).toThrow(/the name of a file in a track's folder/);
  });

  it("accepts segments that only look like those files", () => {
    for (const name of ["x/data", "x/data.msgpack2", "x/metadata", "x/track.lock", "x/.hidden"]) {
      expect(validateTrackName(name)).toBe(name);
    }
  });

  it("refuses anything that is not a string", () => {
    for (const name of [undefined, null, 1, ["a"], { name: "a" }]) {
      expect(() => validateTrackName(name)).toThrow(InvalidArgumentError);
    }
  });

  it("limits the name and each segment, at the limit and one past it", () => {
    const longSegment = "a".repeat(MAX_NAME_SEGMENT_LENGTH);
    expect(validateTrackName(longSegment)).toBe(longSegment);
    expect(() => validateTrackName(`${longSegment}a`)).toThrow(InvalidArgumentError);
    const segments = Math.ceil(MAX_TRACK_NAME_LENGTH / 11);
    const longName = Array.from({ length: segments }, () => "aaaaaaaaaa")
      .join("/")
      .slice(0, MAX_TRACK_NAME_LENGTH)
      .replace(/\/$/, "b");
    expect(longName).toHaveLength(MAX_TRACK_NAME_LENGTH);
    expect(validateTrackName(longName)).toBe(longName);
    expect(() => validateTrackName(`${longName}b`)).toThrow(InvalidArgumentError);
  });
});

describe("parseSessionPrefix", () => {
  it("takes the last two segments as workspace and name", () => {
    expect(parseSessionPrefix("project/my-experiment")).toEqual({
      prefix: "project/my-experiment",
      workspace: "project",
      name: "my-experiment",
      segments: ["project", "my-experiment"],
    });
    expect(parseSessionPrefix("org/project/run.1")).toMatchObject({
      workspace: "project",
      name: "run.1",
      segments: ["org", "project", "run.1"],
    });
  });

  it.each([
    "a/b/tracks",
    "a/b/logs",
    "a/b/files",
    "a/b/session.json",
    "a/b/episode.json",
    "a/b/c/parameters.json",
    "a/b/.session.lock",
    "a/b/c/.x",
  ])("refuses %j: a session folder's entry after the second segment", (prefix) => {
    expect(() => parseSessionPrefix(prefix)).toThrow(/inside the "a\/b(\/c)?" session's folder/);
  });

  it("takes those names in the first two segments, where no session folder holds them", () => {
    expect(parseSessionPrefix("tracks/logs").segments).toEqual(["tracks", "logs"]);
    expect(parseSessionPrefix(".hidden/files").segments).toEqual([".hidden", "files"]);
  });

  it.each(["solo", "", "/a", "a/", "a//b", "../b", "a/..", "a/b c", "a/\0"])(
    "refuses %j, naming it",
    (prefix) => {
      expect(() => parseSessionPrefix(prefix)).toThrow(InvalidArgumentError);
      expect(() => parseSessionPrefix(prefix)).toThrow(JSON.stringify(prefix));
    },
  );

  it("refuses anything that is not a string", () => {
    for (const prefix of [undefined, null, 7, ["a", "b"]]) {
      expect(() => parseSessionPrefix(prefix)).toThrow(InvalidArgumentError);
    }
  });
});
