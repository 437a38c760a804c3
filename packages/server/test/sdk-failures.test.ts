/**
 * The failure paths of remote and hybrid sessions, against a real server: a server
 * stopped and started again mid-run, 503 answers, answers lost after the work was done,
 * 4xx answers, request limits smaller than the client's, a server that never answers.
 * Points must arrive once each, in order, or close() must say how many did not.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  Session,
  UnauthenticatedError,
  UnavailableError,
  type SessionOptions,
} from "dreamlake";
import { isAppend, startSdkServer, type SdkServer } from "./sdk-server.js";
import { freshPrefix, modeSetup, QUIET, readAll, type ModeSetup } from "./sdk-modes.js";

let server: SdkServer;
let setup: ModeSetup;
let prefix: string;

/** Retries that outlast a short outage: up to 200 attempts, 5 ms doubling to 20 ms. */
const PATIENT = { retry: { maxAttempts: 200, initialDelayMs: 5, maxDelayMs: 20 } } as const;

beforeEach(async () => {
  server = await startSdkServer();
  prefix = freshPrefix();
});
afterEach(async () => {
  await server.close();
  await setup.cleanup();
});

async function open(
  mode: "remote" | "hybrid",
  extra: Partial<SessionOptions> = {},
): Promise<Session> {
  setup = await modeSetup(mode, server);
  return setup.open(prefix, extra);
}

/** What the server holds for the track, read by a fresh remote session. */
async function serverRows(track: string): Promise<number[]> {
  const view = await setup.openRemote(prefix);
  try {
    return (await readAll(view, track)).map((row) => row.data["i"] as number);
  } finally {
    await view.close();
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, k) => from + k);

function appendRange(session: Session, track: string, from: number, to: number): void {
  for (let i = from; i < to; i++) session.track(track).append({ i, _ts: i });
}

/** Lets the event loop run for `ms` (the background retries a real outage). */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("a server stopped and started again mid-run", () => {
  it("remote: a flush while it is down fails and keeps the points; the next one sends each once", async () => {
    const session = await open("remote", { retry: { maxAttempts: 2, initialDelayMs: 1 } });
    appendRange(session, "t", 0, 1000);
    await session.tracks.flush();
    await server.stop();
    appendRange(session, "t", 1000, 2000);
    await expect(session.tracks.flush()).rejects.toThrow(UnavailableError);
    expect(session.bufferedPoints).toBe(1000);
    await server.start();
    appendRange(session, "t", 2000, 2500);
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 2500));
  });

  it("remote: a flush started while it is down retries until it is back", async () => {
    const session = await open("remote", PATIENT);
    appendRange(session, "t", 0, 500);
    await session.tracks.flush();
    await server.stop();
    appendRange(session, "t", 500, 1500);
    const flushed = session.tracks.flush();
    await pause(50);
    await server.start();
    await flushed;
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 1500));
  });

  it("hybrid: writes stay local while it is down and reach it once it is back", async () => {
    const session = await open("hybrid", PATIENT);
    appendRange(session, "t", 0, 500);
    await session.tracks.flush();
    await server.stop();
    appendRange(session, "t", 500, 1500);
    // Reads are answered locally, even now.
    expect((await session.track("t").read({ startIndex: 1499, limit: 1 })).data[0]?.data).toEqual({
      i: 1499,
      _ts: 1499,
    });
    await pause(50);
    await server.start();
    appendRange(session, "t", 1500, 2000);
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 2000));
  });

  it("hybrid: opens while it is down, and creates the session on it once it is back", async () => {
    await server.stop();
    const session = await open("hybrid", PATIENT);
    appendRange(session, "t", 0, 100);
    await session.params.set({ lr: 0.5 });
    session.log("offline start");
    expect((await session.track("t").read()).total).toBe(100);
    await server.start();
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 100));
    const view = await setup.openRemote(prefix);
    try {
      expect(await view.params.get()).toEqual({ lr: 0.5 });
      expect((await view.logs.read()).logs.map((e) => e.message)).toEqual(["offline start"]);
    } finally {
      await view.close();
    }
  });
});

