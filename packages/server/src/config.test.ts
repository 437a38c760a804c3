import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "dreamlake/engine";
import { DEFAULTS, parseConfig } from "./config.js";

describe("parseConfig", () => {
  it("uses the defaults for an empty environment", () => {
    const config = parseConfig({}, "/srv");
    expect(config).toEqual({
      port: 3000,
      host: "127.0.0.1",
      dataDir: path.join("/srv", ".dreamlake-server"),
      jwtSecret: undefined,
      tokens: {
        secretFile: undefined,
        jwksUrl: undefined,
        issuer: undefined,
        audience: undefined,
        userClaim: undefined,
      },
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      maxPointsPerRequest: DEFAULTS.maxPointsPerRequest,
      maxFileBytes: DEFAULTS.maxFileBytes,
      fsync: "never",
      lockTimeoutMs: 10_000,
      openSessions: 256,
    });
  });

  it("reads every variable", () => {
    const config = parseConfig(
      {
        PORT: "0",
        HOST: "0.0.0.0",
        DREAMLAKE_DATA_DIR: "/data",
        DREAMLAKE_JWT_SECRET: "s".repeat(32),
        DREAMLAKE_MAX_BODY_BYTES: "2048",
        DREAMLAKE_MAX_POINTS_PER_REQUEST: "5",
        DREAMLAKE_MAX_FILE_BYTES: "0",
        DREAMLAKE_FSYNC: "always",
        DREAMLAKE_LOCK_TIMEOUT_MS: "50",
        DREAMLAKE_OPEN_SESSIONS: "3",
      },
      "/srv",
    );
    expect(config).toMatchObject({
      port: 0,
      host: "0.0.0.0",
      dataDir: "/data",
      maxBodyBytes: 2048,
      maxPointsPerRequest: 5,
      maxFileBytes: 0,
      fsync: "always",
      lockTimeoutMs: 50,
      openSessions: 3,
    });
  });

  it.each([
    ["PORT", "65536"],
    ["PORT", "http"],
    ["DREAMLAKE_MAX_BODY_BYTES", "1023"],
    ["DREAMLAKE_MAX_POINTS_PER_REQUEST", "0"],
    ["DREAMLAKE_MAX_POINTS_PER_REQUEST", "1.5"],
    ["DREAMLAKE_FSYNC", "sometimes"],
    ["DREAMLAKE_JWKS_URL", "not a url"],
    ["DREAMLAKE_JWKS_URL", "file:///etc/keys.json"],
  ])("refuses %s=%s naming the variable", (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(InvalidArgumentError);
    expect(() => parseConfig({ [name]: value })).toThrow(name);
  });
});

describe("parseConfig: tokens", () => {
  it("reads the token variables, a relative secret file against cwd", () => {
    const config = parseConfig(
      {
        DREAMLAKE_JWT_SECRET_FILE: "secrets/jwt",
        DREAMLAKE_JWKS_URL: "https://idp.example.com/.well-known/jwks.json",
        DREAMLAKE_JWT_ISSUER: "https://idp.example.com/",
        DREAMLAKE_JWT_AUDIENCE: "dreamlake",
        DREAMLAKE_JWT_USER_CLAIM: "preferred_username",
      },
      "/srv",
    );
    expect(config.tokens).toEqual({
      secretFile: path.join("/srv", "secrets/jwt"),
      jwksUrl: new URL("https://idp.example.com/.well-known/jwks.json"),
      issuer: "https://idp.example.com/",
      audience: "dreamlake",
      userClaim: "preferred_username",
    });
  });

  it("refuses a secret and a secret file together", () => {
    expect(() =>
      parseConfig({ DREAMLAKE_JWT_SECRET: "s".repeat(32), DREAMLAKE_JWT_SECRET_FILE: "/x" }),
    ).toThrow(/set one of them/);
  });
});
