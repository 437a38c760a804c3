/**
 * The contract of the dashboard API (`/api/v1`), run against every way of serving it: the
 * embedded server, a replica on PostgreSQL + S3, and `dreamlake ui` over a local folder.
 * The data is written through the SDK, as a user writes it; answers are checked against
 * the SDK's own reads of the same sessions.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Session, SessionOptions } from "dreamlake";

/** One way of serving the API, with the data written through it. */
export type ApiUnderTest = {
  /** Base URL of the server (`http://127.0.0.1:port`). */
  readonly url: string;
  /** Headers that authenticate a request as alice (empty when the API needs none). */
  readonly headers: Readonly<Record<string, string>>;
  /** Opens an SDK session where this server reads (remote, or the local folder). */
  open(prefix: string, options?: Partial<SessionOptions>): Promise<Session>;
  close(): Promise<void>;
};

const T0 = 1_770_000_000;
export const ALPHA = { prefix: "ws/alpha", points: 5000 } as const;
export const BETA = { prefix: "ws/beta", points: 100 } as const;

/** Writes the two sessions every test reads. */
export async function writeApiData(api: ApiUnderTest): Promise<void> {
  const alpha = await api.open(ALPHA.prefix, {
    tags: ["baseline", "gpu"],
    readme: "the first run",
  });
  await alpha.params.set({ lr: 0.001, model: { layers: 4 }, optimizer: "adam" });
  await alpha.track("train").appendBatch(
    Array.from({ length: ALPHA.points }, (_, i) => ({
      loss: i === 2500 ? 50 : 1 / (1 + i),
      step: i,
      _ts: T0 + i * 0.1,
    })),
  );
  await alpha.track("robot/pose").appendBatch(
    Array.from({ length: 50 }, (_, i) => ({
      position: [i, 2 * i, 3],
      label: `p${i}`,
      _ts: T0 + i,
    })),
  );
  for (let i = 0; i < 30; i++) {
    const level = i % 10 === 9 ? "error" : i % 3 === 0 ? "warn" : "info";
    alpha.log(i === 7 ? "GPU memory high" : `epoch ${i} done`, { level });
  }
  await alpha.files.upload(new TextEncoder().encode("step,loss\n1,0.5\n"), {
    prefix: "/metrics",
    filename: "loss.csv",
    description: "the losses",
  });
  await alpha.close();
  const beta = await api.open(BETA.prefix, { tags: ["sweep"] });
  await beta.params.set({ lr: 0.01, optimizer: "sgd" });
  await beta
    .track("train")
    .appendBatch(
      Array.from({ length: BETA.points }, (_, i) => ({ loss: 2 - i / 100, step: i, _ts: T0 + i })),
    );
  await beta.close();
}

