/**
 * `@dreamlake/server`: the dreamlake server. It serves the wire API of the dreamlake
 * Python client 0.4.0 (see docs/server.md) over small ports, with embedded storage on the
 * SDK's local engine by default.
 *
 * @example
 * ```ts
 * import { createApp, createEmbeddedServer, parseConfig } from "@dreamlake/server";
 * const embedded = await createEmbeddedServer(parseConfig(process.env));
 * const app = createApp(embedded.deps);
 * ```
 *
 * @module
 */
export { createApp } from "./app.js";
export { run, type CliIo } from "./cli.js";
export { runInProcess } from "./process-io.js";
export { parseConfig, DEFAULTS, type ServerConfig } from "./config.js";
export type { ServerDeps, ServerLimits } from "./server-deps.js";
export type { Authenticator, Principal } from "./auth/authenticator.js";
export {
  JwtAuthenticator,
  namespaceFromClaims,
  USER_NAME_CLAIMS,
} from "./auth/jwt-authenticator.js";
export { signJwt } from "./auth/jwt.js";
export type { JwtClaims, TokenVerifier } from "./auth/token-verifier.js";
export { JoseTokenVerifier, type JwksSettings } from "./auth/jose-token-verifier.js";
export { FixedSecrets, type SecretSource } from "./auth/secret-source.js";
export { SecretFile } from "./auth/secret-file.js";
export { mintToken, DEFAULT_TOKEN_DAYS } from "./auth/mint-token.js";
export { resolveJwtSecret, type JwtSecret } from "./auth/jwt-secret.js";
export type { SessionRef } from "./sessions/session-ref.js";
export type {
  SessionAccess,
  SessionRecord,
  SessionRegistry,
  SessionUpsert,
} from "./sessions/session-registry.js";
export type {
  TrackAppendResult,
  TrackInfo,
  TrackRepository,
  TrackSummary,
} from "./tracks/track-repository.js";
export { createEmbeddedServer, type EmbeddedServer } from "./embedded/embedded-deps.js";
export { EmbeddedSessionRegistry } from "./embedded/embedded-session-registry.js";
export { EmbeddedTrackRepository } from "./embedded/embedded-track-repository.js";
export { listen, type Listener } from "./http/listen.js";
export { stderrServerLog, type ServerLog } from "./logging/server-log.js";
