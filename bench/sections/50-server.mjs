// The embedded server under write load: 4 concurrent clients each send appendBatch
// requests of 1,000 points (JSON, as the Python client sends them) to their own session,
// while a fifth client reads the newest 100 points of one of those tracks with by-time,
// one request after another. The server is the built `dreamlake-server` binary in a child
// process (embedded storage in a temporary data folder); all clients run in this process,
// over HTTP/1.1 keep-alive (node:http). Clients and server share this machine's cores, so
// the clients keep their own work small: each body is JSON prepared before the run, in
// which only the `_ts` digits are written per request (fresh and increasing, as a live
// client sends them).
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const title = "server (embedded)";
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = path.join(root, "packages", "server", "dist", "main.js");
const CLIENTS = 4;
const POINTS_PER_REQUEST = 1000;
const READ_LIMIT = 100;

async function startServer(dataDir) {
  return startServerWith({ ...embeddedEnvironment(), DREAMLAKE_DATA_DIR: dataDir });
}

/** Starts the built server with `env` (plus PORT=0, HOST) and mints a token for it. */
export async function startServerWith(serverEnv) {
  const env = { ...serverEnv, PORT: "0", HOST: "127.0.0.1" };
  const child = spawn(process.execPath, [binary], { env, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  const token = execFileSync(process.execPath, [binary, "token", "bench"], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  return { child, url, token };
}

/**
 * Request bodies of 1,000 points `{_ts, value, step, epoch}` as JSON.stringify writes them,
 * prepared once; `fill(buffer, firstMs)` writes fresh `_ts` values into a copy: one point per
 * millisecond from `firstMs`, each written as seconds with 3 decimals (`1764000000.123`), so
 * the digits go straight into the bytes and the client spends almost nothing per request.
 */
export function bodyTemplate(variant) {
  const placeholder = "0000000000.000";
  const points = new Array(POINTS_PER_REQUEST);
  for (let i = 0; i < POINTS_PER_REQUEST; i++) {
    const step = variant * POINTS_PER_REQUEST + i;
    points[i] = { _ts: 0, value: Math.sin(step), step, epoch: Math.floor(step / 10_000) };
  }
  const text = JSON.stringify({ dataPoints: points }).replaceAll(
    '"_ts":0,',
    `"_ts":${placeholder},`,
  );
  const bytes = Buffer.from(text, "utf8");
  const offsets = [];
  for (let at = bytes.indexOf(`"_ts":${placeholder}`); at !== -1;) {
    offsets.push(at + 6);
    at = bytes.indexOf(`"_ts":${placeholder}`, at + 1);
  }
  return (firstMs) => {
    const body = Buffer.from(bytes);
    for (let i = 0; i < offsets.length; i++) {
      let ms = firstMs + i;
      const at = offsets[i];
      // 10 integer digits, ".", 3 decimals: fixed width, written from the right.
      for (let d = 13; d >= 0; d--) {
        if (d === 10) continue;
        body[at + d] = 48 + (ms % 10);
        ms = Math.floor(ms / 10);
      }
      body[at + 10] = 46;
    }
    return body;
  };
}

/** A keep-alive HTTP client that sends JSON and parses JSON answers. */
export function httpClient(url, token) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const send = (method, requestPath, body) =>
    new Promise((resolve, reject) => {
      const headers = { authorization: `Bearer ${token}` };
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      const request = http.request(
        { hostname, port, path: requestPath, method, agent, headers },
        (response) => {
          const chunks = [];
          response.on("data", (chunk) => chunks.push(chunk));
          response.on("end", () => {
            const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            if (response.statusCode === 200) resolve(parsed);
            else reject(new Error(`${method} ${requestPath}: ${JSON.stringify(parsed)}`));
          });
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function peakRssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

export async function run({ quick }) {
  const durationMs = quick ? 2_000 : 10_000;
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-server-"));
  const server = await startServer(dataDir);
  const api = httpClient(server.url, server.token);
  try {
    const ids = [];
    for (let c = 0; c < CLIENTS; c++) {
      const body = JSON.stringify({ name: `robot-${c}` });
      ids.push((await api.send("POST", "/workspaces/bench/sessions", body)).session.id);
    }
    const templates = Array.from({ length: 8 }, (_, variant) => bodyTemplate(variant));
    const requestsBy = new Array(CLIENTS).fill(0);
    const append = async (c) => {
      const request = requestsBy[c]++;
      const firstMs = 1_764_000_000_000 + request * POINTS_PER_REQUEST;
      const body = templates[request % templates.length](firstMs);
      const result = await api.send(
        "POST",
        `/sessions/${ids[c]}/tracks/robot/pose/append-batch`,
        body,
      );
      return result.count;
    };
    // Warm-up: a few requests per client, so that the read has data and the JIT is warm.
    for (let i = 0; i < 5; i++) await Promise.all(ids.map((_, c) => append(c)));

    let written = 0;
    const appendLatencies = [];
    const readLatencies = [];
    const cpuBefore = await cpuSeconds(server.child.pid);
    const started = performance.now();
    const deadline = started + durationMs;
    const writer = async (c) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        // Not `written += await ...`: that reads `written` before the await and loses the
        // other clients' counts.
        const count = await append(c);
        written += count;
        appendLatencies.push(performance.now() - sent);
      }
    };
    const reader = async () => {
      const readPath = `/sessions/${ids[0]}/tracks/robot/pose/by-time?limit=${READ_LIMIT}&reverse=true`;
      while (performance.now() < deadline) {
        const sent = performance.now();
        const page = await api.send("GET", readPath);
        readLatencies.push(performance.now() - sent);
        if (page.data.length !== READ_LIMIT)
          throw new Error(`read returned ${page.data.length} points`);
      }
    };
    await Promise.all([...ids.map((_, c) => writer(c)), reader()]);
    const seconds = (performance.now() - started) / 1000;
    const serverCpu = ((await cpuSeconds(server.child.pid)) - cpuBefore) / seconds;
    appendLatencies.sort((a, b) => a - b);
    readLatencies.sort((a, b) => a - b);
    const rate = written / seconds;
    return [
      {
        metric: `appendBatch, ${CLIENTS} clients x 1,000-point requests`,
        value: rate,
        unit: "points/s",
        target: ">= 500,000",
        meets: rate >= 500_000,
      },
      {
        metric: "appendBatch request latency p50",
        value: percentile(appendLatencies, 50),
        unit: "ms",
      },
      {
        metric: "appendBatch request latency p99",
        value: percentile(appendLatencies, 99),
        unit: "ms",
      },
      {
        metric: `by-time read of ${READ_LIMIT} points under that load, p50`,
        value: percentile(readLatencies, 50),
        unit: "ms",
      },
      {
        metric: `by-time read of ${READ_LIMIT} points under that load, p99`,
        value: percentile(readLatencies, 99),
        unit: "ms",
      },
      { metric: "by-time reads completed", value: readLatencies.length, unit: "reads" },
      { metric: "server CPU during the run", value: serverCpu * 100, unit: "% of one core" },
      {
        // Load-independent: what the server spends (all threads, reads included) per request.
        metric: "server CPU per 1,000 appended points",
        value: ((serverCpu * seconds) / written) * 1_000_000,
        unit: "ms",
      },
      { metric: "server peak RSS", value: await peakRssMb(server.child.pid), unit: "MB" },
    ];
  } finally {
    api.close();
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU time (user + system) a process used so far, in seconds (Linux /proc). */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The environment without the tier settings: this server must run on its embedded storage. */
export function embeddedEnvironment() {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        name !== "DATABASE_URL" &&
        name !== "MONGODB_URI" &&
        !name.startsWith("S3_") &&
        name !== "DREAMLAKE_COLD_DIR",
    ),
  );
}
