import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";
import { ROOT_OPTIONS, rootOf } from "../common-options.js";
import { runDemo } from "../demo.js";

/** `dreamlake demo`: a training loop and a robot loop on local files, read back. */
export const DEMO_COMMAND: CommandSpec = {
  name: "demo",
  summary: "write a short training run and robot run, and read them back",
  options: [
    { flags: "--prefix <workspace/name>", description: "session prefix (default demo/run-<time>)" },
    ...ROOT_OPTIONS,
  ],
  examples: ["dreamlake demo", "dreamlake demo --prefix demo/first --root /tmp/runs"],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    await runDemo(
      { localPath: rootOf(input), prefix: input.text("prefix") ?? `demo/run-${Date.now()}` },
      context.io,
    );
    return EXIT_CODES.ok;
  },
};
