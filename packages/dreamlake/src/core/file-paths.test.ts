import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import {
  isInPrefix,
  parseFilePrefix,
  recordFolderSegments,
  validateFileName,
} from "./file-paths.js";

describe("parseFilePrefix", () => {
  it.each([
    [undefined, "/", ""],
    ["/", "/", ""],
    ["", "/", ""],
    ["/models", "/models", "models"],
    ["models/", "/models", "models"],
    ["/models/best/", "/models/best", "models/best"],
    ["/with space/ünïcode", "/with space/ünïcode", "with space/ünïcode"],
  ])("reads %j as %j", (input, canonical, folder) => {
    expect(parseFilePrefix(input)).toEqual({ path: canonical, folder });
  });

  it.each([["/../x"], ["a/.."], ["a//b"], ["./a"], ["a\\b"], ["a\u0000b"], ["//"]])(
    "refuses %j, naming it",
    (prefix) => {
      expect(() => parseFilePrefix(prefix)).toThrow(InvalidArgumentError);
      expect(() => parseFilePrefix(prefix)).toThrow(JSON.stringify(prefix).slice(1, 4));
    },
  );

  it("refuses the names of the files index", () => {
    expect(() => parseFilePrefix("/.files_metadata.json")).toThrow(/reserved/);
  });

  it("never leads outside the files folder, for any string", () => {
    const piece = fc.constantFrom("..", ".", "/", "\\", "a", "b.c", "", "\u0000", "~");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const input = pieces.join("");
        let folder: string;
        try {
          folder = parseFilePrefix(input).folder;
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(InvalidArgumentError);
          return;
        }
        const root = path.resolve("/session/files");
        const joined = path.resolve(root, folder);
        expect(joined === root || joined.startsWith(root + path.sep)).toBe(true);
        expect(path.resolve(joined, "123", "name")).toContain(root);
      }),
    );
  });
});

describe("validateFileName", () => {
  it("accepts spaces, unicode and 255 bytes", () => {
    for (const name of ["my model.pt", "ünïcødé.txt", "x".repeat(255), ".env", "a..b"])
      expect(validateFileName(name)).toBe(name);
  });

  it.each([[""], ["."], [".."], ["a/b"], ["a\\b"], ["x".repeat(256)], ["é".repeat(128)], ["a\nb"]])(
    "refuses %j",
    (name) => {
      expect(() => validateFileName(name)).toThrow(InvalidArgumentError);
    },
  );
});

describe("isInPrefix", () => {
  it("matches whole segments (Python matches /models2 for /models; we do not)", () => {
    const prefix = parseFilePrefix("/models");
    expect(isInPrefix("/models", prefix)).toBe(true);
    expect(isInPrefix("/models/best", prefix)).toBe(true);
    expect(isInPrefix("models/", prefix)).toBe(true);
    expect(isInPrefix("/models2", prefix)).toBe(false);
    expect(isInPrefix("/", prefix)).toBe(false);
    expect(isInPrefix("/anything", parseFilePrefix("/"))).toBe(true);
  });
});

describe("recordFolderSegments", () => {
  it("reads Python's paths as pathlib does, and refuses .. ", () => {
    expect(recordFolderSegments("models/")).toEqual(["models"]);
    expect(recordFolderSegments("/a//./b")).toEqual(["a", "b"]);
    expect(recordFolderSegments("/")).toEqual([]);
    expect(recordFolderSegments("../../etc")).toBeUndefined();
  });
});
