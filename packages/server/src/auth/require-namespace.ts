import { PermissionDeniedError } from "dreamlake/engine";
import type { Principal } from "./authenticator.js";

/**
 * Checks that a namespaced path (`/namespaces/{ns}/...`) names the namespace the token
 * reaches: its user's. Namespaces are user names, not secrets, so another one is refused
 * as such rather than hidden.
 *
 * @throws {PermissionDeniedError} naming both namespaces
 */
export function requireNamespace(principal: Principal, namespace: string): string {
  if (namespace !== principal.namespace) {
    throw new PermissionDeniedError(
      `The token reaches the namespace ${JSON.stringify(principal.namespace)} only, not ${JSON.stringify(namespace)}`,
      { details: { namespace: principal.namespace } },
    );
  }
  return namespace;
}
