import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { ROOT_OPTIONS, rootOf } from "../common-options.js";
import { runServerCommand } from "../server-package.js";

/** `dreamlake ui`: the dashboard over a local folder (the server's `ui` command). */
export const UI_COMMAND: CommandSpec = {
  name: "ui",
  summary: "the dashboard in your browser, over a local folder (needs @dreamlake/server)",
  description:
    "Serves the dashboard (sessions, charts, logs, files, live updates) over the local " +
    "folder on 127.0.0.1, without a token, and prints its URL. Ctrl-C stops it.",
  options: [
    ...ROOT_OPTIONS,
    { flags: "--port <n>", description: "TCP port", defaultValue: "4000" },
  ],
  examples: ["dreamlake ui", "dreamlake ui --root /tmp/runs --port 4100"],
  run(input: CommandInput, context: CliContext): Promise<number> {
    return runServerCommand(
      ["ui", "--root", rootOf(input), "--port", input.text("port") ?? "4000"],
      context,
    );
  },
};
