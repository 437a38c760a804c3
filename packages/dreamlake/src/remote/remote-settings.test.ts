import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../core/errors.js";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.js";
import { parseRemoteOptions } from "./remote-settings.js";

describe("parseRemoteOptions", () => {
  it("takes the token from apiKey first, else from DREAMLAKE_API_KEY", () => {
    expect(
      parseRemoteOptions({ url: "http://h:1", apiKey: "a" }, { DREAMLAKE_API_KEY: "b" }).apiKey,
    ).toBe("a");
    expect(parseRemoteOptions({ url: "http://h:1" }, { DREAMLAKE_API_KEY: "b" }).apiKey).toBe("b");
  });

  it("refuses a session without a token, naming both ways to give one", () => {
    expect(() => parseRemoteOptions({ url: "http://h:1" }, {})).toThrow(
      new InvalidArgumentError(
        'A session with url "http://h:1" needs a server token: pass apiKey, or set DREAMLAKE_API_KEY (neither is set)',
      ),
    );
  });

  it("never shows the token in a message", () => {
    expect(() => parseRemoteOptions({ url: "http://h:1", apiKey: "sec\nret" }, {})).toThrow(
      /^apiKey must be one line/,
    );
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => parseRemoteOptions({ url: "ftp://h", apiKey: "a" }, {})).toThrow(/url must be/);
    expect(() => parseRemoteOptions({ url: "localhost:3000", apiKey: "a" }, {})).toThrow(
      InvalidArgumentError,
    );
  });

  it("keeps a base path and drops a trailing slash", () => {
    expect(parseRemoteOptions({ url: "https://h/api/", apiKey: "a" }, {}).url).toBe(
      "https://h/api",
    );
  });

  it("fills in the defaults and checks the limits", () => {
    const settings = parseRemoteOptions({ url: "http://h", apiKey: "a" }, {});
    expect(settings).toMatchObject({
      retry: DEFAULT_RETRY_POLICY,
      requestTimeoutMs: 30_000,
      limits: { maxItems: 10_000, maxBytes: 8 * 1024 * 1024 },
    });
    expect(() =>
      parseRemoteOptions({ url: "http://h", apiKey: "a", maxPointsPerRequest: 0 }, {}),
    ).toThrow(/maxPointsPerRequest must be an integer >= 1, got 0/);
    expect(() =>
      parseRemoteOptions({ url: "http://h", apiKey: "a", maxRequestBytes: 1023 }, {}),
    ).toThrow(/maxRequestBytes/);
  });
});
