import { Buffer } from "node:buffer";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLUMNS_CONTENT_TYPE } from "dreamlake/engine";
import { startTestServer, type TestServer } from "./test-server.js";

/**
 * `append-batch` with a body of columns (`COLUMNS_CONTENT_TYPE`, what `dreamlake sync`
 * sends): the same points as the object form, the same checks, and nothing stored when a
 * check fails.
 */
let server: TestServer;
let id: string;

beforeAll(async () => {
  server = await startTestServer({ DREAMLAKE_MAX_POINTS_PER_REQUEST: "50" });
  id = await server.session("columns");
});
afterAll(async () => {
  await server.close();
});

const JSON_HEADERS = { "content-type": COLUMNS_CONTENT_TYPE };

const postColumns = (track: string, body: unknown): Promise<Response> =>
  server.call("POST", `/sessions/${id}/tracks/${track}/append-batch`, {
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: JSON_HEADERS,
  });

const postRows = (track: string, dataPoints: readonly unknown[]): Promise<Response> =>
  server.call("POST", `/sessions/${id}/tracks/${track}/append-batch`, { body: { dataPoints } });

async function readAll(track: string): Promise<unknown[]> {
  const response = await server.call("GET", `/sessions/${id}/tracks/${track}?s=0&limit=10000`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: unknown[] }).data;
}

async function storedPoints(track: string): Promise<number> {
  const response = await server.call("GET", `/sessions/${id}/tracks/${track}/stats`);
  if (response.status === 404) return 0;
  return ((await response.json()) as { totalDataPoints: number }).totalDataPoints;
}

/** `{"float64": "<base64>"}` of little-endian doubles. */
function float64(values: readonly number[]): { float64: string } {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => bytes.writeDoubleLE(value, i * 8));
  return { float64: bytes.toString("base64") };
}

/** A column every point has a number in, as float64; others as they are. */
function withFloat64(columns: Record<string, unknown[]>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [name, column] of Object.entries(columns)) {
    out[name] = column.every((value) => typeof value === "number") ? float64(column) : column;
  }
  return out;
}

/** The object form's points as columns: null where a point lacks a field. */
function columnsOf(points: readonly Record<string, unknown>[]): Record<string, unknown[]> {
  // No prototype: a field named __proto__ is a column like any other.
  const columns = Object.create(null) as Record<string, unknown[]>;
  points.forEach((point, i) => {
    for (const [name, value] of Object.entries(point)) {
      const column = (columns[name] ??= new Array<unknown>(points.length).fill(null));
      column[i] = value;
    }
  });
  return columns;
}

const fieldValue = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ unit: "grapheme" }),
  fc.boolean(),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.string()), { maxLength: 3 }),
  fc.dictionary(
    fc.string({ maxLength: 3 }),
    fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
    {
      maxKeys: 2,
    },
  ),
);

let trackNumber = 0;

