import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of the dashboard's build: `DREAMLAKE_DASHBOARD_DIR` when set, else the
 * `dist/dashboard-app/` of this package, where `npm run build` has Vite put it (so the
 * published package carries the page it serves); `undefined` when it is not there.
 */
export function findDashboardBuild(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const configured = env["DREAMLAKE_DASHBOARD_DIR"];
  if (configured !== undefined && configured !== "") return path.resolve(configured);
  // From dist/dashboard/ (the built server), or from src/dashboard/ (the tests' sources).
  const candidates = ["../dashboard-app/", "../../dist/dashboard-app/"].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((candidate) => existsSync(path.join(candidate, "index.html")));
}
