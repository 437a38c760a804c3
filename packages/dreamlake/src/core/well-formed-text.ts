import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";

// With the `u` flag a string is read by code points, so a surrogate pair is one code point
// outside this range and only a lone (unpaired) surrogate matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** ES2024's `String.prototype.isWellFormed`: Node 20 has it, the ES2022 lib does not declare it. */
type WellFormedCheck = { isWellFormed(): boolean };

/**
 * Whether `text` holds a lone UTF-16 surrogate (`"x\ud800y"`), which UTF-8, and so msgpack,
 * cannot encode: an encoder would silently turn it into U+FFFD. Native and about 15 ns for a
 * short string (a regular expression takes twice as long): it runs for every string appended.
 */
export function hasLoneSurrogate(text: string): boolean {
  return !(text as unknown as WellFormedCheck).isWellFormed();
}

/**
 * Refuses a field name or a string value holding a lone UTF-16 surrogate, before anything
 * is buffered: stored as UTF-8 it would come back as another string.
 *
 * @param what says what the text is, such as `the value of field "name"` or `the field name`
 * @throws {InvalidArgumentError} naming the point, the field and the position of the surrogate
 */
export function assertWellFormedText(text: string, where: string, what: string): void {
  if (!hasLoneSurrogate(text)) return;
  const at = text.search(LONE_SURROGATE);
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  throw new InvalidArgumentError(
    `${where} cannot be stored: ${what} ${describeValue(text)} holds a lone UTF-16 surrogate (U+${unit} at position ${at}), which UTF-8 cannot encode`,
  );
}
