/** A session's files: path, size, checksum and a download link. */
import { api } from "../api-client.js";
import { formatBytes, formatTime, h } from "../dom.js";

export async function filesSection(sessionId: string): Promise<HTMLElement> {
  const { files } = await api.files(sessionId);
  return h(
    "section",
    { class: "files" },
    h("h2", {}, "Files"),
    files.length === 0
      ? h("p", {}, "No files")
      : h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "file"),
              h("th", {}, "size"),
              h("th", {}, "SHA-256"),
              h("th", {}, "uploaded"),
              h("th", {}, ""),
            ),
          ),
          h(
            "tbody",
            {},
            ...files.map((file) =>
              h(
                "tr",
                {},
                h(
                  "td",
                  {},
                  `${file.path === "/" ? "" : file.path}/${file.filename}`,
                  file.description === undefined
                    ? null
                    : h("span", { class: "meta" }, ` ${file.description}`),
                ),
                h("td", {}, formatBytes(file.sizeBytes)),
                h("td", { class: "mono", title: file.checksum }, `${file.checksum.slice(0, 12)}…`),
                h("td", {}, formatTime(file.uploadedAt)),
                h(
                  "td",
                  {},
                  h(
                    "a",
                    { href: api.downloadUrl(sessionId, file.id), download: file.filename },
                    "download",
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}
