/**
 * The identity of one session on the server: its stable id and where it lives. Every
 * repository port takes a `SessionRef` that the {@link SessionRegistry} resolved, so an
 * adapter never has to look a session up again and never sees another user's session.
 *
 * @module
 */

/** A resolved session: its id, its owner's namespace, its workspace and its name. */
export type SessionRef = {
  /** Stable opaque id (`session.id` on the wire). */
  readonly id: string;
  /** The owner's namespace: the user name of the token that created it. */
  readonly namespace: string;
  /** The workspace segment of the session prefix. */
  readonly workspace: string;
  /** The session name (last segment of the prefix). */
  readonly name: string;
};
