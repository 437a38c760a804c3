import { createRequire } from "node:module";

/** The version of the dreamlake package, from its package.json (`src/` and `dist/` sit beside it). */
export function packageVersion(): string {
  const manifest: unknown = createRequire(import.meta.url)("../../package.json");
  const version =
    typeof manifest === "object" && manifest !== null && "version" in manifest
      ? manifest.version
      : undefined;
  return typeof version === "string" ? version : "unknown";
}
