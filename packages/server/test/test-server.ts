import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { systemClock } from "dreamlake/engine";
import { createApp } from "../src/app.js";
import { mintToken } from "../src/auth/mint-token.js";
import type { AuthenticationTimings } from "../src/auth/open-authentication.js";
import { parseConfig, type ServerConfig } from "../src/config.js";
import { createEmbeddedServer, type EmbeddedServer } from "../src/embedded/embedded-deps.js";
import type { ServerLog } from "../src/logging/server-log.js";
import type { ServerDeps } from "../src/server-deps.js";

export const TEST_SECRET = "test-secret-0123456789abcdef";

/** A server log that keeps what it is told. */
export function capturingLog(): ServerLog & {
  readonly errors: { message: string; fields: Readonly<Record<string, unknown>> }[];
  readonly infos: { message: string; fields: Readonly<Record<string, unknown>> }[];
} {
  const errors: { message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const infos: { message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  return {
    errors,
    infos,
    error(message, fields) {
      errors.push({ message, fields });
    },
    info(message, fields = {}) {
      infos.push({ message, fields });
    },
  };
}

/** An embedded server on a fresh data folder, driven through `app.request()`. */
export type TestServer = {
  readonly dataDir: string;
  readonly config: ServerConfig;
  readonly embedded: EmbeddedServer;
  readonly app: ReturnType<typeof createApp>;
  readonly log: ReturnType<typeof capturingLog>;
  /** A valid token for `user`. */
  token(user?: string): string;
  /** Sends a request as `user` (default `alice`); `body` objects are sent as JSON. */
  call(
    method: string,
    url: string,
    options?: { body?: unknown; user?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Creates (or updates) `workspace/name` as `user` and returns its id. */
  session(name?: string, options?: { workspace?: string; user?: string }): Promise<string>;
  close(): Promise<void>;
};

/**
 * Starts an embedded server on a temporary data folder.
 *
 * @param env extra configuration variables
 * @param override replaces ports of the wired deps (for failure tests)
 * @param authTimings shorter secret-file and JWKS timings (for rotation tests)
 */
export async function startTestServer(
  env: Record<string, string> = {},
  override: (deps: ServerDeps) => ServerDeps = (deps) => deps,
  authTimings?: AuthenticationTimings,
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-server-test-"));
  const config = parseConfig({
    DREAMLAKE_DATA_DIR: dataDir,
    DREAMLAKE_JWT_SECRET: TEST_SECRET,
    ...env,
  });
  const log = capturingLog();
  const embedded = await createEmbeddedServer(config, {
    log,
    clock: systemClock,
    ...(authTimings === undefined ? {} : { authTimings }),
  }).catch(async (error: unknown) => {
    // A start refused by the configuration (the tests of bad settings) leaves no folder.
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const app = createApp(override(embedded.deps));
  const token = (user = "alice"): string => mintToken(user, TEST_SECRET, systemClock);
  const call: TestServer["call"] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user !== null)
      headers["authorization"] = `Bearer ${token(options.user ?? "alice")}`;
    let body: RequestInit["body"];
    if (
      typeof options.body === "string" ||
      options.body instanceof Uint8Array ||
      options.body instanceof FormData
    ) {
      body = options.body as RequestInit["body"];
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    return Promise.resolve(
      app.request(url, { method, headers, ...(body === undefined ? {} : { body }) }),
    );
  };
  return {
    dataDir,
    config,
    embedded,
    app,
    log,
    token,
    call,
    async session(name = "run-1", options = {}) {
      const response = await call("POST", `/workspaces/${options.workspace ?? "ws"}/sessions`, {
        body: { name },
        user: options.user ?? "alice",
      });
      if (response.status !== 200)
        throw new Error(`session upsert failed: ${await response.text()}`);
      return ((await response.json()) as { session: { id: string } }).session.id;
    },
    async close() {
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
