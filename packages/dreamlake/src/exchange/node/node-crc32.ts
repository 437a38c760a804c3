import * as zlib from "node:zlib";
import { crc32 } from "../../storage/codec/crc32.js";
import type { Crc32 } from "../mcap/mcap-file-writer.js";

/**
 * zlib's native CRC-32 (Node >= 20.15), else the JavaScript one: an MCAP export checksums
 * every byte it writes, and the native one is about five times faster.
 */
export const nodeCrc32: Crc32 =
  typeof zlib.crc32 === "function" ? (bytes, previous) => zlib.crc32(bytes, previous) : crc32;