describe("close() while the server stays away", () => {
  const brief = { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } } as const;

  it("remote: gives up with an UnavailableError naming the points and entries not sent, and may be called again", async () => {
    const session = await open("remote", brief);
    appendRange(session, "t", 0, 123);
    session.log("unsent");
    await server.stop();
    const error = await session.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^123 points, 1 log entry were not sent to ${server.url}; they are kept in memory and close\\(\\) may be called again: `,
      ),
    );
    expect(session.isOpen).toBe(true);
    expect(session.bufferedPoints).toBe(123);
    await server.start();
    await session.close();
    expect(session.isOpen).toBe(false);
    expect(await serverRows("t")).toEqual(range(0, 123));
  });

  it("hybrid: names what the local copy holds and the server does not", async () => {
    const session = await open("hybrid", brief);
    appendRange(session, "t", 0, 40);
    await session.tracks.flush();
    await server.stop();
    appendRange(session, "t", 40, 100);
    await session.params.set({ lr: 1 });
    session.log("written locally");
    const error = await session.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(
      /^60 points, 1 log entry and 1 params or file change were not sent to .*; they are kept in the local copy/,
    );
    // The failed close still wrote everything locally.
    const logFile = path.join(setup.localPath, prefix, "logs", "logs.jsonl");
    expect(await readFile(logFile, "utf8")).toContain("written locally");
    await server.start();
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 100));
  });
});

describe("background flushes while every write fails", () => {
  it("do not pile up: close() waits for a few retry cycles, not one per timer tick", async () => {
    const session = await open("remote", {
      flushIntervalMs: 5,
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 },
    });
    server.refuseNext(Number.MAX_SAFE_INTEGER, {
      filter: (r) => isAppend(r) || r.url.endsWith("/logs"),
    });
    appendRange(session, "t", 0, 10);
    session.log("x");
    // About 60 timer ticks, each finding points buffered.
    await pause(300);
    const before = server.requests.length;
    await expect(session.close()).rejects.toThrow(/10 points, 1 log entry were not sent/);
    // Per stream (the track, the log), 3 attempts each for: the running background write,
    // the one queued behind it, close's own, and the next tick's (the session stays open,
    // so its timer goes on). Piled-up flushes would make hundreds.
    expect(server.requests.length - before).toBeLessThanOrEqual(2 * 4 * 3);
    server.refuseNext(0);
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 10));
  });
});

describe("503 answers", () => {
  it("remote: retries an append refused k times with the same idempotency key; stored once", async () => {
    const session = await open("remote", PATIENT);
    server.refuseNext(3, { filter: isAppend });
    const result = await session.track("t").appendBatch(range(0, 50).map((i) => ({ i, _ts: i })));
    expect(result).toEqual({ count: 50, startIndex: 0, endIndex: 49 });
    const appends = server.requests.filter((r) => r.path.endsWith("/append-batch"));
    expect(appends.map((r) => r.fate)).toEqual(["refused", "refused", "refused", "served"]);
    expect(new Set(appends.map((r) => r.idempotencyKey)).size).toBe(1);
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 50));
  });

  it("remote: retries every kind of call (reads, params, logs, files, the session itself)", async () => {
    server.refuseNext(2);
    const session = await open("remote", PATIENT);
    server.refuseNext(2);
    await session.params.set({ a: 1 });
    server.refuseNext(2);
    expect(await session.params.get()).toEqual({ a: 1 });
    server.refuseNext(2, { status: 502 });
    session.log("x");
    expect((await session.logs.read()).logs).toHaveLength(1);
    server.refuseNext(2, { status: 500, code: "INTERNAL" });
    const file = await session.files.upload(new TextEncoder().encode("abc"), { filename: "f" });
    server.refuseNext(2);
    expect((await session.files.list()).map((f) => f.id)).toEqual([file.id]);
    await session.close();
    expect(server.requests.filter((r) => r.fate === "refused")).toHaveLength(12);
  });

  it("hybrid: the background retries refused sends; the server gets each point once", async () => {
    const session = await open("hybrid", PATIENT);
    server.refuseNext(5, { filter: isAppend });
    appendRange(session, "t", 0, 300);
    await session.tracks.flush();
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 300));
  });
});

describe("answers lost after the server did the work", () => {
  it("remote: a retried append-batch is answered from the server's memory, not stored twice", async () => {
    const session = await open("remote", PATIENT);
    server.loseAnswerOfNext(1, isAppend);
    appendRange(session, "t", 0, 100);
    await session.tracks.flush();
    await session.close();
    const appends = server.requests.filter((r) => r.path.endsWith("/append-batch"));
    expect(appends.map((r) => r.fate)).toEqual(["answer-lost", "served"]);
    expect(appends[0]?.idempotencyKey).toBe(appends[1]?.idempotencyKey);
    expect(await serverRows("t")).toEqual(range(0, 100));
  });

  it("remote: a flush split in parts resends only what was not acknowledged", async () => {
    const session = await open("remote", { ...PATIENT, maxPointsPerRequest: 100 });
    let seen = 0;
    // Lose the answer of the third part.
    server.loseAnswerOfNext(1, (request) => isAppend(request) && ++seen === 3);
    appendRange(session, "t", 0, 450);
    await session.tracks.flush();
    await session.close();
    const appends = server.requests.filter((r) => r.path.endsWith("/append-batch"));
    expect(appends).toHaveLength(6);
    expect(await serverRows("t")).toEqual(range(0, 450));
  });

  it("remote: a retried log write stores its entries once", async () => {
    const session = await open("remote", PATIENT);
    server.loseAnswerOfNext(1, (r) => r.method === "POST" && r.url.endsWith("/logs"));
    session.log("one");
    session.log("two");
    const { logs } = await session.logs.read();
    expect(logs.map((e) => [e.sequenceNumber, e.message])).toEqual([
      [0, "one"],
      [1, "two"],
    ]);
    await session.close();
  });

  it("hybrid: a lost answer is retried in the background without a duplicate", async () => {
    const session = await open("hybrid", PATIENT);
    server.loseAnswerOfNext(2, isAppend);
    appendRange(session, "t", 0, 200);
    await session.tracks.flush();
    appendRange(session, "t", 200, 400);
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 400));
  });
});

describe("4xx answers", () => {
  it("are not retried: the server's code becomes the error class", async () => {
    const session = await open("remote", PATIENT);
    server.refuseNext(1, { status: 400, code: "INVALID_ARGUMENT", filter: isAppend });
    const error = await session
      .track("t")
      .appendBatch([{ i: 1 }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe("Refused by the test switch");
    expect(server.requests.filter((r) => r.path.endsWith("/append-batch"))).toHaveLength(1);
    // The batch stays buffered; the next flush sends it.
    await session.close();
    expect(await serverRows("t")).toEqual([1]);
  });

  it("a wrong token fails the open at once with UnauthenticatedError", async () => {
    setup = await modeSetup("remote", server);
    await expect(
      Session.open({ ...QUIET, ...PATIENT, prefix, url: server.url, apiKey: "not-a-token" }),
    ).rejects.toThrow(UnauthenticatedError);
    expect(server.requests).toHaveLength(1);
  });

  it("a remote session without a token is refused before any request", async () => {
    setup = await modeSetup("remote", server);
    const saved = process.env["DREAMLAKE_API_KEY"];
    delete process.env["DREAMLAKE_API_KEY"];
    try {
      await expect(Session.open({ ...QUIET, prefix, url: server.url })).rejects.toThrow(
        /needs a server token: pass apiKey, or set DREAMLAKE_API_KEY/,
      );
    } finally {
      if (saved !== undefined) process.env["DREAMLAKE_API_KEY"] = saved;
    }
    expect(server.requests).toHaveLength(0);
  });

  it("the token may come from DREAMLAKE_API_KEY", async () => {
    setup = await modeSetup("remote", server);
    const saved = process.env["DREAMLAKE_API_KEY"];
    process.env["DREAMLAKE_API_KEY"] = server.token;
    try {
      const session = await Session.open({ ...QUIET, prefix, url: server.url });
      await session.close();
    } finally {
      if (saved === undefined) delete process.env["DREAMLAKE_API_KEY"];
      else process.env["DREAMLAKE_API_KEY"] = saved;
    }
  });
});

describe("request limits", () => {
  it("a flush is split to the client's maxPointsPerRequest and maxRequestBytes", async () => {
    const session = await open("remote", { maxPointsPerRequest: 300, maxRequestBytes: 4096 });
    appendRange(session, "t", 0, 1000);
    await session.tracks.flush();
    const appends = server.requests.filter((r) => r.path.endsWith("/append-batch"));
    expect(appends.length).toBeGreaterThanOrEqual(Math.ceil(1000 / 300));
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 1000));
  });

  it("hybrid: the outbox reads its ranges back in pages of maxPointsPerRequest", async () => {
    const session = await open("hybrid", { maxPointsPerRequest: 64 });
    appendRange(session, "t", 0, 1000);
    await session.close();
    const appends = server.requests.filter((r) => r.path.endsWith("/append-batch"));
    expect(appends).toHaveLength(Math.ceil(1000 / 64));
    expect(await serverRows("t")).toEqual(range(0, 1000));
  });

  it("a server with smaller limits answers 413; the client halves its requests until they fit", async () => {
    await server.close();
    server = await startSdkServer({
      DREAMLAKE_MAX_POINTS_PER_REQUEST: "64",
      DREAMLAKE_MAX_BODY_BYTES: "4096",
    });
    const session = await open("remote");
    appendRange(session, "t", 0, 1000);
    session.log("a".repeat(100));
    await session.close();
    expect(await serverRows("t")).toEqual(range(0, 1000));
  });
});

describe("a client that disconnects in the middle of an upload", () => {
  it("fails that upload only: the server keeps answering", async () => {
    const session = await open("remote");
    const sessionId = await session.files
      .upload(new TextEncoder().encode("x"), { filename: "first" })
      .then((record) => record.sessionId);
    const { hostname, port } = new URL(server.url);
    await new Promise<void>((resolve) => {
      const upload = httpRequest({
        hostname,
        port,
        path: `/sessions/${sessionId}/files`,
        method: "POST",
        headers: {
          authorization: `Bearer ${server.token}`,
          "content-type": "multipart/form-data; boundary=B",
        },
      });
      upload.on("error", () => {
        resolve();
      });
      upload.write(
        '--B\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nsome bytes',
      );
      // Gone before the rest of the body: the server sees the connection reset.
      setTimeout(() => {
        upload.destroy();
        resolve();
      }, 20);
    });
    await pause(50);
    expect((await session.files.list()).map((f) => f.filename)).toEqual(["first"]);
    await session.close();
  });
});

describe("a server that never answers", () => {
  let silent: Server;
  afterEach(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("is given up on after requestTimeoutMs without a byte, and retried", async () => {
    let requests = 0;
    silent = createServer(() => {
      requests++;
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    setup = await modeSetup("remote", server);
    const error = await Session.open({
      ...QUIET,
      prefix,
      url: `http://127.0.0.1:${port}`,
      apiKey: "t",
      requestTimeoutMs: 100,
      retry: { maxAttempts: 2, initialDelayMs: 1 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/failed 2 times .* no byte moved for 100 ms/);
    expect(requests).toBe(2);
  });
});
