import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session, type IndexedPoint } from "../src/index.js";
import { makeTempDir } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
let session: Session;
beforeEach(async () => {
  temp = await makeTempDir();
  session = await Session.open({
    prefix: "ws/run",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
  });
});
afterEach(async () => {
  await session.close();
  await temp.cleanup();
});

/** Changes every field of every returned point, nested values included. */
function scribble(rows: readonly IndexedPoint[]): void {
  for (const row of rows) {
    const data = row.data as Record<string, unknown>;
    (data["nested"] as { list: number[] }).list.push(99);
    (data["bytes"] as Uint8Array)[0] = 0xff;
    data["v"] = "changed";
    data["_ts"] = -1;
  }
}

describe("points returned by a read", () => {
  it("belong to the caller: changing them changes no later read", async () => {
    const track = session.track("t");
    const point = (v: number) => ({
      v,
      nested: { list: [v] },
      bytes: Uint8Array.of(v),
      _ts: v,
    });
    // A row record (one point flushed alone) and a columnar record (a batch).
    track.append(point(1));
    await track.flush();
    await track.appendBatch([point(2), point(3)]);
    const expected = (await track.read()).data.map((row) => structuredClone(row));

    scribble((await track.read()).data);
    scribble((await track.readByTime()).data);
    scribble((await track.readByTime({ reverse: true, limit: 2 })).data);

    expect((await track.read()).data).toEqual(expected);
    expect((await track.readByTime()).data).toEqual(expected);
  });
});
