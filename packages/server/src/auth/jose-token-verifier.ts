import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type CryptoKey,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from "jose";
import {
  UnauthenticatedError,
  UnavailableError,
  describeValue,
  type Clock,
} from "dreamlake/engine";
import type { SecretSource } from "./secret-source.js";
import type { JwtClaims, TokenVerifier, VerifiedToken } from "./token-verifier.js";

/** The algorithm of tokens signed with the server's secret. */
export const SECRET_ALGORITHM = "HS256";
/** The algorithms of tokens signed by a key of the JWKS. */
export const JWKS_ALGORITHMS: readonly string[] = ["RS256", "ES256"];

/** Where the public keys of an identity provider are, and what its tokens must say. */
export type JwksSettings = {
  /** The JWKS document (`jwks_uri` of the provider's OpenID configuration). */
  readonly url: URL;
  /** When set, the `iss` tokens must carry. */
  readonly issuer?: string | undefined;
  /** When set, a value the tokens' `aud` must hold. */
  readonly audience?: string | undefined;
  /** Shortest time between two fetches of the document, in ms. @defaultValue 30000 */
  readonly cooldownMs?: number | undefined;
  /** Age at which the fetched keys are fetched again before use, in ms. @defaultValue 600000 */
  readonly cacheMaxAgeMs?: number | undefined;
  /** How long a fetch may take, in ms. @defaultValue 5000 */
  readonly timeoutMs?: number | undefined;
};

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const utf8 = new TextEncoder();

/**
 * {@link TokenVerifier} on `jose` (the only file that imports it). A token's `alg` picks
 * its key: HS256 is verified with each of the server's secrets in turn (newest first),
 * RS256 and ES256 with the JWKS key its `kid` names. Every other algorithm, `none`
 * included, is refused whatever the token says. `exp` and `nbf` are checked when present
 * (`exp` is exclusive, no clock tolerance) against the injected clock; tokens signed by a
 * JWKS key must have an `exp`, and their `iss` and `aud` are checked when configured.
 *
 * The JWKS is fetched on first use and kept (jose's remote key set): a token whose `kid`
 * is not in it fetches it again, at most once per `cooldownMs`, so a new key of the
 * provider is picked up without a restart; the keys are fetched again after
 * `cacheMaxAgeMs`, so a removed key stops verifying by then.
 */
export class JoseTokenVerifier implements TokenVerifier {
  readonly #secrets: SecretSource;
  readonly #clock: Clock;
  readonly #jwks: JwksSettings | undefined;
  readonly #jwksKeys: JWTVerifyGetKey | undefined;
  #secretKeys: { readonly version: number; readonly keys: readonly Promise<CryptoKey>[] } = {
    version: -1,
    keys: [],
  };

  constructor(options: {
    readonly secrets: SecretSource;
    readonly clock: Clock;
    readonly jwks?: JwksSettings | undefined;
  }) {
    this.#secrets = options.secrets;
    this.#clock = options.clock;
    this.#jwks = options.jwks;
    this.#jwksKeys = options.jwks === undefined ? undefined : remoteKeys(options.jwks);
  }

  keysVersion(): number {
    return this.#secrets.version();
  }

  async verify(token: string): Promise<VerifiedToken> {
    const alg = readHeader(token).alg;
    try {
      if (alg === SECRET_ALGORITHM) {
        return { claims: await this.#verifyWithSecrets(token), signer: "secret" };
      }
      if (typeof alg === "string" && JWKS_ALGORITHMS.includes(alg)) {
        if (this.#jwksKeys !== undefined) {
          return { claims: await this.#verifyWithJwks(token, this.#jwksKeys), signer: "jwks" };
        }
        throw new UnauthenticatedError(
          `The token is signed with ${alg}, but this server has no DREAMLAKE_JWKS_URL to take public keys from; it accepts ${SECRET_ALGORITHM} tokens only`,
        );
      }
    } catch (error: unknown) {
      throw this.#explain(error);
    }
    throw new UnauthenticatedError(
      `The token's algorithm ${describeValue(alg)} is not accepted; accepted: ${this.#accepted()}`,
    );
  }

  async #verifyWithSecrets(token: string): Promise<JwtClaims> {
    const options: JWTVerifyOptions = {
      algorithms: [SECRET_ALGORITHM],
      currentDate: this.#now(),
    };
    for (const key of this.#keysOfSecrets()) {
      try {
        return (await jwtVerify(token, await key, options)).payload;
      } catch (error: unknown) {
        // A rotation keeps older secrets: try the next one.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
      }
    }
    throw new UnauthenticatedError("The token's signature does not match this server's secret");
  }

  async #verifyWithJwks(token: string, keys: JWTVerifyGetKey): Promise<JwtClaims> {
    const jwks = this.#jwks;
    const options: JWTVerifyOptions = {
      algorithms: [...JWKS_ALGORITHMS],
      currentDate: this.#now(),
      requiredClaims: ["exp"],
      ...(jwks?.issuer === undefined ? {} : { issuer: jwks.issuer }),
      ...(jwks?.audience === undefined ? {} : { audience: jwks.audience }),
    };
    try {
      return (await jwtVerify(token, keys, options)).payload;
    } catch (error: unknown) {
      // Several keys fit a token without `kid` (during a rotation): try each.
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      for await (const key of error) {
        try {
          return (await jwtVerify(token, key, options)).payload;
        } catch (next: unknown) {
          if (!(next instanceof errors.JWSSignatureVerificationFailed)) throw next;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  }

  /** The HMAC keys of the current secrets, imported once per secrets version. */
  #keysOfSecrets(): readonly Promise<CryptoKey>[] {
    const version = this.#secrets.version();
    if (this.#secretKeys.version !== version) {
      const keys = this.#secrets
        .secrets()
        .map((secret) =>
          crypto.subtle.importKey(
            "raw",
            utf8.encode(secret),
            { name: "HMAC", hash: "SHA-256" },
            false,
            ["verify"],
          ),
        );
      this.#secretKeys = { version, keys };
    }
    return this.#secretKeys.keys;
  }

  #now(): Date {
    return new Date(this.#clock.nowSeconds() * 1000);
  }

  #accepted(): string {
    return this.#jwks === undefined
      ? SECRET_ALGORITHM
      : [SECRET_ALGORITHM, ...JWKS_ALGORITHMS].join(", ");
  }

  /** jose's errors as ours: what is wrong with the token, without secrets. */
  #explain(error: unknown): unknown {
    if (error instanceof errors.JWTExpired)
      return new UnauthenticatedError("The token has expired");
    if (error instanceof errors.JWTClaimValidationFailed) return claimError(error, this.#jwks);
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return new UnauthenticatedError(
        `The token's signature does not match the key of ${this.#jwksName()} that it names`,
      );
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return new UnauthenticatedError(
        `No key of ${this.#jwksName()} fits the token (its kid and alg); a key the provider has just added is fetched at most once every ${Math.round((this.#jwks?.cooldownMs ?? DEFAULT_COOLDOWN_MS) / 1000)} s`,
      );
    }
    if (
      error instanceof errors.JWSInvalid ||
      error instanceof errors.JWTInvalid ||
      error instanceof errors.JOSEAlgNotAllowed ||
      error instanceof errors.JOSENotSupported
    ) {
      return new UnauthenticatedError(
        `The bearer token is not a valid JSON Web Token: ${error.message}`,
      );
    }
    return error;
  }

  #jwksName(): string {
    return `the JWKS at ${this.#jwks?.url.href ?? "(none)"} (DREAMLAKE_JWKS_URL)`;
  }
}

