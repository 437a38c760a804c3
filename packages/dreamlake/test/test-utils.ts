import { mkdtemp, rm, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Clock } from "../src/core/clock.js";

/** The folder of this package's test fixtures. */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

/** A fresh temporary folder, removed by the returned cleanup. */
export async function makeTempDir(): Promise<{ readonly dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "dreamlake-test-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies the Python 0.4.0 fixture session into `root/fixtures/run-a`. */
export async function copyPythonFixture(root: string): Promise<string> {
  const target = path.join(root, "fixtures", "run-a");
  await cp(path.join(FIXTURES, "python-0.4.0", "run-a"), target, { recursive: true });
  return target;
}

/** A clock that advances by `stepSeconds` each time it is read. */
export function steppingClock(startSeconds = 1_700_000_000, stepSeconds = 0.001): Clock {
  let now = startSeconds;
  return {
    nowSeconds: () => {
      const current = now;
      now += stepSeconds;
      return current;
    },
  };
}
