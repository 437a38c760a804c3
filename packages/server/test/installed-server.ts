import { spawn } from "node:child_process";
import * as path from "node:path";
import { embeddedEnvironment } from "./embedded-environment.js";
import { listeningUrl } from "./listening-url.js";

/** A `dreamlake-server` started through `node_modules/.bin`, as a user runs it. */
export type InstalledServer = {
  readonly url: string;
  /** Stops it with SIGTERM and waits for it to end. */
  stop(): Promise<void>;
};

/**
 * Starts the installed `dreamlake-server` (embedded, on `dataDir`, signing with `secret`) on
 * a free port and resolves once it listens. A server that ends first rejects with its
 * output, standard error included.
 */
export async function startInstalledServer(
  bin: string,
  dataDir: string,
  secret: string,
): Promise<InstalledServer> {
  const server = spawn(path.join(bin, "dreamlake-server"), [], {
    env: {
      ...embeddedEnvironment(),
      PORT: "0",
      DREAMLAKE_DATA_DIR: dataDir,
      DREAMLAKE_JWT_SECRET: secret,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  server.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await listeningUrl(server, "server", () => stderr);
  return {
    url,
    stop: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    },
  };
}
