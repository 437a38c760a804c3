import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";

/**
 * Every file and folder below `root`, by relative path: a file as the base64 of its bytes,
 * a folder as `<dir>`. Two snapshots are equal when nothing below `root` changed.
 */
export async function snapshotFolder(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(root, relative), { withFileTypes: true });
    } catch (error: unknown) {
      if (error instanceof Error && "code" in error && error.code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        out[child] = "<dir>";
        await walk(child);
      } else {
        out[child] = (await readFile(path.join(root, child))).toString("base64");
      }
    }
  };
  await walk("");
  return out;
}
