import { stat } from "node:fs/promises";
import * as path from "node:path";
import { DreamlakeError, FailedPreconditionError, systemClock, type Clock } from "dreamlake/engine";
import type { Hono } from "hono";
import { createApp } from "./app.js";
import { LiveHub } from "./api/live-hub.js";
import { loadDashboardAssets, type DashboardAssets } from "./dashboard/dashboard-assets.js";
import { findDashboardBuild } from "./dashboard/find-dashboard-build.js";
import { findJwtSecret, SECRET_FILE } from "./auth/jwt-secret.js";
import { checkTokenUser, DEFAULT_TOKEN_DAYS, mintToken } from "./auth/mint-token.js";
import { parseConfig, type ServerConfig } from "./config.js";
import { checkDataFolder } from "./embedded/data-folder-check.js";
import { doctorDataFolder, parseDoctorArgs } from "./embedded/doctor-command.js";
import { createEmbeddedServer } from "./embedded/embedded-deps.js";
import type { AppEnv } from "./http/app-env.js";
import { listen, type Listener } from "./http/listen.js";
import { explainListenError } from "./http/listen-errors.js";
import { createLocalFolderServer } from "./local-folder/local-folder-server.js";
import { parseTiersConfig } from "./tiers/tiers-config.js";
import { stderrServerLog, type ServerLog } from "./logging/server-log.js";
import { loadWithDependency, MONGODB_DRIVER, POSTGRES_DRIVER } from "./optional-dependency.js";

/** What the command needs from the process (fakes in tests). */
export type CliIo = {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the server should stop (SIGINT or SIGTERM for the real process). */
  waitForShutdown(): Promise<void>;
  readonly clock?: Clock;
  readonly log?: ServerLog;
  /** Called once the server listens, with its URL (tests use it with PORT=0). */
  onListening?(url: string): void;
};

/** The default port of `ui`. */
export const DEFAULT_UI_PORT = 4000;

const USAGE = `Usage:
  dreamlake-server [serve]            serve the API (embedded storage in DREAMLAKE_DATA_DIR)
  dreamlake-server token <user> [--days N]
                                      print a token for <user> (default ${DEFAULT_TOKEN_DAYS} days)
  dreamlake-server ui [--root DIR] [--port N]
                                      the dashboard over a local SDK folder (default .dreamlake,
                                      port ${DEFAULT_UI_PORT}), on 127.0.0.1, without a token (what \`dreamlake ui\` runs)
  dreamlake-server doctor [<namespace>/<workspace>/<name> [<track>]] [--repair] [--json]
                                      check every record of the data folder's tracks (exit code 1
                                      when damage is found); --repair quarantines it (docs/server.md)
  dreamlake-server help

Environment: PORT (3000), HOST (127.0.0.1), DREAMLAKE_DATA_DIR (./.dreamlake-server),
DREAMLAKE_JWT_SECRET (or DREAMLAKE_JWT_SECRET_FILE), DREAMLAKE_JWKS_URL, DREAMLAKE_JWT_*,
DREAMLAKE_MAX_BODY_BYTES, DREAMLAKE_MAX_POINTS_PER_REQUEST, DREAMLAKE_MAX_FILE_BYTES,
DREAMLAKE_FSYNC, DREAMLAKE_LOCK_TIMEOUT_MS, DREAMLAKE_OPEN_SESSIONS, DREAMLAKE_DASHBOARD_DIR.
See docs/server.md. Tracks on PostgreSQL + S3: DATABASE_URL, S3_BUCKET, S3_ENDPOINT, ...
(docs/deployment.md).
`;

