/**
 * Idempotency keys on MongoDB. A write with a key stores the key's tag in a unique field of
 * its atomic insert (an append's commit, a log append's range), so that two writes with one key
 * can never both be stored: the second insert is refused, and the second write answers the
 * first one's result. The tag is `<[scope, key] as JSON>#<generation>`; the key's document in
 * `requests` says which generation is current: a key used again after it expired starts the
 * next one, whose writes are stored again.
 *
 * @module
 */
import { ConflictError } from "dreamlake/engine";
import type { RequestKey } from "../idempotency/request-key.js";
import type { MongoDatabase } from "./mongo-database.js";
import { isDuplicateKey } from "./mongo-errors.js";

/**
 * The tag the write of `request` stores with itself.
 *
 * @param target what the write goes to (a track id, a session id): a key used for another
 *   target is refused
 * @throws {ConflictError} when the key was used for another target and has not expired
 */
export async function requestTag(
  db: MongoDatabase,
  request: RequestKey,
  target: string,
): Promise<string> {
  const requests = db.collection("requests");
  const id = JSON.stringify([request.scope, request.key]);
  const what = `look up Idempotency-Key ${request.key}`;
  for (;;) {
    const found = await db.run(what, () => requests.findOne({ _id: id }));
    if (found === null) {
      try {
        await db.run(what, () =>
          requests.insertOne({
            _id: id,
            generation: 0,
            expiresAt: request.expiresAtSeconds,
            target,
          }),
        );
        return `${id}#0`;
      } catch (error: unknown) {
        // Another request with this key recorded it first: read that one.
        if (!isDuplicateKey(error)) throw error;
        continue;
      }
    }
    if (found.expiresAt < request.nowSeconds) {
      // Expired: the next generation. Whoever deletes the old document first inserts the new
      // one; the others read it.
      await db.run(what, () =>
        requests.deleteOne({ _id: id, generation: found.generation, expiresAt: found.expiresAt }),
      );
      try {
        await db.run(what, () =>
          requests.insertOne({
            _id: id,
            generation: found.generation + 1,
            expiresAt: request.expiresAtSeconds,
            target,
          }),
        );
        return `${id}#${found.generation + 1}`;
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
        continue;
      }
    }
    if (found.target !== target) {
      throw new ConflictError(
        `Idempotency-Key ${request.key} was used for another request than this one`,
      );
    }
    return `${id}#${found.generation}`;
  }
}
