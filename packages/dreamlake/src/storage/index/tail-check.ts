import { isFieldMap } from "../../core/point.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import { RECORD_SEPARATOR } from "../codec/record-codec.js";

/** Candidate record starts tried before the answer is taken to be "yes" (never cut then). */
const MAX_CANDIDATES = 4096;

/**
 * Whether the bytes that follow an object which could not be read (one cut short, or not
 * msgpack) hold whole records up to the end of the file: some position right after a 0x0A
 * byte from which maps, each followed by 0x0A, decode exactly to the last byte.
 *
 * A crash during a write leaves a torn tail: a prefix of one write, after which nothing
 * decodes to the end. Damage in the middle of a file leaves good records after it. Only the
 * first may be cut; so when in doubt (too many candidates to try) the answer is yes.
 *
 * @param bytes the data file from the start of the unreadable object to its end
 */
export function holdsRecordsAfter(bytes: Uint8Array): boolean {
  let tried = 0;
  for (let p = 1; p < bytes.byteLength; p++) {
    if (bytes[p - 1] !== RECORD_SEPARATOR || !isMapHeader(bytes[p] as number)) continue;
    if (++tried > MAX_CANDIDATES) return true;
    if (decodesToEnd(bytes.subarray(p))) return true;
  }
  return false;
}

function isMapHeader(byte: number): boolean {
  return (byte >= 0x80 && byte <= 0x8f) || byte === 0xde || byte === 0xdf;
}

/** Whether `bytes` are one or more maps, each followed by 0x0A, and nothing else. */
function decodesToEnd(bytes: Uint8Array): boolean {
  const reader = new MsgpackReader(bytes);
  try {
    do {
      if (!isFieldMap(reader.decode())) return false;
      if (bytes[reader.position] !== RECORD_SEPARATOR) return false;
      reader.skip();
    } while (!reader.isAtEnd);
    return true;
  } catch {
    return false;
  }
}
