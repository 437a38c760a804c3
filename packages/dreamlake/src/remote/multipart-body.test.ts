import { describe, expect, it } from "vitest";
import { multipartBody, newBoundary } from "./multipart-body.js";

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let out = "";
  for await (const chunk of chunks) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

const encoder = new TextEncoder();

describe("multipartBody", () => {
  const body = multipartBody(
    "B",
    [
      ["prefix", "/models"],
      ["checksum", "abc"],
    ],
    {
      field: "file",
      filename: 'a "b"\\ü.txt',
      contentType: "text/plain",
      // eslint-disable-next-line @typescript-eslint/require-await
      open: async function* () {
        yield encoder.encode("hello ");
        yield encoder.encode("world");
      },
    },
  );

  it("names the boundary in the content type", () => {
    expect(body.contentType).toBe("multipart/form-data; boundary=B");
  });

  it("sends the fields first, in order, then the file part, then the closing boundary", async () => {
    expect(await text(body.open())).toBe(
      '--B\r\nContent-Disposition: form-data; name="prefix"\r\n\r\n/models\r\n' +
        '--B\r\nContent-Disposition: form-data; name="checksum"\r\n\r\nabc\r\n' +
        '--B\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\"\\\\ü.txt"\r\n' +
        "Content-Type: text/plain\r\n\r\nhello world\r\n--B--\r\n",
    );
  });

  it("streams the bytes afresh on every call (a retry sends them again)", async () => {
    expect(await text(body.open())).toBe(await text(body.open()));
  });

  it("makes boundaries from the random text given", () => {
    expect(newBoundary("0f".repeat(16))).toBe(`----dreamlake-${"0f".repeat(16)}`);
  });
});
