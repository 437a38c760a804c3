import { describeValue } from "../../core/describe-value.js";
import { InvalidArgumentError } from "../../core/errors.js";
import { validateTrackName } from "../../core/names.js";
import type { PointInput } from "../../core/point.js";
import type { McapChannel, McapFileReader } from "./mcap-file-reader.js";

/** Points gathered per track before they are appended together. */
const APPEND_POINTS = 10_000;

/** Where imported points go (a session's tracks). */
export type ImportTarget = {
  /** Appends points to a track, in order, as one batch (never merged). */
  append(track: string, points: readonly PointInput[]): Promise<void>;
};

/** The track a channel becomes: its topic without a leading `/` (`/robot/pose` is `robot/pose`). */
export function trackOfTopic(topic: string): string {
  const name = topic.replace(/^\/+/, "");
  try {
    return validateTrackName(name);
  } catch (error: unknown) {
    throw new InvalidArgumentError(
      `The MCAP topic ${JSON.stringify(topic)} is not a track name: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * `_ts` of an imported message: the message's own `_ts` when it is a number that is the
 * message's `log_time` to the microsecond (a file dreamlake exported: the exact float),
 * otherwise `log_time` in seconds.
 */
export function importedTs(point: Record<string, unknown>, logTimeNs: bigint): number {
  const fromLog = Number(logTimeNs) / 1e9;
  const own = point["_ts"];
  if (typeof own === "number" && Number.isFinite(own) && Math.abs(own - fromLog) < 1e-6) return own;
  return fromLog;
}

/**
 * Checks the channels before anything is imported: each must carry JSON messages and
 * have a topic that can be a track name.
 *
 * @throws {InvalidArgumentError} naming the channels of other encodings, or a bad topic
 */
export function importableChannels(
  path: string,
  channels: readonly McapChannel[],
): ReadonlyMap<number, string> {
  const others = channels.filter((channel) => channel.messageEncoding !== "json");
  if (others.length > 0) {
    const list = others.map((channel) => `${channel.topic} (${channel.messageEncoding || "none"})`);
    throw new InvalidArgumentError(
      `${path} has channels whose messages are not JSON: ${list.join(", ")}; import reads channels with the json message encoding only`,
    );
  }
  return new Map(channels.map((channel) => [channel.id, trackOfTopic(channel.topic)]));
}

/**
 * Imports the JSON channels of an MCAP file: each channel becomes the track named by its
 * topic, each message a point (a JSON object), with `_ts` from `log_time` (see
 * {@link importedTs}), in the file's time order.
 *
 * @returns the points imported per track
 * @throws {InvalidArgumentError} for channels of other encodings (before anything is
 * imported), or a message that is not a JSON object (the points before it stay imported)
 */
export async function importMcap(
  path: string,
  reader: McapFileReader,
  target: ImportTarget,
  onPoints: (count: number) => void = () => undefined,
): Promise<ReadonlyMap<string, number>> {
  const tracks = importableChannels(path, reader.channels);
  const pending = new Map<string, PointInput[]>();
  const counts = new Map<string, number>();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const flush = async (track: string): Promise<void> => {
    const points = pending.get(track);
    if (points === undefined || points.length === 0) return;
    pending.set(track, []);
    await target.append(track, points);
    counts.set(track, (counts.get(track) ?? 0) + points.length);
    onPoints(points.length);
  };
  for await (const message of reader.messages()) {
    const track = tracks.get(message.channelId);
    if (track === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(message.data));
    } catch (error: unknown) {
      throw new InvalidArgumentError(
        `${path}: a message of ${JSON.stringify(track)} at log_time ${message.logTimeNs.toString()} is not JSON`,
        { cause: error },
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new InvalidArgumentError(
        `${path}: a message of ${JSON.stringify(track)} at log_time ${message.logTimeNs.toString()} is ${describeValue(parsed)}, not a JSON object`,
      );
    }
    const point = parsed as Record<string, unknown>;
    point["_ts"] = importedTs(point, message.logTimeNs);
    let points = pending.get(track);
    if (points === undefined) {
      points = [];
      pending.set(track, points);
    }
    points.push(point);
    if (points.length >= APPEND_POINTS) await flush(track);
  }
  for (const track of pending.keys()) await flush(track);
  return counts;
}
