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
  return write(value, options.indent === undefined ? undefined : " ".repeat(options.indent), "");
}

/** `step` is the indent unit (`undefined`: one line); `margin` the current line's indent. */
function write(value: JsonValue, step: string | undefined, margin: string): string {
  if (typeof value === "string") return asciiString(value);
  // Checked values are finite; String() prints them as JSON.stringify does.
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null) return "null";
  const inner = step === undefined ? margin : margin + step;
  const open = step === undefined ? "" : `\n${inner}`;
  const separator = step === undefined ? ", " : `,\n${inner}`;
  const close = step === undefined ? "" : `\n${margin}`;
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    if (items.length === 0) return "[]";
    let text = `[${open}`;
    for (let i = 0; i < items.length; i++) {
      if (i > 0) text += separator;
      text += write(items[i] ?? null, step, inner);
    }
    return `${text}${close}]`;
  }
  const record = value as Readonly<Record<string, JsonValue>>;
  let text = "";
  for (const key of Object.keys(record)) {
    text += `${text === "" ? `{${open}` : separator}${asciiString(key)}: ${write(record[key] ?? null, step, inner)}`;
  }
  return text === "" ? "{}" : `${text}${close}}`;
}

/** Printable ASCII without `"` and `\\`: written as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

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
  // Most keys and messages need no escape at all.
  if (PLAIN.test(text)) return `"${text}"`;
  // Python's ESCAPE_ASCII: backslash, quote, and everything outside " ".."~".
  return `"${text.replace(/[\\"]|[^\x20-\x7e]/g, (char) => {
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) return short;
    // One UTF-16 unit per match, so a character past U+FFFF becomes its surrogate pair.
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  })}"`;
}
