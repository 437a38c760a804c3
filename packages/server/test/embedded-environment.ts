/**
 * This process's environment without the variables that turn the server's tiers on
 * (`npm test` exports them for the tiered suites): a `dreamlake-server` started with it
 * runs embedded, on its data folder.
 */
export function embeddedEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        name !== "DATABASE_URL" &&
        name !== "MONGODB_URI" &&
        name !== "DREAMLAKE_MONGODB_DATABASE" &&
        !name.startsWith("S3_") &&
        name !== "DREAMLAKE_COLD_DIR",
    ),
  );
}
