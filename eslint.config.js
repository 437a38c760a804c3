// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Layering rules: each third-party library lives in one adapter, `core` does no I/O. */
const noServer = {
  group: ["@dreamlake/server", "@dreamlake/server/*"],
  message: "the SDK never imports the server",
};
/** Third-party libraries of the SDK, each imported in its adapter files only. */
const sdkAdapters = {
  commander: ["packages/dreamlake/src/cli/commander-program.ts"],
  "@mcap/core": [
    "packages/dreamlake/src/exchange/mcap/mcap-file-writer.ts",
    "packages/dreamlake/src/exchange/mcap/mcap-file-reader.ts",
  ],
  "apache-arrow": ["packages/dreamlake/src/exchange/parquet/arrow-row-group.ts"],
  "parquet-wasm": ["packages/dreamlake/src/exchange/parquet/parquet-stream.ts"],
};
const librariesBut = (/** @type {string | undefined} */ own) =>
  Object.entries(sdkAdapters)
    .filter(([name]) => name !== own)
    .map(([name, files]) => ({
      name,
      message: `${name} is imported in ${files.join(" and ")} only`,
    }));
const sdkLibraries = librariesBut(undefined);
const layering = [
  // In flat config the last matching block sets a rule: the general block comes first.
  {
    files: ["packages/dreamlake/src/**/*.ts"],
    ignores: ["packages/dreamlake/src/cli/**"],
    rules: { "no-restricted-imports": ["error", { paths: sdkLibraries, patterns: [noServer] }] },
  },
  {
    files: ["packages/dreamlake/src/cli/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: sdkLibraries }] },
  },
  {
    files: ["packages/dreamlake/src/exchange/**/*.ts"],
    ignores: ["packages/dreamlake/src/exchange/node/**", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: sdkLibraries,
          patterns: [
            noServer,
            {
              group: ["node:*"],
              message:
                "exporters and importers are pure; their Node adapters live in exchange/node/",
            },
          ],
        },
      ],
    },
  },
  // Each adapter file may import its own library (and no other).
  ...Object.entries(sdkAdapters).map(([name, files]) => ({
    files,
    rules: {
      "no-restricted-imports": ["error", { paths: librariesBut(name), patterns: [noServer] }],
    },
  })),
  {
    files: ["packages/dreamlake/src/core/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: sdkLibraries,
          patterns: [noServer, { group: ["node:*"], message: "core is pure logic: no Node APIs" }],
        },
      ],
    },
  },
  {
    files: [
      "packages/dreamlake/src/storage/codec/**/*.ts",
      "packages/dreamlake/src/storage/index/**/*.ts",
      "packages/dreamlake/src/storage/track/**/*.ts",
    ],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: sdkLibraries,
          patterns: [
            noServer,
            {
              group: ["node:*"],
              message:
                "the track engine works through storage/ports.ts; Node adapters live in storage/node/",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["packages/server/src/**/*.ts"],
    ignores: [
      "packages/server/src/postgres/postgres-database.ts",
      "packages/server/src/tiers/cold/s3-object-store.ts",
      "packages/server/src/auth/jose-token-verifier.ts",
      "packages/server/src/mongo/**",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "pg", message: "the database driver lives in postgres/postgres-database.ts" },
            { name: "mongodb", message: "the MongoDB driver is imported in mongo/ only" },
            { name: "jose", message: "tokens are verified in auth/jose-token-verifier.ts" },
          ],
          patterns: [
            { group: ["@aws-sdk/*"], message: "the S3 client lives in s3-object-store.ts" },
          ],
        },
      ],
    },
  },
  {
    // Optional peer dependencies (pg, the AWS SDK) are read only when their feature is on:
    // modules that import them are loaded with loadWithDependency (optional-dependency.ts).
    files: ["packages/server/src/**/*.ts"],
    ignores: [
      "packages/server/src/postgres/**",
      "packages/server/src/mongo/**",
      "packages/server/src/replica/**",
      "packages/server/src/tiers/hot/**",
      "packages/server/src/tiers/cold/**",
    ],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/replica/replica-server.js",
                "**/postgres/*.js",
                "**/mongo/*.js",
                "**/hot/postgres-*.js",
                "**/cold/s3-object-store.js",
              ],
              allowTypeImports: true,
              message: "modules of optional packages are loaded with loadWithDependency",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["packages/server/src/replica/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/cold/s3-object-store.js"],
              allowTypeImports: true,
              message: "the AWS SDK is loaded with loadWithDependency, only for an S3 cold tier",
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      "vitest.config.ts",
      "**/dist/**",
      "**/build/**",
      "node_modules/**",
      "**/*.js",
      "**/*.mjs",
      "coverage/**",
      "packages/server/test/fixtures/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "TSEnumDeclaration", message: "use an `as const` object and a union" },
        { selector: "ExportDefaultDeclaration", message: "named exports only" },
      ],
    },
  },
  ...layering,
  {
    files: ["**/*.test.ts", "**/test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
);
