/**
 * Opens SDK sessions in each mode against one test server: the same call, with
 * `localPath` (local), `url` (remote) or both (hybrid).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Session, type Clock, type SessionMode, type SessionOptions } from "dreamlake";
/** What the modes need of a server: its URL and a valid token for user alice. */
export type ServerUnderTest = { readonly url: string; readonly token: string };

export const MODES: readonly SessionMode[] = ["local", "remote", "hybrid"];

/** A clock that moves `stepSeconds` on every read, from a fixed start. */
export function steppingClock(startSeconds = 1_700_000_000, stepSeconds = 0.001): Clock {
  let now = startSeconds;
  return {
    nowSeconds() {
      const current = now;
      now += stepSeconds;
      return current;
    },
  };
}

/** Options that keep a test deterministic: no timer flushes, no exit hooks, small retries. */
export const QUIET = {
  flushIntervalMs: 0,
  flushOnExit: false,
  retry: { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 40 },
} as const;

let sessionCount = 0;

/** A prefix no other test uses on the shared server. */
export function freshPrefix(): string {
  sessionCount++;
  return `ws/run-${process.pid}-${sessionCount}`;
}

/** Where sessions of one test live: a temporary local folder and the server. */
export type ModeSetup = {
  readonly mode: SessionMode;
  readonly localPath: string;
  /** Opens a session of this mode (extra options win). */
  open(prefix: string, extra?: Partial<SessionOptions>): Promise<Session>;
  /** Opens a remote session on the same server (to see what the server holds). */
  openRemote(prefix: string, extra?: Partial<SessionOptions>): Promise<Session>;
  cleanup(): Promise<void>;
};

export async function modeSetup(mode: SessionMode, server: ServerUnderTest): Promise<ModeSetup> {
  const localPath = await mkdtemp(path.join(tmpdir(), "dreamlake-sdk-mode-"));
  const remote = { url: server.url, apiKey: server.token };
  const open = (
    chosen: SessionMode,
    prefix: string,
    extra: Partial<SessionOptions> = {},
  ): Promise<Session> => {
    const where =
      chosen === "local" ? { localPath } : chosen === "remote" ? remote : { localPath, ...remote };
    return Session.open({ ...QUIET, ...where, ...extra, prefix });
  };
  return {
    mode,
    localPath,
    open: (prefix, extra) => open(mode, prefix, extra),
    openRemote: (prefix, extra) => open("remote", prefix, extra),
    cleanup: () => rm(localPath, { recursive: true, force: true }),
  };
}

/** Reads every point of a track, page by page. */
export async function readAll(
  session: Session,
  track: string,
): Promise<{ index: number; data: Record<string, unknown> }[]> {
  const rows: { index: number; data: Record<string, unknown> }[] = [];
  for (let startIndex = 0; ;) {
    const page = await session.track(track).read({ startIndex, limit: 10_000 });
    for (const row of page.data) rows.push({ index: row.index, data: { ...row.data } });
    if (!page.hasMore) return rows;
    startIndex = page.endIndex + 1;
  }
}
