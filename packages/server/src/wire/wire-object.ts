import {
  InvalidArgumentError,
  checkJsonObject,
  describeValue,
  type JsonObject,
} from "dreamlake/engine";

/** Whether `value` is a JSON object (not null, not an array, not a class instance). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * One parsed JSON object of a request body, read field by field. Each wire type's schema
 * is a function that opens the body with {@link WireObject.open} (which refuses unknown
 * fields) and reads every field with the typed getters. `null` counts as absent, as the
 * Python client sends `None` as `null`. Error messages name the field path and the value.
 */
export class WireObject {
  readonly #fields: Record<string, unknown>;
  readonly #where: string;

  private constructor(fields: Record<string, unknown>, where: string) {
    this.#fields = fields;
    this.#where = where;
  }

  /**
   * @param where names the object in messages, such as `request body` or `dataPoints[3]`
   * @param allowed the field names this wire type has; any other is an error
   * @throws {InvalidArgumentError} when `value` is not an object or has an unknown field
   */
  static open(value: unknown, where: string, allowed: readonly string[]): WireObject {
    if (!isJsonObject(value)) {
      throw new InvalidArgumentError(`${where} must be a JSON object, got ${describeValue(value)}`);
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new InvalidArgumentError(
          `${where} has the unknown field ${JSON.stringify(key)} (allowed: ${allowed.join(", ")})`,
        );
      }
    }
    return new WireObject(value, where);
  }

  /** The raw value of a field (`undefined` when absent or null). */
  value(key: string): unknown {
    const value = this.#fields[key];
    return value === null ? undefined : value;
  }

  /** @throws {InvalidArgumentError} when the field is absent or not a string */
  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined) throw this.#wrong(key, "a string", undefined);
    return value;
  }

  /** @throws {InvalidArgumentError} when the field is present and not a string */
  optionalString(key: string): string | undefined {
    const value = this.value(key);
    if (value === undefined || typeof value === "string") return value;
    throw this.#wrong(key, "a string", value);
  }

  /** @throws {InvalidArgumentError} when the field is present and not a boolean */
  optionalBoolean(key: string): boolean | undefined {
    const value = this.value(key);
    if (value === undefined || typeof value === "boolean") return value;
    throw this.#wrong(key, "a boolean", value);
  }

  /** @throws {InvalidArgumentError} when the field is present and not an array of strings */
  optionalStringArray(key: string): string[] | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.#wrong(key, "an array of strings", value);
    const items = value as readonly unknown[];
    items.forEach((item, i) => {
      if (typeof item !== "string") throw this.#wrong(`${key}[${i}]`, "a string", item);
    });
    return items as string[];
  }

  /** @throws {InvalidArgumentError} when the field is present and not a JSON object */
  optionalObject(key: string): Record<string, unknown> | undefined {
    const value = this.value(key);
    if (value === undefined || isJsonObject(value)) return value;
    throw this.#wrong(key, "a JSON object", value);
  }

  /**
   * A JSON object kept as a whole (session or track metadata): checked as the SDK checks
   * metadata (`checkJsonObject`: nested at most 64 levels, finite numbers), so that what is
   * stored can be written and read back.
   *
   * @throws {InvalidArgumentError} when the field is present and not such an object
   */
  optionalJsonObject(key: string): JsonObject | undefined {
    const value = this.optionalObject(key);
    return value === undefined ? undefined : checkJsonObject(value, `${this.#where}.${key}`);
  }

  /** @throws {InvalidArgumentError} when the field is absent or not a JSON object */
  object(key: string): Record<string, unknown> {
    const value = this.optionalObject(key);
    if (value === undefined) throw this.#wrong(key, "a JSON object", undefined);
    return value;
  }

  /** @throws {InvalidArgumentError} when the field is absent or not an array */
  array(key: string): readonly unknown[] {
    const value = this.value(key);
    if (!Array.isArray(value)) throw this.#wrong(key, "an array", value);
    return value as readonly unknown[];
  }

  #wrong(key: string, expected: string, value: unknown): InvalidArgumentError {
    return new InvalidArgumentError(
      `${this.#where}.${key} must be ${expected}, got ${value === undefined ? "nothing" : describeValue(value)}`,
    );
  }
}
