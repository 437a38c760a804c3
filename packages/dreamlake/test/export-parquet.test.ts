import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "vitest";
import { exportTables } from "../src/exchange/export-tables.js";
import { tableFormat } from "../src/exchange/export-formats.js";
import { folderTarget } from "../src/exchange/node/file-target.js";
import { openLocalSessionReader } from "../src/session/local-session-reader.js";
import { Session } from "../src/session/session.js";
import { readParquet } from "./pyarrow-reader.js";
import { makeTempDir } from "./test-utils.js";

describe("Parquet export, read back by pyarrow", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("maps every kind of field to a typed column", async () => {
    const session = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
    await session.track("mixed").appendBatch([
      {
        loss: 0.5,
        step: 1,
        ok: true,
        name: "a",
        pose: { x: 1.5, y: 2 },
        joints: [1, 2.5],
        _ts: 1000.25,
      },
      {
        loss: 1,
        step: 2,
        ok: false,
        name: "",
        pose: { x: 2, y: 3.5 },
        joints: [],
        big: 2n ** 60n,
        _ts: 1001,
      },
      { loss: Number.NaN, step: 3, bytes: new Uint8Array([1, 2, 3]), any: "text", _ts: 1002 },
      { any: 3, nothing: null, _ts: 1003 },
    ]);
    await session.close();
    const reader = await openLocalSessionReader(temp.dir, "p/s");
    const out = path.join(temp.dir, "out");
    const files = await exportTables(
      [
        {
          name: "mixed",
          expectedPoints: 4,
          scan: () =>
            reader.tracks.scanColumns("mixed", {
              startTime: undefined,
              endTime: undefined,
              fields: undefined,
            }),
        },
      ],
      await tableFormat("parquet"),
      folderTarget(out),
      "folder",
    );
    await reader.close();
    const file = path.join(out, "mixed.parquet");
    const read = (await readParquet([file]))[file];
    console.log(JSON.stringify(files), JSON.stringify(read, null, 1));
  });
});