/**
 * Runs the `dreamlake-server` command.
 *
 * @returns the exit code
 */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command = "serve", ...rest] = args;
    switch (command) {
      case "serve":
        if (rest.length > 0)
          return usageError(io, `serve takes no arguments, got ${rest.join(" ")}`);
        return await serveCommand(io);
      case "token":
        return await tokenCommand(rest, io);
      case "ui":
        return await uiCommand(rest, io);
      case "doctor":
        return await doctorCommand(rest, io);
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return 0;
      default:
        return usageError(io, `Unknown command ${JSON.stringify(command)}`);
    }
  } catch (error: unknown) {
    if (error instanceof DreamlakeError) {
      io.stderr(`dreamlake-server: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`dreamlake-server: ${message}\n\n${USAGE}`);
  return 2;
}

async function serveCommand(io: CliIo): Promise<number> {
  const config = parseConfig(io.env, io.cwd);
  // With DATABASE_URL (or MONGODB_URI) and S3_* set, a stateless replica (docs/deployment.md).
  const tiers = parseTiersConfig(io.env, io.cwd);
  const options = {
    ...(io.clock === undefined ? {} : { clock: io.clock }),
    ...(io.log === undefined ? {} : { log: io.log }),
  };
  if (tiers === undefined) await checkDataFolder(config.dataDir);
  const server =
    tiers === undefined
      ? await createEmbeddedServer(config, options)
      : await (
          await import("./replica/replica-server.js")
        ).openReplicaServer(config, tiers, {
          clock: io.clock ?? systemClock,
          log: io.log ?? stderrServerLog,
          // The database's driver is an optional peer dependency: its module is read only now.
          openDatabase:
            tiers.database.kind === "postgres"
              ? (
                  await loadWithDependency(
                    POSTGRES_DRIVER,
                    () => import("./postgres/postgres-replica-database.js"),
                  )
                ).openPostgresReplicaDatabase
              : (
                  await loadWithDependency(
                    MONGODB_DRIVER,
                    () => import("./mongo/mongo-replica-database.js"),
                  )
                ).openMongoReplicaDatabase,
        });
  const dashboard = await dashboardAssets(io);
  const live = liveHub(io);
  const app = createApp({ ...server.deps, live, dashboard: { assets: dashboard.assets } });
  let listener: Listener;
  try {
    listener = await listenExplained(app, config);
  } catch (error: unknown) {
    await server.close();
    throw error;
  }
  io.stdout(
    `dreamlake server listening on ${listener.url}\n` +
      ("secret" in server
        ? `  data folder: ${config.dataDir} (token secret: ${server.secret.source})\n`
        : `  stateless replica: everything in ${server.database.label} and the object store, nothing in the data folder\n`) +
      `  get a token: npx dreamlake-server token <user>   (same DREAMLAKE_DATA_DIR / DREAMLAKE_JWT_SECRET)\n` +
      `  then, for the Python client: export DREAMLAKE_API_KEY=<token>; Session("<workspace>/<name>", url="${listener.url}")\n` +
      `  dashboard: ${dashboard.assets === undefined ? `not served (${dashboard.reason ?? ""})` : `${listener.url}/ (log in with a token)`}\n`,
  );
  io.onListening?.(listener.url);
  await io.waitForShutdown();
  // Live event streams stay open until told: end them, or the listener would wait for them.
  live.close();
  await listener.close();
  await server.close();
  io.stdout("dreamlake server stopped\n");
  return 0;
}

async function listenExplained(
  app: Hono<AppEnv>,
  config: Pick<ServerConfig, "port" | "host">,
): Promise<Listener> {
  try {
    return await listen(app, config.port, config.host);
  } catch (error: unknown) {
    throw explainListenError(error, config.port, config.host) ?? error;
  }
}

async function uiCommand(args: readonly string[], io: CliIo): Promise<number> {
  let root = ".dreamlake";
  let port = DEFAULT_UI_PORT;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const value = args[i + 1];
    if ((arg === "--root" || arg === "--port") && value === undefined) {
      return usageError(io, `${arg} needs a value`);
    }
    if (arg === "--root") root = value ?? root;
    else if (arg === "--port") {
      port = /^\d{1,5}$/.test(value ?? "") ? Number(value) : NaN;
      if (!(port <= 65_535)) return usageError(io, `--port must be 0 to 65535, got ${value ?? ""}`);
    } else return usageError(io, `Unknown option ${arg}`);
    i++;
  }
  const folder = path.resolve(io.cwd, root);
  if (!(await isFolder(folder))) {
    io.stderr(
      `dreamlake ui: no folder ${folder}: give the folder your sessions write to (--root), or write one first (npx dreamlake demo)\n`,
    );
    return 1;
  }
  const dashboard = await dashboardAssets(io);
  const server = createLocalFolderServer(folder, {
    clock: io.clock ?? systemClock,
    log: io.log ?? stderrServerLog,
  });
  const live = liveHub(io);
  const app = createApp(
    { ...server.deps, live, dashboard: { assets: dashboard.assets, authentication: "none" } },
    { wireRoutes: false },
  );
  let listener: Listener;
  try {
    // Loopback only: there is no token, so nothing but this machine may reach it.
    listener = await listenExplained(app, { port, host: "127.0.0.1" });
  } catch (error: unknown) {
    await server.close();
    throw error;
  }
  io.stdout(
    `dreamlake ui: ${listener.url}/  (the sessions in ${folder}; Ctrl-C stops it)\n` +
      (dashboard.assets === undefined
        ? `  the page is not served: ${dashboard.reason ?? ""}; the API is at ${listener.url}/api/v1\n`
        : ""),
  );
  io.onListening?.(listener.url);
  await io.waitForShutdown();
  live.close();
  await listener.close();
  await server.close();
  return 0;
}

async function isFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    return false;
  }
}

function liveHub(io: CliIo): LiveHub {
  const log = io.log ?? stderrServerLog;
  return new LiveHub({
    onError: (key, error) => {
      log.error("live update poll failed", {
        watch: key.replaceAll("\u0000", " "),
        error: String(error),
      });
    },
  });
}

/** The dashboard's built files, or why there are none (the server then serves the API only). */
async function dashboardAssets(
  io: CliIo,
): Promise<{ readonly assets?: DashboardAssets; readonly reason?: string }> {
  const directory = findDashboardBuild(io.env);
  if (directory === undefined) return { reason: "the dashboard was not built (npm run build)" };
  try {
    return { assets: await loadDashboardAssets(directory) };
  } catch (error: unknown) {
    if (error instanceof DreamlakeError) return { reason: error.message };
    throw error;
  }
}

async function tokenCommand(args: readonly string[], io: CliIo): Promise<number> {
  let days = DEFAULT_TOKEN_DAYS;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--days") {
      const value = Number(args[++i]);
      if (!(value > 0))
        return usageError(io, `--days needs a positive number, got ${args[i] ?? "nothing"}`);
      days = value;
    } else if (arg.startsWith("-")) {
      return usageError(io, `Unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [user] = positional;
  if (user === undefined || positional.length > 1) {
    return usageError(io, "token needs exactly one user name");
  }
  checkTokenUser(user);
  const config = parseConfig(io.env, io.cwd);
  const secretFile = path.join(config.dataDir, SECRET_FILE);
  // The server's own lookup, without creating a secret: a token signed with a secret that
  // no server has would only meet 401 answers.
  const found = await findJwtSecret(config.jwtSecret, config.dataDir, config.tokens.secretFile);
  if (found === undefined) {
    throw new FailedPreconditionError(
      `No token secret: DREAMLAKE_JWT_SECRET is not set and ${secretFile} does not exist. Run this with the server's DREAMLAKE_DATA_DIR (or DREAMLAKE_JWT_SECRET), or start the server once first`,
    );
  }
  io.stdout(`${mintToken(user, found.secret, io.clock ?? systemClock, days)}\n`);
  io.stderr(
    `Token for ${user}, valid ${days} days, signed with the secret ${found.file === undefined ? "of DREAMLAKE_JWT_SECRET" : `in ${found.file}`}. Send it as "Authorization: Bearer <token>" (Python: DREAMLAKE_API_KEY).\n`,
  );
  return 0;
}

async function doctorCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseDoctorArgs(args);
  if (typeof parsed === "string") return usageError(io, parsed);
  if (parseTiersConfig(io.env, io.cwd) !== undefined) {
    // A replica keeps no track in the data folder: each cold chunk is checked against the
    // checksum of its manifest row whenever it is read (docs/server.md).
    return usageError(
      io,
      "doctor checks the embedded data folder; this configuration is a replica (DATABASE_URL or MONGODB_URI), whose chunks are checked against their manifest checksums on every read",
    );
  }
  const config = parseConfig(io.env, io.cwd);
  const found = await doctorDataFolder(config.dataDir, parsed, (text) => {
    io.stdout(text);
  });
  return found ? 1 : 0;
}
