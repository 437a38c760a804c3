import type { Clock } from "dreamlake/engine";
import type { ServerConfig } from "../config.js";
import type { ServerLog } from "../logging/server-log.js";
import type { Authenticator } from "./authenticator.js";
import { JoseTokenVerifier } from "./jose-token-verifier.js";
import { JwtAuthenticator } from "./jwt-authenticator.js";
import { resolveJwtSecret, type JwtSecret } from "./jwt-secret.js";
import { SecretFile } from "./secret-file.js";
import { FixedSecrets } from "./secret-source.js";

/** The server's token checking, wired from its configuration. */
export type Authentication = {
  readonly authenticator: Authenticator;
  /** The secret new tokens are signed with, and where it came from. */
  readonly secret: JwtSecret;
  /** Stops watching the secret file. */
  close(): Promise<void>;
};

/** Timings that tests shorten; production uses the defaults. */
export type AuthenticationTimings = {
  /** How often a secret file is checked for a change, in ms. @defaultValue 1000 */
  readonly secretPollMs?: number;
  /** Shortest time between two fetches of the JWKS, in ms. @defaultValue 30000 */
  readonly jwksCooldownMs?: number;
  /** Age at which the JWKS is fetched again before use, in ms. @defaultValue 600000 */
  readonly jwksCacheMaxAgeMs?: number;
};

/**
 * Wires token checking: HS256 with `DREAMLAKE_JWT_SECRET` (fixed), or with the secrets of
 * `DREAMLAKE_JWT_SECRET_FILE` or `<data>/.jwt-secret` (re-read when the file changes);
 * plus RS256/ES256 with the keys at `DREAMLAKE_JWKS_URL` when it is set.
 *
 * @throws {InvalidArgumentError} when a secret is missing or too short
 */
export async function openAuthentication(
  config: Pick<ServerConfig, "jwtSecret" | "dataDir" | "tokens">,
  options: {
    readonly clock: Clock;
    readonly log: ServerLog;
    readonly timings?: AuthenticationTimings;
  },
): Promise<Authentication> {
  const { tokens } = config;
  const secret = await resolveJwtSecret(config.jwtSecret, config.dataDir, tokens.secretFile);
  const timings = options.timings ?? {};
  const secrets =
    secret.file === undefined
      ? new FixedSecrets([secret.secret])
      : await SecretFile.open(secret.file, {
          log: options.log,
          ...(timings.secretPollMs === undefined ? {} : { pollMs: timings.secretPollMs }),
        });
  const verifier = new JoseTokenVerifier({
    secrets,
    clock: options.clock,
    jwks:
      tokens.jwksUrl === undefined
        ? undefined
        : {
            url: tokens.jwksUrl,
            issuer: tokens.issuer,
            audience: tokens.audience,
            cooldownMs: timings.jwksCooldownMs,
            cacheMaxAgeMs: timings.jwksCacheMaxAgeMs,
          },
  });
  return {
    authenticator: new JwtAuthenticator(verifier, options.clock, { userClaim: tokens.userClaim }),
    secret,
    close: async () => {
      if (secrets instanceof SecretFile) await secrets.close();
    },
  };
}