describe("append-batch with columns", () => {
  it("stores the same points as the object form, for any points", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record(
            { x: fieldValue, label: fieldValue, "a.b": fieldValue, ["__proto__"]: fieldValue },
            { requiredKeys: [] },
          ),
          { minLength: 1, maxLength: 20 },
        ),
        fc.boolean(),
        async (fields, isFloat64) => {
          const points = fields.map((point, i) => ({ _ts: 1_700_000_000 + i / 8, ...point }));
          trackNumber++;
          const rows = await postRows(`rows-${trackNumber}`, points);
          expect(rows.status).toBe(200);
          const columns = await postColumns(`cols-${trackNumber}`, {
            columns: isFloat64 ? withFloat64(columnsOf(points)) : columnsOf(points),
          });
          expect(columns.status, await columns.clone().text()).toBe(200);
          expect(((await columns.json()) as { count: number }).count).toBe(points.length);
          expect(await readAll(`cols-${trackNumber}`)).toEqual(
            await readAll(`rows-${trackNumber}`),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it("gives the server's time to points without _ts and the previous one to -1", async () => {
    const response = await postColumns("times", { columns: { v: [1, 2, 3], _ts: [null, -1, 5] } });
    expect(response.status).toBe(200);
    const read = (await readAll("times")) as { data: { _ts: number } }[];
    const [first, second, third] = read.map((point) => point.data._ts);
    expect(first).toBeGreaterThan(1_600_000_000);
    expect(second).toBe(first);
    expect(third).toBe(5);
    const noTs = await postColumns("times", { columns: { v: [4] } });
    expect(noTs.status).toBe(200);
  });

  it("keeps the description, tags and metadata of the first append, and a field named __proto__", async () => {
    const body = `{"columns":{"_ts":[1],"__proto__":[7]},"description":"d","tags":["t"],"metadata":{"m":1}}`;
    expect((await postColumns("proto", body)).status).toBe(200);
    const [point] = (await readAll("proto")) as { data: Record<string, unknown> }[];
    expect(Object.getOwnPropertyDescriptor(point?.data, "__proto__")?.value).toBe(7);
    const list = await server.call("GET", `/sessions/${id}/tracks`);
    expect(await list.text()).toMatch(/"description":"d"/);
  });

  it.each([
    ["columns that are not an object", { columns: [[1]] }, 400, /columns must be a JSON object/],
    ["a column that is not an array", { columns: { v: 1 } }, 400, /columns\.v must be an array/],
    ["no point", { columns: {} }, 400, /at least one point/],
    ["columns of different lengths", { columns: { a: [1, 2], b: [1] } }, 400, /same length/],
    ["a bad _ts", { columns: { _ts: [1, "x"], v: [1, 2] } }, 400, /point 1: _ts must be/],
    ["a negative _ts", { columns: { _ts: [-2] } }, 400, /_ts must be a finite number/],
    ["an unknown field", { columns: { v: [1] }, dataPoints: [] }, 400, /dataPoints/],
    ["a lone surrogate", `{"columns":{"v":["ok","\\ud800"]}}`, 400, /point 1.*surrogate/],
    ["a lone surrogate in a name", `{"columns":{"\\udc00":[1]}}`, 400, /surrogate/],
    ["a number beyond a float", `{"columns":{"v":[1e309]}}`, 400, /beyond the range/],
    [
      "nesting past 64 levels",
      `{"columns":{"v":[${"[".repeat(70)}${"]".repeat(70)}]}}`,
      400,
      /64 levels/,
    ],
    ["more points than allowed", { columns: { v: new Array(51).fill(1) } }, 413, /at most 50/],
    ["not JSON", `{"columns":{"v":[1,]}}`, 400, /not valid JSON/],
    ["float64 that is not base64", { columns: { v: { float64: "AAAA!AAAAAA=" } } }, 400, /base64/],
    ["float64 of 7 bytes", { columns: { v: { float64: "AAAAAAAAAA==" } } }, 400, /8-byte/],
    ["float64 that is not text", { columns: { v: { float64: 1 } } }, 400, /base64 text/],
    [
      "float64 beside another key",
      { columns: { v: { float64: "", x: 1 } } },
      400,
      /must be an array/,
    ],
    ["a NaN in float64", { columns: { v: float64([1, Number.NaN]) } }, 400, /v, point 1: NaN/],
    ["an infinity in float64 _ts", { columns: { _ts: float64([Infinity]) } }, 400, /not a finite/],
    ["a float64 _ts below 0", { columns: { _ts: float64([-5]) } }, 400, /_ts must be/],
    [
      "float64 of different lengths",
      { columns: { a: float64([1]), b: [1, 2] } },
      400,
      /same length/,
    ],
    [
      "more float64 points than allowed",
      { columns: { v: float64(new Array(51).fill(1)) } },
      413,
      /at most 50/,
    ],
  ])("refuses %s and stores nothing", async (_name, body, status, message) => {
    trackNumber++;
    const track = `bad-${trackNumber}`;
    const response = await postColumns(track, body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
    expect(await storedPoints(track)).toBe(0);
  });

  it("takes exactly the points-per-request limit", async () => {
    const response = await postColumns("at-limit", { columns: { v: new Array(50).fill(1) } });
    expect(response.status).toBe(200);
    const doubles = await postColumns("at-limit", {
      columns: { v: float64(new Array(50).fill(2)) },
    });
    expect(doubles.status).toBe(200);
    expect(await storedPoints("at-limit")).toBe(100);
  });

  it("keeps every bit of a float64 value, and -1 in a float64 _ts inherits", async () => {
    const values = [0.1, Number.MAX_VALUE, Number.MIN_VALUE, -1e-300, 2 ** 53 + 2];
    const response = await postColumns("bits", {
      columns: { _ts: float64([7, -1, 8, 9, 10]), v: float64(values) },
    });
    expect(response.status).toBe(200);
    const read = (await readAll("bits")) as { data: { _ts: number; v: number } }[];
    expect(read.map((point) => point.data.v)).toEqual(values);
    expect(read.map((point) => point.data._ts)).toEqual([7, 7, 8, 9, 10]);
  });

  it("stores a repeated request with the same idempotency key once", async () => {
    const send = () =>
      server.call("POST", `/sessions/${id}/tracks/once/append-batch`, {
        body: JSON.stringify({ columns: { _ts: [1, 2], v: [1, 2] } }),
        headers: { ...JSON_HEADERS, "idempotency-key": "columns-key-1" },
      });
    expect((await send()).status).toBe(200);
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await storedPoints("once")).toBe(2);
  });
});
