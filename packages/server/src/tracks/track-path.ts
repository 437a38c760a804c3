import { InvalidArgumentError, NotFoundError, validateTrackName } from "dreamlake/engine";

/**
 * What a request under `/sessions/{id}/tracks/` (or `/episodes/{id}/tracks/`) asks for.
 * `read` is 0.4.0's read by index (`.../tracks/{name}`), `data` 0.8's (`.../tracks/{name}/data`).
 */
export type TrackAction =
  "append" | "append-batch" | "read" | "data" | "by-time" | "downsample" | "stats";

/** A track route: the track's name and the action. */
export type TrackPath = { readonly name: string; readonly action: TrackAction };

const POST_ACTIONS: ReadonlySet<string> = new Set(["append", "append-batch"]);
const GET_ACTIONS: ReadonlySet<string> = new Set(["by-time", "downsample", "stats"]);

/**
 * Reads the track name and the action from the raw (still percent-encoded) path segments
 * after `/sessions/{id}/tracks/`. The Python client 0.4.0 sends names unescaped, so
 * `robot/pose` arrives as two segments (`.../tracks/robot/pose/append-batch`); other
 * clients send `robot%2Fpose`. Both give the name `robot/pose`: each segment is decoded,
 * then the segments are joined with `/`.
 *
 * The action is the last raw segment when it is one of the action words and a name
 * precedes it (`append`, `append-batch` for POST; `by-time`, `stats` for GET); any other
 * GET reads by index. An encoded `%2F` never splits an action off, so a client that
 * encodes names can read a track whose last segment is `stats`.
 *
 * @param getActions the GET action words of the dialect (0.8 adds `data`)
 * @throws {NotFoundError} for a POST without an append action
 * @throws {InvalidArgumentError} when the name is not a valid track name
 */
export function parseTrackPath(
  rawSegments: readonly string[],
  method: "GET" | "POST",
  getActions: ReadonlySet<string> = GET_ACTIONS,
): TrackPath {
  const last = rawSegments[rawSegments.length - 1];
  let action: TrackAction = "read";
  let nameSegments = rawSegments;
  const actions = method === "POST" ? POST_ACTIONS : getActions;
  if (rawSegments.length >= 2 && last !== undefined && actions.has(last)) {
    action = last as TrackAction;
    nameSegments = rawSegments.slice(0, -1);
  } else if (method === "POST") {
    throw new NotFoundError(
      "No such route: POST a track's points to .../tracks/{name}/append-batch or .../append",
    );
  }
  const name = nameSegments.map(decodeSegment).join("/");
  return { name: validateTrackName(name), action };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(
      `Track name segment ${JSON.stringify(segment)} is not valid percent-encoding`,
    );
  }
}
