import type { ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

/**
 * The URL a starting server process prints (`listening on http://...`). A process that
 * exits first rejects, naming `what` and giving its output (and `moreOutput()`, such as its
 * standard error).
 */
export function listeningUrl(
  child: ChildProcessByStdio<null, Readable, Readable>,
  what = "the server",
  moreOutput: () => string = () => "",
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (code) => {
      reject(new Error(`${what} exited with ${String(code)}: ${output}${moreOutput()}`));
    });
  });
}
