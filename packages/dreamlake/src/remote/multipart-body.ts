/** The file part of a multipart form. */
export type MultipartFilePart = {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  /** The bytes, read as the body is sent (a fresh stream per call). */
  readonly open: () => AsyncIterable<Uint8Array>;
};

const utf8 = new TextEncoder();

/** A quoted-string for a header parameter: `"` and `\` escaped, UTF-8 kept as it is (as browsers and httpx send it). */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * A `multipart/form-data` body: the text fields first (in the order given), then one
 * file part whose bytes are streamed, never held whole. The server reads the fields
 * before the file, so it can check the upload against them as it arrives.
 *
 * @param boundary a random token that appears in no field (`newBoundary()`)
 * @returns the `Content-Type` header and a function that streams the body afresh
 */
export function multipartBody(
  boundary: string,
  fields: readonly (readonly [string, string])[],
  file: MultipartFilePart,
): { readonly contentType: string; readonly open: () => AsyncIterable<Uint8Array> } {
  let head = "";
  for (const [name, value] of fields) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.filename)}\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`;
  const headBytes = utf8.encode(head);
  const tailBytes = utf8.encode(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    open: async function* () {
      yield headBytes;
      yield* file.open();
      yield tailBytes;
    },
  };
}

/**
 * A boundary that cannot occur in the fields: 32 random hex digits after a fixed stem.
 *
 * @param randomHex a source of random hex text (Node's `randomBytes(16).toString("hex")`)
 */
export function newBoundary(randomHex: string): string {
  return `----dreamlake-${randomHex}`;
}
