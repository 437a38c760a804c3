/**
 * The object store's record of which database it belongs to: `dreamlake-deployment.json`
 * under the key prefix, written when a deployment first starts. A replica compares it with
 * the database before it serves: an empty database next to a bucket that holds data, or
 * another database than the bucket's, would restart track indexes at 0 and overwrite
 * archived chunks, so the replica refuses to start instead.
 *
 * @module
 */
import { FailedPreconditionError } from "dreamlake/engine";
import type { ObjectStore } from "../tiers/cold/object-store.js";

/** The key of the marker, under the deployment's key prefix. */
export const DEPLOYMENT_MARKER_KEY = "dreamlake-deployment.json";

/** What the marker holds. */
export type DeploymentMarker = { readonly databaseId: string };

/**
 * The marker, or `undefined` in a bucket (prefix) no deployment used yet.
 *
 * @throws {UnavailableError} when the object store does not answer
 */
export async function readDeploymentMarker(
  objects: ObjectStore,
): Promise<DeploymentMarker | undefined> {
  const bytes = await objects.get(DEPLOYMENT_MARKER_KEY);
  if (bytes === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  const databaseId =
    typeof parsed === "object" && parsed !== null
      ? (parsed as { databaseId?: unknown }).databaseId
      : undefined;
  if (typeof databaseId !== "string") {
    throw new FailedPreconditionError(
      `the object store's ${DEPLOYMENT_MARKER_KEY} is not a deployment marker; fix or remove it`,
    );
  }
  return { databaseId };
}

/** Writes the marker of a new deployment. */
export async function writeDeploymentMarker(
  objects: ObjectStore,
  marker: DeploymentMarker,
): Promise<void> {
  await objects.put(DEPLOYMENT_MARKER_KEY, new TextEncoder().encode(`${JSON.stringify(marker)}\n`));
}

/**
 * Checks that the database is the one the object store belongs to.
 *
 * @throws {FailedPreconditionError} naming both ids when they differ
 */
export function checkDeploymentMarker(marker: DeploymentMarker, databaseId: string): void {
  if (marker.databaseId !== databaseId) {
    throw new FailedPreconditionError(
      `the database (id ${databaseId}) is not the one the object store belongs to (id ${marker.databaseId} in ${DEPLOYMENT_MARKER_KEY}): a replaced database would restart track indexes at 0 next to archived chunks. Restore the deployment's database, or use another S3_PREFIX for a new deployment`,
    );
  }
}
