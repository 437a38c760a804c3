import {
  CorruptDataError,
  MsgpackReader,
  MsgpackWriter,
  type FieldValue,
  type Point,
  type TimedPoint,
} from "dreamlake/engine";

/**
 * Encodes points one by one as msgpack maps, the form the hot tier stores them in: lossless
 * for every value a point may hold (64-bit integers, binary, nested lists and maps), and
 * the same codec the track files use.
 */
export class HotPointEncoder {
  readonly #writer = new MsgpackWriter(4096);

  /** The msgpack bytes of one point (a fresh copy the caller may keep). */
  encode(point: TimedPoint): Uint8Array {
    this.#writer.reset();
    this.#writer.writeValue(point);
    return this.#writer.toBytes();
  }
}

/**
 * Decodes one stored point.
 *
 * @param where names the point in the error (e.g. `track 12 index 5`)
 * @throws {CorruptDataError} when the bytes are not one msgpack map
 */
export function decodeHotPoint(bytes: Uint8Array, where: string): Point {
  let value: FieldValue;
  let isWhole: boolean;
  try {
    const reader = new MsgpackReader(bytes);
    value = reader.decode();
    isWhole = reader.isAtEnd;
  } catch (error: unknown) {
    throw new CorruptDataError(`the stored point of ${where} does not decode as msgpack`, {
      cause: error,
    });
  }
  if (
    !isWhole ||
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Uint8Array
  ) {
    throw new CorruptDataError(`the stored point of ${where} is not one msgpack map`);
  }
  return value as Point;
}
