/** Media types by lower-case file extension: the common ones of experiments and robots. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  py: "text/x-python",
  json: "application/json",
  jsonl: "application/jsonl",
  yaml: "application/yaml",
  yml: "application/yaml",
  toml: "application/toml",
  xml: "application/xml",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tgz: "application/gzip",
  tar: "application/x-tar",
  npy: "application/octet-stream",
  npz: "application/zip",
  pt: "application/octet-stream",
  pth: "application/octet-stream",
  ckpt: "application/octet-stream",
  safetensors: "application/octet-stream",
  onnx: "application/octet-stream",
  h5: "application/x-hdf5",
  hdf5: "application/x-hdf5",
  msgpack: "application/msgpack",
  parquet: "application/vnd.apache.parquet",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  avi: "video/x-msvideo",
  mkv: "video/x-matroska",
  wav: "audio/wav",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  flac: "audio/flac",
};

/** What a file holds when nothing better is known. */
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/**
 * Guesses a file's media type from its extension. Python's `mimetypes` answers
 * differently per platform (Debian calls `.pt` `application/vnd.snesdev-page-table`);
 * this table is the same everywhere.
 */
export function contentTypeFor(filename: string): string {
  const dot = filename.lastIndexOf(".");
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  const extension = filename.slice(dot + 1).toLowerCase();
  // hasOwn: an extension such as "constructor" must not reach Object.prototype.
  return Object.hasOwn(BY_EXTENSION, extension)
    ? (BY_EXTENSION[extension] ?? DEFAULT_CONTENT_TYPE)
    : DEFAULT_CONTENT_TYPE;
}
