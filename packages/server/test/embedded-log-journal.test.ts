/**
 * How the embedded server settles, at start, a log append that a crash interrupted after
 * its intent reached the append journal: the entries landed (confirmed: the retry stores
 * nothing and gets the numbers they took), or they did not, even if the counter moved
 * (abandoned: the retry stores them). The crash is made by hand: the intent is written and
 * the log appended without the repository, as a killed server leaves them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileLockManager, LocalLogs, NodeFileSystem, type NewLogEntry } from "dreamlake/engine";
import { FileAppendJournal } from "../src/idempotency/file-append-journal.js";
import type { RequestKey } from "../src/idempotency/request-key.js";
import { EmbeddedLogRepository, LOG_INTENT_KIND } from "../src/embedded/embedded-log-repository.js";
import { EmbeddedTrackRepository } from "../src/embedded/embedded-track-repository.js";
import { sessionDirectory } from "../src/embedded/session-directory.js";

const NOW = 1_770_000_000;
const SESSION = { id: "s1", namespace: "alice", workspace: "w", name: "run" };
const fs = new NodeFileSystem();

let dataDir: string;
let locks: FileLockManager;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-log-journal-"));
  locks = new FileLockManager();
});
afterEach(async () => {
  await locks.close();
  await rm(dataDir, { recursive: true, force: true });
});

const entries = (from: number, count: number): NewLogEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    timestamp: "2026-01-01T00:00:00.000Z",
    level: "info",
    message: String(from + i),
  }));

const request = (key: string): RequestKey => ({
  scope: "alice POST /sessions/s1/logs",
  key,
  nowSeconds: NOW,
  expiresAtSeconds: NOW + 100,
});

/** The journal and the repositories as the server opens them at start. */
async function start(): Promise<{ logs: EmbeddedLogRepository; journal: FileAppendJournal }> {
  const journal = await FileAppendJournal.open(fs, path.join(dataDir, ".append-journal.jsonl"), {
    nowSeconds: NOW,
    fsync: false,
  });
  const shared = { dataDir, fs, locks, lockTimeoutMs: 5_000, fsync: "never" as const };
  return { logs: new EmbeddedLogRepository({ ...shared, journal }), journal };
}

const localLogs = () =>
  new LocalLogs({ fs, locks }, sessionDirectory(dataDir, SESSION), {
    lockTimeoutMs: 5_000,
    fsync: "never",
  });

/** Writes what a server killed after the intent of `key` (4 entries from 3) left. */
async function crashAfterIntent(key: string): Promise<void> {
  const { journal } = await start();
  await journal.intend(request(key).scope, key, {
    target: { ...SESSION, kind: LOG_INTENT_KIND },
    startIndex: 3,
    count: 4,
    expiresAtSeconds: NOW + 100,
  });
}

async function messages(logs: EmbeddedLogRepository): Promise<string[]> {
  const read = await logs.read(SESSION, {
    levels: undefined,
    sinceSeconds: undefined,
    untilSeconds: undefined,
    limit: 100,
    offset: 0,
    reverse: false,
  });
  return read.logs.map((entry) => entry.message);
}

describe("a log append interrupted by a crash", () => {
  beforeEach(async () => {
    const { logs } = await start();
    await logs.append(SESSION, entries(0, 3), request("first"));
  });

  it("is confirmed at start when its entries landed: the retry stores nothing", async () => {
    await crashAfterIntent("k");
    await localLogs().append(entries(3, 4));
    const { logs } = await start();
    expect(await logs.recover()).toEqual({ confirmed: 1, abandoned: 0 });
    expect(await logs.append(SESSION, entries(3, 4), request("k"))).toEqual({ firstSequence: 3 });
    expect(await messages(logs)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("takes the numbers the entries got after a gap in the counter", async () => {
    await crashAfterIntent("k");
    await fs.writeTextAtomic(`${sessionDirectory(dataDir, SESSION)}/logs/.log_sequence`, "10");
    await localLogs().append(entries(3, 4));
    const { logs } = await start();
    expect(await logs.recover()).toEqual({ confirmed: 1, abandoned: 0 });
    expect(await logs.append(SESSION, entries(3, 4), request("k"))).toEqual({ firstSequence: 10 });
    expect(await messages(logs)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("is abandoned when its entries did not land, even if the counter moved: the retry stores them", async () => {
    await crashAfterIntent("k");
    await fs.writeTextAtomic(`${sessionDirectory(dataDir, SESSION)}/logs/.log_sequence`, "7");
    const { logs } = await start();
    expect(await logs.recover()).toEqual({ confirmed: 0, abandoned: 1 });
    expect(await logs.append(SESSION, entries(3, 4), request("k"))).toEqual({ firstSequence: 7 });
    expect(await messages(logs)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("is left to the log repository by the track repository's recovery", async () => {
    await crashAfterIntent("k");
    await localLogs().append(entries(3, 4));
    const { journal, logs } = await start();
    const tracks = new EmbeddedTrackRepository({
      journal,
      dataDir,
      fs,
      locks,
      checksum: () => 0,
      clock: { nowSeconds: () => NOW },
      fsync: "never",
      maxRecordPoints: 1000,
      lockTimeoutMs: 5_000,
      cachePointsPerTrack: 0,
      openSessions: 1,
    });
    expect(await tracks.recover()).toEqual({ confirmed: 0, abandoned: 0 });
    expect(await logs.recover()).toEqual({ confirmed: 1, abandoned: 0 });
    await tracks.close();
  });
});
