import type { FlatParams } from "../core/flatten-params.js";
import type { JsonValue } from "../core/json-value.js";
import type { ParamsBackend } from "../session/params-backend.js";
import type { RemoteContext } from "./remote-tracks.js";
import { WireFields } from "./wire-fields.js";

/**
 * `GET` / `POST /sessions/{id}/parameters`: `{ data: { "<dotted.key>": value }, version, ... }`,
 * read as the flat params.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseParamsAnswer(value: unknown, what: string): FlatParams {
  const data = WireFields.of(value, what).nullableRecord("data");
  // JSON.parse gives JSON values only.
  return { ...(data ?? {}) } as Readonly<Record<string, JsonValue>>;
}

/**
 * The params of a session on a dreamlake server. A set is one `POST` that the server
 * merges into its document (setting the same values again changes nothing, so a retry
 * after a lost answer is harmless).
 */
export class RemoteParams implements ParamsBackend {
  readonly #context: RemoteContext;

  constructor(context: RemoteContext) {
    this.#context = context;
  }

  async set(params: FlatParams): Promise<void> {
    const { client, sessionId } = this.#context;
    await client.call(
      {
        method: "POST",
        path: ["sessions", await sessionId(), "parameters"],
        json: JSON.stringify({ data: params }),
      },
      parseParamsAnswer,
    );
  }

  async get(): Promise<FlatParams> {
    const { client, sessionId } = this.#context;
    return client.call(
      { method: "GET", path: ["sessions", await sessionId(), "parameters"] },
      parseParamsAnswer,
    );
  }
}
