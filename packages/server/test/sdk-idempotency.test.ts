/**
 * The server honours `Idempotency-Key` on writes: a client that retries a write whose
 * answer it lost gets the first answer again, and nothing is stored twice.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IdempotencyMemory } from "../src/http/idempotency.js";
import { startTestServer, type TestServer } from "./test-server.js";

let server: TestServer;
let id: string;

beforeEach(async () => {
  server = await startTestServer();
  id = await server.session("run-1");
});
afterEach(async () => {
  await server.close();
});

const append = (key: string | undefined, points: unknown[] = [{ _ts: 1, v: 1 }], session = id) =>
  server.call("POST", `/sessions/${session}/tracks/t/append-batch`, {
    body: { dataPoints: points },
    headers: key === undefined ? {} : { "idempotency-key": key },
  });

async function total(session = id): Promise<number> {
  const response = await server.call("GET", `/sessions/${session}/tracks/t/stats`);
  if (response.status === 404) return 0;
  return ((await response.json()) as { totalDataPoints: number }).totalDataPoints;
}

describe("Idempotency-Key on append-batch", () => {
  it("answers a repeated request with the first answer and stores nothing more", async () => {
    const first = await append("k-1");
    const again = await append("k-1");
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(await first.text());
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await total()).toBe(1);
  });

  it("stores requests with different keys, and requests without a key, each time", async () => {
    await append("k-1");
    await append("k-2");
    await append(undefined);
    await append(undefined);
    expect(await total()).toBe(4);
  });

  it("keeps keys apart per session and per route", async () => {
    const other = await server.session("run-2");
    await append("k-1");
    await append("k-1", undefined, other);
    const log = await server.call("POST", `/sessions/${id}/logs`, {
      body: { logs: [{ message: "m" }] },
      headers: { "idempotency-key": "k-1" },
    });
    expect(log.headers.get("idempotent-replayed")).toBeNull();
    expect(await total()).toBe(1);
    expect(await total(other)).toBe(1);
  });

  it("keeps keys apart per user", async () => {
    const bobs = await server.session("run-1", { user: "bob" });
    await append("k-1");
    const response = await server.call("POST", `/sessions/${bobs}/tracks/t/append-batch`, {
      body: { dataPoints: [{ _ts: 1 }] },
      headers: { "idempotency-key": "k-1" },
      user: "bob",
    });
    expect(response.headers.get("idempotent-replayed")).toBeNull();
  });

  it("does not remember an error: the repeat runs as a new request", async () => {
    const refused = await append("k-1", []);
    expect(refused.status).toBe(400);
    const accepted = await append("k-1");
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get("idempotent-replayed")).toBeNull();
    expect(await total()).toBe(1);
  });

  it("makes a repeat that arrives while the first still runs wait for its answer", async () => {
    const points = Array.from({ length: 2000 }, (_, i) => ({ _ts: i, v: i }));
    const [a, b] = await Promise.all([append("k-1", points), append("k-1", points)]);
    expect(await a.text()).toBe(await b.text());
    expect(await total()).toBe(2000);
  });

  it("refuses a key that is not 1 to 255 visible ASCII characters", async () => {
    for (const key of ["a b", "x".repeat(256), "é"]) {
      const response = await append(key);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe("INVALID_ARGUMENT");
    }
    expect(await total()).toBe(0);
  });
});

describe("Idempotency-Key on the other writes", () => {
  it("answers a repeated file delete with its first answer", async () => {
    const form = new FormData();
    form.append("file", new Blob(["bytes"]), "f.txt");
    const uploaded = (await (
      await server.call("POST", `/sessions/${id}/files`, { body: form })
    ).json()) as { id: string };
    const remove = () =>
      server.call("DELETE", `/sessions/${id}/files/${uploaded.id}`, {
        headers: { "idempotency-key": "d-1" },
      });
    const first = await remove();
    const again = await remove();
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(await first.text());
  });

  it("ignores the key on reads", async () => {
    await append("k-1");
    const read = await server.call("GET", `/sessions/${id}/tracks/t?s=0&limit=1`, {
      headers: { "idempotency-key": "k-1" },
    });
    expect(read.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("IdempotencyMemory", () => {
  const answer = { status: 200, body: "{}", contentType: "application/json" };

  it("forgets the oldest answered keys of a session past keysPerSession", () => {
    const memory = new IdempotencyMemory({ keysPerSession: 2, sessions: 10, maxAnswerBytes: 100 });
    for (const key of ["a", "b", "c"]) memory.begin("s", key)(answer);
    expect(memory.get("s", "a")).toBeUndefined();
    expect(memory.get("s", "b")?.kind).toBe("answered");
    expect(memory.get("s", "c")?.kind).toBe("answered");
  });

  it("forgets the least recently used session past sessions", () => {
    const memory = new IdempotencyMemory({ keysPerSession: 2, sessions: 2, maxAnswerBytes: 100 });
    memory.begin("s1", "a")(answer);
    memory.begin("s2", "a")(answer);
    memory.begin("s1", "b")(answer);
    memory.begin("s3", "a")(answer);
    expect(memory.get("s2", "a")).toBeUndefined();
    expect(memory.get("s1", "a")?.kind).toBe("answered");
  });

  it("never forgets a key whose request still runs", () => {
    const memory = new IdempotencyMemory({ keysPerSession: 1, sessions: 10, maxAnswerBytes: 100 });
    memory.begin("s", "running");
    memory.begin("s", "b")(answer);
    expect(memory.get("s", "running")?.kind).toBe("running");
  });

  it("does not keep answers larger than maxAnswerBytes, nor failures", () => {
    const memory = new IdempotencyMemory({ keysPerSession: 5, sessions: 5, maxAnswerBytes: 3 });
    memory.begin("s", "big")({ ...answer, body: "1234" });
    memory.begin("s", "failed")(undefined);
    expect(memory.get("s", "big")).toBeUndefined();
    expect(memory.get("s", "failed")).toBeUndefined();
  });
});
