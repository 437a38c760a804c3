import { serve, type ServerType } from "@hono/node-server";
import type { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { AppEnv } from "./app-env.js";

/** A listening HTTP server. */
export type Listener = {
  /** The base URL, with the port actually bound (useful with port 0). */
  readonly url: string;
  /** Stops accepting connections and waits for open requests to end. */
  close(): Promise<void>;
};

/** Serves `app` on Node's HTTP server. */
export async function listen(app: Hono<AppEnv>, port: number, host: string): Promise<Listener> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port, hostname: host }, () => {
      resolve(created);
    });
    created.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      }),
  };
}
