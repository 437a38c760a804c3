import { describeValue } from "../core/describe-value.js";
import { InternalError } from "../core/errors.js";
import { isPlainObject } from "../core/json-value.js";

/**
 * Reads the fields of a server's JSON answer, which is `unknown` until read here. A
 * field of the wrong type is an `InternalError` naming the answer, the field and the
 * value: the server (or something in between) does not speak the wire API. Wire `null`
 * is read as absent where a field is optional.
 */
export class WireFields {
  readonly #fields: Readonly<Record<string, unknown>>;
  readonly #what: string;

  private constructor(fields: Readonly<Record<string, unknown>>, what: string) {
    this.#fields = fields;
    this.#what = what;
  }

  /**
   * @param what names the answer in messages, such as `answer to GET /sessions/1/tracks`
   * @throws {InternalError} when `value` is not a JSON object
   */
  static of(value: unknown, what: string): WireFields {
    if (!isPlainObject(value)) {
      throw new InternalError(`The server's ${what} is not a JSON object: ${describeValue(value)}`);
    }
    return new WireFields(value, what);
  }

  /** The names of the fields. */
  names(): string[] {
    return Object.keys(this.#fields);
  }

  /** The raw value of a field (`undefined` when absent). */
  raw(name: string): unknown {
    return Object.hasOwn(this.#fields, name) ? this.#fields[name] : undefined;
  }

  /** @throws {InternalError} naming the field */
  fail(name: string, expected: string): never {
    throw new InternalError(
      `The server's ${this.#what} is malformed: field ${JSON.stringify(name)} should be ${expected}, got ${describeValue(this.raw(name))}`,
    );
  }

  object(name: string): WireFields {
    const value = this.raw(name);
    if (!isPlainObject(value)) this.fail(name, "an object");
    return new WireFields(value, `${this.#what} (field ${name})`);
  }

  string(name: string): string {
    const value = this.raw(name);
    return typeof value === "string" ? value : this.fail(name, "a string");
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name);
    if (value == null) return undefined;
    return typeof value === "string" ? value : this.fail(name, "a string or null");
  }

  /** A string or a number sent as a string (ids may come either way). */
  id(name: string): string {
    const value = this.raw(name);
    if (typeof value === "string" && value !== "") return value;
    if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
    return this.fail(name, "an id (a string or an integer)");
  }

  /** A number, or a decimal string (Python's local shapes send counts as strings). */
  number(name: string): number {
    const value = this.raw(name);
    const parsed = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    return typeof parsed === "number" && Number.isFinite(parsed)
      ? parsed
      : this.fail(name, "a number");
  }

  /** An integer, from a number or a decimal string. */
  integer(name: string): number {
    const value = this.number(name);
    return Number.isSafeInteger(value) ? value : this.fail(name, "an integer");
  }

  nullableNumber(name: string): number | null {
    return this.raw(name) == null ? null : this.number(name);
  }

  boolean(name: string): boolean {
    const value = this.raw(name);
    return typeof value === "boolean" ? value : this.fail(name, "a boolean");
  }

  array(name: string): readonly unknown[] {
    const value = this.raw(name);
    return Array.isArray(value) ? (value as readonly unknown[]) : this.fail(name, "an array");
  }

  /** An array of strings; absent or null reads as empty. */
  stringArray(name: string): string[] {
    const value = this.raw(name);
    if (value == null) return [];
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      return [...value];
    }
    return this.fail(name, "an array of strings");
  }

  /** A JSON object field, or `null` when absent or null. */
  nullableRecord(name: string): Readonly<Record<string, unknown>> | null {
    const value = this.raw(name);
    if (value == null) return null;
    return isPlainObject(value) ? value : this.fail(name, "an object or null");
  }
}
