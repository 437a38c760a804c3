/**
 * The filters of the dashboard's session list: free text, a tag, and param values such as
 * `lr=0.001`. Pure: the route gathers each session's record and params, this decides.
 *
 * @module
 */
import { InvalidArgumentError, type FlatParams } from "dreamlake/engine";
import type { SessionRecord } from "../sessions/session-registry.js";
import { sessionPrefix } from "./session-prefix.js";

/** One `key=value` condition on a session's (flattened) params. */
export type ParamCondition = { readonly key: string; readonly value: string };

/** What a session must match to be listed; absent parts match every session. */
export type SessionFilter = {
  /** Found, ignoring case, in the prefix, the description or a tag. */
  readonly text: string | undefined;
  /** A tag the session carries (exactly). */
  readonly tag: string | undefined;
  /** Every condition must hold. */
  readonly params: readonly ParamCondition[];
};

/** Most `key=value` conditions one list request may give. */
export const MAX_PARAM_CONDITIONS = 16;

/**
 * Reads the filter of `GET /api/v1/sessions`: `q`, `tag`, and `param` as comma-separated
 * `key=value` conditions on dotted param keys (`lr=0.001,model.layers=4`).
 *
 * @throws {InvalidArgumentError} when a condition has no `=` or an empty key, or there are
 *   more than {@link MAX_PARAM_CONDITIONS}
 */
export function parseSessionFilter(input: {
  readonly q?: string | undefined;
  readonly tag?: string | undefined;
  readonly param?: string | undefined;
}): SessionFilter {
  const text = input.q?.trim();
  const tag = input.tag?.trim();
  const params: ParamCondition[] = [];
  for (const part of (input.param ?? "").split(",")) {
    if (part.trim() === "") continue;
    const equals = part.indexOf("=");
    const key = equals === -1 ? "" : part.slice(0, equals).trim();
    if (key === "") {
      throw new InvalidArgumentError(
        `Query parameter param must be key=value conditions separated by commas, got ${JSON.stringify(part)}`,
      );
    }
    params.push({ key, value: part.slice(equals + 1).trim() });
  }
  if (params.length > MAX_PARAM_CONDITIONS) {
    throw new InvalidArgumentError(
      `Query parameter param may hold at most ${MAX_PARAM_CONDITIONS} conditions, got ${params.length}`,
    );
  }
  return {
    text: text === "" ? undefined : text,
    tag: tag === "" ? undefined : tag,
    params,
  };
}

/** Whether the filter needs each session's params (which cost a read per session). */
export function needsParams(filter: SessionFilter): boolean {
  return filter.params.length > 0;
}

/** Whether a session passes the filter; `params` may be empty when {@link needsParams} is false. */
export function matchesSession(
  filter: SessionFilter,
  record: SessionRecord,
  params: FlatParams,
): boolean {
  if (filter.tag !== undefined && !record.tags.includes(filter.tag)) return false;
  if (filter.text !== undefined) {
    const needle = filter.text.toLowerCase();
    const haystacks = [sessionPrefix(record), record.description ?? "", ...record.tags];
    if (!haystacks.some((text) => text.toLowerCase().includes(needle))) return false;
  }
  return filter.params.every((condition) =>
    paramEquals(
      Object.hasOwn(params, condition.key) ? params[condition.key] : undefined,
      condition.value,
    ),
  );
}

/**
 * A stored param against the text of a condition: numbers compare as numbers (`lr=1e-3`
 * finds 0.001), anything else by its JSON text without quotes (`model=resnet`,
 * `augment=true`, `note=null`). A missing key matches nothing.
 */
export function paramEquals(stored: unknown, text: string): boolean {
  if (stored === undefined) return false;
  if (typeof stored === "number") {
    const wanted = text === "" ? NaN : Number(text);
    return stored === wanted;
  }
  if (typeof stored === "string") return stored === text;
  return JSON.stringify(stored) === text;
}
