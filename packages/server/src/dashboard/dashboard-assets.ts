/**
 * The dashboard's built files (`packages/dashboard/dist`), loaded once into memory: a few
 * hundred kilobytes that every page load needs, served without touching the disk and
 * without any path from a request reaching the file system.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { FailedPreconditionError } from "dreamlake/engine";

/** One file of the app. */
export type DashboardAsset = {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
  /** Whether its name carries a content hash (Vite's `assets/`): cached for a year. */
  readonly isImmutable: boolean;
};

/** The app's files by URL path (`/index.html`, `/assets/index-3f2a.js`). */
export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

/** Most bytes of built files the server keeps in memory. */
const MAX_ASSET_BYTES = 16 * 1024 * 1024;

/**
 * Reads every file under `directory` (the Vite build).
 *
 * @throws {FailedPreconditionError} when it has no `index.html` (the app was not built:
 *   `npm run build`) or holds more than 16 MiB
 */
export async function loadDashboardAssets(directory: string): Promise<DashboardAssets> {
  const assets = new Map<string, DashboardAsset>();
  let total = 0;
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const urlPath = `/${path.relative(directory, file).split(path.sep).join("/")}`;
    const bytes = new Uint8Array(await readFile(file));
    total += bytes.byteLength;
    if (total > MAX_ASSET_BYTES) {
      throw new FailedPreconditionError(
        `The dashboard build in ${directory} holds more than ${MAX_ASSET_BYTES} bytes`,
      );
    }
    assets.set(urlPath, {
      bytes,
      contentType: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
      isImmutable: urlPath.startsWith("/assets/"),
    });
  }
  if (!assets.has("/index.html")) {
    throw new FailedPreconditionError(
      `No dashboard build in ${directory} (index.html is missing): run npm run build`,
    );
  }
  return assets;
}
