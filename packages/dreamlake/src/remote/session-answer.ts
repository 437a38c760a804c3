import { WireFields } from "./wire-fields.js";

/**
 * `POST /workspaces/{workspace}/sessions`: `{ session: { id, ... } }`, read as the id.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseSessionAnswer(value: unknown, what: string): { readonly id: string } {
  return { id: WireFields.of(value, what).object("session").id("id") };
}

/**
 * `POST /namespaces/{ns}/projects/{project}/episodes`: `{ id, ... }` (the namespaced API),
 * read as the id.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseEpisodeAnswer(value: unknown, what: string): { readonly id: string } {
  return { id: WireFields.of(value, what).id("id") };
}
