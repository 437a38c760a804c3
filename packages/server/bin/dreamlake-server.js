#!/usr/bin/env node
// The `dreamlake-server` command. npm links a package's commands when it installs it, which
// in a clone of the repository happens before `npm run build` makes dist/: a link to a file
// of dist/ would be skipped, so the link points here and this file loads the built command.
try {
  await import("../dist/main.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("main.js")) {
    throw error;
  }
  process.stderr.write(
    "dreamlake-server: the command is not built yet: run `npm run build` first\n",
  );
  process.exitCode = 1;
}
