/**
 * A multipart body laid out as httpx (the Python client's HTTP library) lays it out:
 * the text fields first, in order, then the file part with its filename and type.
 */
export function pythonMultipart(
  fields: readonly (readonly [string, string])[],
  file: {
    readonly name?: string;
    readonly filename: string;
    readonly type: string;
    readonly bytes: Uint8Array;
  },
): { readonly body: Uint8Array; readonly contentType: string } {
  const boundary = "0c1f7a1d6bd6c7e7a9d04b7b2f1a4b3e";
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? "file"}"; filename="${file.filename}"\r\n` +
        `Content-Type: ${file.type}\r\n\r\n`,
    ),
    Buffer.from(file.bytes),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    body: new Uint8Array(Buffer.concat(parts)),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
