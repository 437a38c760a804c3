import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeFileSystem } from "dreamlake/engine";
import type { AppendJournal } from "../src/idempotency/append-journal.js";
import { FileAppendJournal } from "../src/idempotency/file-append-journal.js";
import { MemoryAppendJournal } from "../src/idempotency/memory-append-journal.js";

const NOW = 1_770_000_000;
const intent = (startIndex: number, count: number) => ({
  target: { id: "s1", track: "pose" },
  startIndex,
  count,
  expiresAtSeconds: NOW + 100,
});

/** The contract of the AppendJournal port, for one adapter. */
function describeAppendJournal(
  name: string,
  reopens: boolean,
  make: () => Promise<{
    journal: AppendJournal;
    reopen?: () => Promise<AppendJournal>;
    dispose(): Promise<void>;
  }>,
): void {
  describe(`AppendJournal contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<typeof make>>;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      await fixture.journal.close();
      await fixture.dispose();
    });

    it("answers a confirmed key until it expires, and nothing for an intent alone", async () => {
      const { journal } = fixture;
      await journal.intend("a", "k1", intent(0, 5));
      expect(journal.recorded("a", "k1", NOW)).toBeUndefined();
      await journal.confirm("a", "k1", { startIndex: 0, count: 5 }, NOW + 100);
      expect(journal.recorded("a", "k1", NOW)).toEqual({ startIndex: 0, count: 5 });
      expect(journal.recorded("a", "k1", NOW + 101)).toBeUndefined();
      expect(journal.recorded("b", "k1", NOW)).toBeUndefined();
    });

    it("lists intents left unconfirmed, and forgets an abandoned one", async () => {
      const { journal } = fixture;
      await journal.intend("a", "k1", intent(0, 5));
      await journal.intend("a", "k2", intent(5, 3));
      await journal.confirm("a", "k1", { startIndex: 0, count: 5 }, NOW + 100);
      expect(journal.unconfirmed()).toEqual([{ scope: "a", key: "k2", ...intent(5, 3) }]);
      await journal.abandon("a", "k2");
      expect(journal.unconfirmed()).toEqual([]);
      expect(journal.recorded("a", "k2", NOW)).toBeUndefined();
    });

    if (reopens) {
      it("answers the same after it is opened again", async () => {
        if (fixture.reopen === undefined) throw new Error("this adapter's fixture cannot reopen");
        const { journal } = fixture;
        await journal.intend("a", "k1", intent(0, 5));
        await journal.confirm("a", "k1", { startIndex: 0, count: 5 }, NOW + 100);
        await journal.intend("a", "k2", intent(5, 3));
        await journal.intend("a", "k3", intent(8, 1));
        await journal.abandon("a", "k3");
        const reopened = await fixture.reopen();
        expect(reopened.recorded("a", "k1", NOW)).toEqual({ startIndex: 0, count: 5 });
        expect(reopened.unconfirmed()).toEqual([{ scope: "a", key: "k2", ...intent(5, 3) }]);
      });
    }
  });
}

describeAppendJournal("memory", false, () =>
  Promise.resolve({ journal: new MemoryAppendJournal(), dispose: () => Promise.resolve() }),
);

describeAppendJournal("file", true, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "dreamlake-journal-"));
  const file = path.join(dir, ".append-journal.jsonl");
  const open = () =>
    FileAppendJournal.open(new NodeFileSystem(), file, { nowSeconds: NOW, fsync: false });
  return {
    journal: await open(),
    reopen: open,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("FileAppendJournal", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dreamlake-journal-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = () => path.join(dir, ".append-journal.jsonl");
  const open = (nowSeconds = NOW, maxEntries?: number) =>
    FileAppendJournal.open(new NodeFileSystem(), file(), {
      nowSeconds,
      fsync: false,
      ...(maxEntries === undefined ? {} : { maxEntries }),
    });

  it("skips a torn last line and keeps what came before", async () => {
    const journal = await open();
    await journal.intend("a", "k1", intent(0, 5));
    await journal.confirm("a", "k1", { startIndex: 0, count: 5 }, NOW + 100);
    await writeFile(file(), `${await readFile(file(), "utf8")}{"kind":"done","scope":"a","ke`);
    const reopened = await open();
    expect(reopened.recorded("a", "k1", NOW)).toEqual({ startIndex: 0, count: 5 });
    await reopened.confirm("a", "k2", { startIndex: 5, count: 1 }, NOW + 100);
    expect((await open()).recorded("a", "k2", NOW)).toEqual({ startIndex: 5, count: 1 });
  });

  it("drops expired entries and the oldest past its bound when it is opened", async () => {
    const journal = await open();
    for (let i = 0; i < 5; i++) {
      await journal.confirm("a", `k${i}`, { startIndex: i, count: 1 }, NOW + 10 + i);
    }
    const later = await open(NOW + 11, 2);
    expect(later.recorded("a", "k0", NOW + 11)).toBeUndefined();
    expect(later.recorded("a", "k2", NOW + 11)).toBeUndefined();
    expect(later.recorded("a", "k4", NOW + 11)).toEqual({ startIndex: 4, count: 1 });
    expect((await readFile(file(), "utf8")).trim().split("\n")).toHaveLength(2);
  });
});
