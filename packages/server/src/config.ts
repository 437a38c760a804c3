import * as path from "node:path";
import { InvalidArgumentError, type FsyncPolicy } from "dreamlake/engine";

/** Defaults of the configuration (each has an environment variable, see docs/server.md). */
export const DEFAULTS = {
  port: 3000,
  host: "127.0.0.1",
  dataDir: ".dreamlake-server",
  maxBodyBytes: 64 * 1024 * 1024,
  maxPointsPerRequest: 1_000_000,
  maxFileBytes: 5 * 1024 ** 3,
  fsync: "never",
  lockTimeoutMs: 10_000,
  openSessions: 256,
} as const;

/** The server's configuration, parsed from the environment. */
export type ServerConfig = {
  /** `PORT` @defaultValue 3000 */
  readonly port: number;
  /** `HOST` @defaultValue `127.0.0.1` (this machine only; `0.0.0.0` serves the network) */
  readonly host: string;
  /** `DREAMLAKE_DATA_DIR`, resolved to an absolute path @defaultValue `./.dreamlake-server` */
  readonly dataDir: string;
  /** `DREAMLAKE_JWT_SECRET`; absent: generated once and kept in the data folder. */
  readonly jwtSecret: string | undefined;
  /** Token verification beyond the secret: a secret file, a JWKS URL, claim rules. */
  readonly tokens: TokenConfig;
  /** `DREAMLAKE_MAX_BODY_BYTES` @defaultValue 64 MiB */
  readonly maxBodyBytes: number;
  /** `DREAMLAKE_MAX_POINTS_PER_REQUEST` @defaultValue 1000000 */
  readonly maxPointsPerRequest: number;
  /** `DREAMLAKE_MAX_FILE_BYTES` @defaultValue 5 GiB (the Python SDK's limit) */
  readonly maxFileBytes: number;
  /** `DREAMLAKE_FSYNC`: `never` or `always` @defaultValue never */
  readonly fsync: FsyncPolicy;
  /** `DREAMLAKE_LOCK_TIMEOUT_MS` @defaultValue 10000 */
  readonly lockTimeoutMs: number;
  /** `DREAMLAKE_OPEN_SESSIONS`: sessions whose track files stay open @defaultValue 256 */
  readonly openSessions: number;
};

/** How tokens are verified besides `DREAMLAKE_JWT_SECRET` (see docs/server.md, Authentication). */
export type TokenConfig = {
  /** `DREAMLAKE_JWT_SECRET_FILE`: secrets one per line, the first signs; re-read when it changes. */
  readonly secretFile: string | undefined;
  /** `DREAMLAKE_JWKS_URL`: public keys (RS256, ES256) of an identity provider. */
  readonly jwksUrl: URL | undefined;
  /** `DREAMLAKE_JWT_ISSUER`: the `iss` that tokens signed by a JWKS key must carry. */
  readonly issuer: string | undefined;
  /** `DREAMLAKE_JWT_AUDIENCE`: a value the `aud` of tokens signed by a JWKS key must hold. */
  readonly audience: string | undefined;
  /** `DREAMLAKE_JWT_USER_CLAIM`: the one claim naming the user; absent: the usual list. */
  readonly userClaim: string | undefined;
};

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * Reads the configuration from environment variables; unset or empty ones take their
 * default.
 *
 * @param cwd the folder a relative `DREAMLAKE_DATA_DIR` is resolved against
 * @throws {InvalidArgumentError} naming the variable and its value
 */
export function parseConfig(env: Env, cwd: string = process.cwd()): ServerConfig {
  const fsync = env["DREAMLAKE_FSYNC"] ?? DEFAULTS.fsync;
  if (fsync !== "never" && fsync !== "always") {
    throw new InvalidArgumentError(
      `DREAMLAKE_FSYNC must be never or always, got ${JSON.stringify(fsync)}`,
    );
  }
  const secret = env["DREAMLAKE_JWT_SECRET"];
  return {
    port: integer(env, "PORT", DEFAULTS.port, 0, 65_535),
    host: env["HOST"] === undefined || env["HOST"] === "" ? DEFAULTS.host : env["HOST"],
    dataDir: path.resolve(cwd, env["DREAMLAKE_DATA_DIR"] || DEFAULTS.dataDir),
    jwtSecret: secret === undefined || secret === "" ? undefined : secret,
    tokens: parseTokenConfig(env, cwd),
    maxBodyBytes: integer(
      env,
      "DREAMLAKE_MAX_BODY_BYTES",
      DEFAULTS.maxBodyBytes,
      1024,
      2 ** 31 - 1,
    ),
    maxPointsPerRequest: integer(
      env,
      "DREAMLAKE_MAX_POINTS_PER_REQUEST",
      DEFAULTS.maxPointsPerRequest,
      1,
      100_000_000,
    ),
    maxFileBytes: integer(
      env,
      "DREAMLAKE_MAX_FILE_BYTES",
      DEFAULTS.maxFileBytes,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    fsync,
    lockTimeoutMs: integer(env, "DREAMLAKE_LOCK_TIMEOUT_MS", DEFAULTS.lockTimeoutMs, 1, 3_600_000),
    openSessions: integer(env, "DREAMLAKE_OPEN_SESSIONS", DEFAULTS.openSessions, 1, 100_000),
  };
}

function optional(env: Env, name: string): string | undefined {
  const text = env[name];
  return text === undefined || text === "" ? undefined : text;
}

function parseTokenConfig(env: Env, cwd: string): TokenConfig {
  const secretFile = optional(env, "DREAMLAKE_JWT_SECRET_FILE");
  if (secretFile !== undefined && optional(env, "DREAMLAKE_JWT_SECRET") !== undefined) {
    throw new InvalidArgumentError(
      "DREAMLAKE_JWT_SECRET and DREAMLAKE_JWT_SECRET_FILE are both set; set one of them",
    );
  }
  const jwks = optional(env, "DREAMLAKE_JWKS_URL");
  let jwksUrl: URL | undefined;
  if (jwks !== undefined) {
    jwksUrl = URL.canParse(jwks) ? new URL(jwks) : undefined;
    if (jwksUrl === undefined || (jwksUrl.protocol !== "https:" && jwksUrl.protocol !== "http:")) {
      throw new InvalidArgumentError(
        `DREAMLAKE_JWKS_URL must be an https:// (or http://) URL, got ${JSON.stringify(jwks)}`,
      );
    }
  }
  return {
    secretFile: secretFile === undefined ? undefined : path.resolve(cwd, secretFile),
    jwksUrl,
    issuer: optional(env, "DREAMLAKE_JWT_ISSUER"),
    audience: optional(env, "DREAMLAKE_JWT_AUDIENCE"),
    userClaim: optional(env, "DREAMLAKE_JWT_USER_CLAIM"),
  };
}
