import { openLocalSessionReader } from "../session/local-session-reader.js";
import { openRemoteSessionReader } from "../session/remote-session-reader.js";
import type { SessionReader } from "../session/session-reader.js";
import type { CliContext } from "./cli-io.js";
import type { CommandInput } from "./command-spec.js";
import { rootOf } from "./common-options.js";

/**
 * Opens a session for reading where the command line says (`--root`, or `--url` with the
 * token in `DREAMLAKE_API_KEY`), runs `body` with it and closes it.
 *
 * @throws {NotFoundError} when there is no such session; nothing is created either way
 */
export async function withSessionReader<T>(
  input: CommandInput,
  context: CliContext,
  prefix: string,
  body: (reader: SessionReader) => Promise<T>,
): Promise<T> {
  const url = input.text("url");
  const reader =
    url === undefined
      ? await openLocalSessionReader(rootOf(input), prefix)
      : await openRemoteSessionReader(url, prefix, context.env);
  try {
    return await body(reader);
  } finally {
    await reader.close();
  }
}
