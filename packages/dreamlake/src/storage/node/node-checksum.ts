import * as zlib from "node:zlib";
import { crc32 } from "../codec/crc32.js";
import type { Checksum } from "../index/index-entry.js";

/** CRC-32 of record bytes: zlib's native one (Node >= 20.15), else the JavaScript one. */
export const nodeCrc32: Checksum =
  typeof zlib.crc32 === "function" ? (bytes) => zlib.crc32(bytes) : crc32;
