import { InvalidArgumentError, describeValue } from "dreamlake/engine";

const INTEGER = /^-?\d{1,16}$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The query string of one request, read parameter by parameter. Each route's query schema
 * opens it with {@link WireQuery.open} (which refuses unknown and repeated parameters) and
 * reads every parameter with the typed getters. Messages name the parameter and the value.
 */
export class WireQuery {
  readonly #params: ReadonlyMap<string, string>;

  private constructor(params: ReadonlyMap<string, string>) {
    this.#params = params;
  }

  /**
   * @param allowed the parameter names of this route; any other is an error
   * @throws {InvalidArgumentError} on an unknown or repeated parameter
   */
  static open(search: URLSearchParams, allowed: readonly string[]): WireQuery {
    const params = new Map<string, string>();
    for (const [key, value] of search) {
      if (!allowed.includes(key)) {
        throw new InvalidArgumentError(
          `Unknown query parameter ${JSON.stringify(key)} (allowed: ${allowed.length === 0 ? "none" : allowed.join(", ")})`,
        );
      }
      if (params.has(key)) {
        throw new InvalidArgumentError(`Query parameter ${JSON.stringify(key)} is given twice`);
      }
      params.set(key, value);
    }
    return new WireQuery(params);
  }

  /** Whether the parameter is present (even empty). */
  has(key: string): boolean {
    return this.#params.has(key);
  }

  /** The text of a parameter; `undefined` when absent. */
  string(key: string): string | undefined {
    return this.#params.get(key);
  }

  /**
   * A decimal integer within `[min, max]`.
   *
   * @throws {InvalidArgumentError} when it is not one
   */
  integer(key: string, range: { readonly min: number; readonly max: number }): number | undefined {
    const text = this.#params.get(key);
    if (text === undefined) return undefined;
    const value = INTEGER.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
      throw new InvalidArgumentError(
        `Query parameter ${key} must be an integer from ${range.min} to ${range.max}, got ${describeValue(text)}`,
      );
    }
    return value;
  }

  /**
   * A finite decimal number, as Python prints floats (`1772281126.6423979`, `1e-05`).
   *
   * @throws {InvalidArgumentError} when it is not one
   */
  number(key: string): number | undefined {
    const text = this.#params.get(key);
    if (text === undefined) return undefined;
    const value = DECIMAL.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) {
      throw new InvalidArgumentError(
        `Query parameter ${key} must be a finite number, got ${describeValue(text)}`,
      );
    }
    return value;
  }

  /**
   * `true` or `false` (any case, as Python's `str(bool)` gives `True`).
   *
   * @throws {InvalidArgumentError} when it is something else
   */
  boolean(key: string): boolean | undefined {
    const text = this.#params.get(key);
    if (text === undefined) return undefined;
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    throw new InvalidArgumentError(
      `Query parameter ${key} must be true or false, got ${describeValue(text)}`,
    );
  }
}