/** Registers the contract tests for one way of serving the API. */
export function describeDashboardApi(
  name: string,
  options: { readonly needsToken: boolean },
  start: () => Promise<ApiUnderTest>,
): void {
  describe(`dashboard API: ${name}`, () => {
    let api: ApiUnderTest;
    let ids: Record<string, string>;
    const get = async (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${api.url}/api/v1${path}`, {
        ...init,
        headers: { ...api.headers, ...(init.headers as Record<string, string> | undefined) },
      });
    const json = async <T = Record<string, unknown>>(path: string): Promise<T> => {
      const response = await get(path);
      if (response.status !== 200) {
        throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      }
      return (await response.json()) as T;
    };

    beforeAll(async () => {
      api = await start();
      await writeApiData(api);
      const list = await json<{ sessions: { id: string; prefix: string }[] }>("/sessions");
      ids = Object.fromEntries(
        list.sessions.map((session) => [session.prefix.split("/").pop(), session.id]),
      );
    }, 120_000);
    afterAll(async () => {
      await (api as ApiUnderTest | undefined)?.close();
    });

    it("lists sessions newest first with tags, point counts and last write", async () => {
      const list = await json<{
        sessions: {
          prefix: string;
          tags: string[];
          trackCount: number;
          pointCount: number;
          lastWriteAt: string;
          description: string | null;
        }[];
        total: number;
        hasMore: boolean;
        tags: string[];
      }>("/sessions");
      expect(list.sessions.map((session) => session.prefix.split("/").slice(-2).join("/"))).toEqual(
        [BETA.prefix, ALPHA.prefix],
      );
      expect(list.total).toBe(2);
      expect(list.hasMore).toBe(false);
      expect(list.tags).toEqual(["baseline", "gpu", "sweep"]);
      const alpha = list.sessions[1]!;
      expect(alpha).toMatchObject({
        tags: ["baseline", "gpu"],
        trackCount: 2,
        pointCount: ALPHA.points + 50,
        description: "the first run",
      });
      expect(Date.parse(alpha.lastWriteAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    });

    it("filters sessions by text, tag and param values, and pages them", async () => {
      const prefixes = async (query: string): Promise<string[]> =>
        (await json<{ sessions: { name: string }[] }>(`/sessions?${query}`)).sessions.map(
          (session) => session.name,
        );
      expect(await prefixes("q=ALP")).toEqual(["alpha"]);
      expect(await prefixes("q=sweep")).toEqual(["beta"]);
      expect(await prefixes("tag=gpu")).toEqual(["alpha"]);
      expect(await prefixes(`param=${encodeURIComponent("lr=0.001")}`)).toEqual(["alpha"]);
      expect(await prefixes(`param=${encodeURIComponent("lr=1e-3")}`)).toEqual(["alpha"]);
      expect(await prefixes(`param=${encodeURIComponent("optimizer=sgd")}`)).toEqual(["beta"]);
      expect(await prefixes(`param=${encodeURIComponent("model.layers=4,lr=0.001")}`)).toEqual([
        "alpha",
      ]);
      expect(await prefixes(`param=${encodeURIComponent("lr=0.5")}`)).toEqual([]);
      const page = await json<{ sessions: { name: string }[]; hasMore: boolean; total: number }>(
        "/sessions?limit=1&offset=0",
      );
      expect(page).toMatchObject({ hasMore: true, total: 2 });
      expect(page.sessions.map((session) => session.name)).toEqual(["beta"]);
      const bad = await get(`/sessions?param=${encodeURIComponent("nokey")}`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: "INVALID_ARGUMENT" });
      expect((await get("/sessions?colour=red")).status).toBe(400);
    });

    it("answers a session, its params and its tracks with stats and numeric fields", async () => {
      const alphaId = ids["alpha"]!;
      expect(await json(`/sessions/${alphaId}`)).toMatchObject({
        id: alphaId,
        name: "alpha",
        workspace: "ws",
        tags: ["baseline", "gpu"],
      });
      expect(await json(`/sessions/${alphaId}/params`)).toMatchObject({
        params: { lr: 0.001, "model.layers": 4, optimizer: "adam" },
      });
      const { tracks } = await json<{ tracks: Record<string, unknown>[] }>(
        `/sessions/${alphaId}/tracks`,
      );
      expect(tracks.map((track) => track["name"])).toEqual(["robot/pose", "train"]);
      expect(tracks[0]).toMatchObject({
        totalDataPoints: 50,
        firstTs: T0,
        lastTs: T0 + 49,
        numericFields: ["position.0", "position.1", "position.2"],
      });
      expect(tracks[1]).toMatchObject({
        totalDataPoints: ALPHA.points,
        numericFields: ["loss", "step"],
      });
      expect((await get(`/sessions/no-such-session/tracks`)).status).toBe(404);
    });

    it("downsamples exactly: min and max per bucket keep a single spike", async () => {
      const alphaId = ids["alpha"]!;
      const result = await json<{
        buckets: {
          startTime: number;
          endTime: number;
          count: number;
          fields: Record<string, { min: number; max: number; count: number }>;
        }[];
      }>(`/sessions/${alphaId}/tracks/train/downsample?buckets=100&fields=loss`);
      expect(result.buckets).toHaveLength(100);
      expect(result.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(ALPHA.points);
      expect(Math.max(...result.buckets.map((bucket) => bucket.fields["loss"]!.max))).toBe(50);
      // Each bucket's min and max are those of the raw points in its time range.
      const check = await api.open(ALPHA.prefix);
      try {
        for (const bucket of result.buckets.slice(20, 30)) {
          const raw = await check.track("train").readByTime({
            startTime: bucket.startTime,
            endTime: bucket.endTime,
            limit: 10_000,
          });
          const losses = raw.data.map((point) => point.data["loss"] as number);
          expect(bucket.fields["loss"]).toMatchObject({
            count: losses.length,
            min: Math.min(...losses),
            max: Math.max(...losses),
          });
        }
      } finally {
        await check.close();
      }
      const nested = await json<{ buckets: { fields: Record<string, { max: number }> }[] }>(
        `/sessions/${alphaId}/tracks/${encodeURIComponent("robot/pose")}/downsample?buckets=5`,
      );
      expect(Object.keys(nested.buckets[0]!.fields).sort()).toEqual([
        "position.0",
        "position.1",
        "position.2",
      ]);
      expect(nested.buckets.at(-1)!.fields["position.1"]!.max).toBe(98);
      expect((await get(`/sessions/${alphaId}/tracks/train/downsample`)).status).toBe(400);
    });

    it("reads raw points by time, as the SDK does", async () => {
      const alphaId = ids["alpha"]!;
      const { points, hasMore } = await json<{
        points: { index: number; data: Record<string, unknown> }[];
        hasMore: boolean;
      }>(
        `/sessions/${alphaId}/tracks/train/points?startTime=${T0 + 100}&endTime=${T0 + 110}&limit=50`,
      );
      expect(hasMore).toBe(true);
      expect(points).toHaveLength(50);
      expect(points[0]).toEqual({
        index: 1000,
        data: { loss: 1 / 1001, step: 1000, _ts: T0 + 100 },
      });
      const newest = await json<{ points: { index: number }[] }>(
        `/sessions/${alphaId}/tracks/${encodeURIComponent("robot/pose")}/points?reverse=true&limit=2`,
      );
      expect(newest.points.map((point) => point.index)).toEqual([49, 48]);
    });

    it("pages logs newest first, by level and by search", async () => {
      const alphaId = ids["alpha"]!;
      type Logs = {
        logs: { sequenceNumber: number; level: string; message: string }[];
        hasMore: boolean;
      };
      const first = await json<Logs>(`/sessions/${alphaId}/logs?limit=10`);
      expect(first.logs.map((log) => log.sequenceNumber)).toEqual(
        Array.from({ length: 10 }, (_, i) => 29 - i),
      );
      expect(first.hasMore).toBe(true);
      const last = await json<Logs>(`/sessions/${alphaId}/logs?limit=10&offset=20`);
      expect(last.logs.at(-1)?.sequenceNumber).toBe(0);
      expect(last.hasMore).toBe(false);
      const errors = await json<Logs>(`/sessions/${alphaId}/logs?level=error`);
      expect(errors.logs.map((log) => log.sequenceNumber)).toEqual([29, 19, 9]);
      const problems = await json<Logs>(`/sessions/${alphaId}/logs?level=warn,error&limit=100`);
      expect(problems.logs.every((log) => log.level === "warn" || log.level === "error")).toBe(
        true,
      );
      const found = await json<Logs>(`/sessions/${alphaId}/logs?search=gpu`);
      expect(found.logs.map((log) => log.message)).toEqual(["GPU memory high"]);
      expect((await get(`/sessions/${alphaId}/logs?level=loud`)).status).toBe(400);
    });

    it("lists files with size and checksum, and downloads their bytes", async () => {
      const alphaId = ids["alpha"]!;
      const { files } = await json<{
        files: {
          id: string;
          filename: string;
          sizeBytes: number;
          checksum: string;
          path: string;
        }[];
      }>(`/sessions/${alphaId}/files`);
      expect(files).toHaveLength(1);
      const file = files[0]!;
      expect(file).toMatchObject({ filename: "loss.csv", path: "/metrics", sizeBytes: 16 });
      expect(file.checksum).toMatch(/^[0-9a-f]{64}$/);
      const download = await get(`/sessions/${alphaId}/files/${file.id}/download`);
      expect(download.status).toBe(200);
      expect(download.headers.get("content-disposition")).toBe(
        "attachment; filename*=UTF-8''loss.csv",
      );
      expect(await download.text()).toBe("step,loss\n1,0.5\n");
      expect((await get(`/sessions/${alphaId}/files/123/download`)).status).toBe(404);
    });

    it("sends live events when a track gets points and the log gets entries", async () => {
      const betaId = ids["beta"]!;
      const controller = new AbortController();
      const response = await get(`/sessions/${betaId}/live?tracks=train,later&logs=true`, {
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = readEvents(response.body!);
      try {
        expect(
          await events.next((event) => event.event === "track" && event.data["name"] === "train"),
        ).toMatchObject({
          data: { totalDataPoints: BETA.points },
        });
        expect(
          await events.next((event) => event.event === "track" && event.data["name"] === "later"),
        ).toMatchObject({
          data: { totalDataPoints: 0 },
        });
        expect(await events.next((event) => event.event === "logs")).toMatchObject({
          data: { newestSequence: null },
        });
        const writer = await api.open(BETA.prefix);
        const startedMs = Date.now();
        await writer.track("train").appendBatch([{ loss: 0.1, step: 100, _ts: T0 + 100 }]);
        writer.log("one more");
        await writer.close();
        expect(
          await events.next((event) => event.event === "track" && event.data["name"] === "train"),
        ).toMatchObject({
          data: { totalDataPoints: BETA.points + 1, lastTs: T0 + 100 },
        });
        expect(await events.next((event) => event.event === "logs")).toMatchObject({
          data: { newestSequence: 0 },
        });
        expect(Date.now() - startedMs).toBeLessThan(5000);
      } finally {
        controller.abort();
      }
    });

    it("describes itself in an OpenAPI document whose every route answers", async () => {
      const response = await fetch(`${api.url}/api/v1/openapi.json`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      expect(document.openapi).toBe("3.1.0");
      const alphaId = ids["alpha"]!;
      for (const [path, operations] of Object.entries(document.paths)) {
        if (path.endsWith("/live")) continue;
        const concrete = path
          .replace("{id}", alphaId)
          .replace("{track}", "train")
          .replace("{fileId}", "1");
        for (const method of Object.keys(operations)) {
          const answer = await get(concrete, {
            method: method.toUpperCase(),
            headers: { "content-type": "application/json" },
            ...(method === "post" ? { body: "{}" } : {}),
          });
          const body = (await answer.json().catch(() => ({}))) as { message?: string };
          expect(body.message ?? "", `${method} ${path}`).not.toMatch(/^No such route/);
        }
      }
    });

    it.runIf(options.needsToken)("refuses requests without a token", async () => {
      const response = await fetch(`${api.url}/api/v1/sessions`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "UNAUTHENTICATED" });
    });
  });
}

type ServerEvent = { readonly event: string; readonly data: Record<string, unknown> };

/** Reads server-sent events off a response body; `next` waits (at most 5 s) for a matching one. */
function readEvents(body: ReadableStream<Uint8Array>): {
  next(match: (event: ServerEvent) => boolean): Promise<ServerEvent>;
} {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const pending: ServerEvent[] = [];
  const pull = async (): Promise<void> => {
    const { value, done } = await reader.read();
    if (done) throw new Error("the event stream ended");
    buffer += value;
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) {
        pending.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
  };
  return {
    async next(match) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const index = pending.findIndex(match);
        if (index !== -1) return pending.splice(index, 1)[0]!;
        if (Date.now() > deadline) throw new Error("no matching event within 5 s");
        await pull();
      }
    },
  };
}