/** jose's default cooldown between two fetches of a JWKS, in ms. */
const DEFAULT_COOLDOWN_MS = 30_000;

/** The protected header of a compact JWS. @throws {UnauthenticatedError} when there is none */
function readHeader(token: string): ProtectedHeaderParameters {
  if (COMPACT_JWS.test(token)) {
    try {
      return decodeProtectedHeader(token);
    } catch {
      // Reported below.
    }
  }
  throw new UnauthenticatedError(
    "The bearer token is not a JSON Web Token (header.payload.signature, base64url JSON)",
  );
}

/** jose's remote key set, whose fetch failures are ours to report as unavailability. */
function remoteKeys(settings: JwksSettings): JWTVerifyGetKey {
  const keys = createRemoteJWKSet(settings.url, {
    ...(settings.cooldownMs === undefined ? {} : { cooldownDuration: settings.cooldownMs }),
    ...(settings.cacheMaxAgeMs === undefined ? {} : { cacheMaxAge: settings.cacheMaxAgeMs }),
    ...(settings.timeoutMs === undefined ? {} : { timeoutDuration: settings.timeoutMs }),
  });
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error: unknown) {
      // A key that fits not, or fits more than once, is about the token; anything else
      // (no answer, not 200, not a key set) is about the provider: the token may be fine.
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys
      ) {
        throw error;
      }
      throw new UnavailableError(
        `The keys at ${settings.url.href} (DREAMLAKE_JWKS_URL) could not be fetched: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  };
}

function claimError(
  error: InstanceType<typeof errors.JWTClaimValidationFailed>,
  jwks: JwksSettings | undefined,
): UnauthenticatedError {
  const value: unknown = error.payload[error.claim];
  if (error.reason === "missing") {
    return new UnauthenticatedError(
      `The token has no "${error.claim}" claim, which tokens signed by a JWKS key must have`,
    );
  }
  if (error.reason !== "check_failed") {
    return new UnauthenticatedError(
      `The token's "${error.claim}" claim is invalid: ${error.message}`,
    );
  }
  switch (error.claim) {
    case "nbf":
      return new UnauthenticatedError("The token is not valid yet (nbf)");
    case "iss":
      return new UnauthenticatedError(
        `The token's issuer ${describeValue(value)} is not ${JSON.stringify(jwks?.issuer)} (DREAMLAKE_JWT_ISSUER)`,
      );
    case "aud":
      return new UnauthenticatedError(
        `The token's audience ${describeValue(value)} does not hold ${JSON.stringify(jwks?.audience)} (DREAMLAKE_JWT_AUDIENCE)`,
      );
    default:
      return new UnauthenticatedError(`The token's "${error.claim}" claim fails: ${error.message}`);
  }
}
