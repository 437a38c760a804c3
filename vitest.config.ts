import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (file: string): string =>
  fileURLToPath(new URL(`./packages/dreamlake/src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the SDK, not a stale build.
    alias: [
      { find: /^dreamlake\/engine$/, replacement: source("engine.ts") },
      { find: /^dreamlake$/, replacement: source("index.ts") },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
