import type { JsonValue } from "./json-value.js";

/**
 * Formats JSON as Python's `json.dumps` does with its defaults (`ensure_ascii=True`):
 * - without `indent`: one line, with `", "` between items and `": "` after keys
 *   (the log lines of `logs/logs.jsonl`);
 * - with `indent`: one item a line, `","` at line ends and `": "` after keys (the
 *   `json.dump(..., indent=2)` of `parameters.json` and `.files_metadata.json`).
 *
 * Every character outside printable ASCII is written as a `\uXXXX` escape (lower-case
 * hex, surrogate pairs for characters past U+FFFF), as Python does. Numbers are written
 * as JavaScript writes them (`1` for 1.0, `1e-7`); Python reads both back unchanged.
 */
export function formatPythonJson(
  value: JsonValue,
  options: { readonly indent?: number } = {},
): string {
  const parts: string[] = [];
  write(value, options.indent, "", parts);
  return parts.join("");
}

function write(value: JsonValue, indent: number | undefined, margin: string, out: string[]): void {
  if (value === null || typeof value === "boolean" || typeof value === "number") {
    // JSON.stringify writes non-finite numbers as null; checked values are always finite.
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === "string") {
    out.push(asciiString(value));
    return;
  }
  const isArray = Array.isArray(value);
  const entries: [string | undefined, JsonValue][] = isArray
    ? (value as readonly JsonValue[]).map((item) => [undefined, item])
    : Object.keys(value).map((key) => [key, (value as Record<string, JsonValue>)[key] ?? null]);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    out.push(open, close);
    return;
  }
  const inner = indent === undefined ? margin : margin + " ".repeat(indent);
  const separator = indent === undefined ? ", " : `,\n${inner}`;
  out.push(open);
  if (indent !== undefined) out.push(`\n${inner}`);
  entries.forEach(([key, item], i) => {
    if (i > 0) out.push(separator);
    if (key !== undefined) out.push(asciiString(key), ": ");
    write(item, indent, inner, out);
  });
  if (indent !== undefined) out.push(`\n${margin}`);
  out.push(close);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string literal with Python's `ensure_ascii` escapes (printable ASCII stays as is). */
function asciiString(text: string): string {
  // Python's ESCAPE_ASCII: backslash, quote, and everything outside " ".."~".
  return `"${text.replace(/[\\"]|[^\x20-\x7e]/g, (char) => {
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) return short;
    // One UTF-16 unit per match, so a character past U+FFFF becomes its surrogate pair.
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  })}"`;
}
