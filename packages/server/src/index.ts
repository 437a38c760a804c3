/**
 * `@dreamlake/server`: the dreamlake server.
 *
 * @module
 */
export const SERVER_PACKAGE = "@dreamlake/server";
