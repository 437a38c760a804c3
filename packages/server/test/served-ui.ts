/** `dreamlake ui` as the server's `ui` command runs it, in this process, for the tests. */
import { run } from "../src/cli.js";
import { keepingLog } from "./tiers-fixtures.js";

/** Runs `ui --root <folder> --port 0` in this process until `stop()`. */
export async function startUi(
  args: readonly string[],
  cwd: string,
): Promise<{ readonly url: string; readonly output: string[]; stop(): Promise<number> }> {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let onUrl: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => (onUrl = resolve));
  const output: string[] = [];
  const exit = run(["ui", ...args], {
    env: {},
    cwd,
    stdout: (text) => output.push(text),
    stderr: (text) => output.push(text),
    waitForShutdown: () => stopped,
    log: keepingLog(),
    onListening: onUrl,
  });
  const url = await Promise.race([
    listening,
    exit.then((code) => {
      throw new Error(`ui exited with ${code}: ${output.join("")}`);
    }),
  ]);
  return {
    url,
    output,
    async stop() {
      stop();
      return exit;
    },
  };
}
