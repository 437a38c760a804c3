/**
 * The HS256 secrets tokens may be signed with, newest first: the first one signs new
 * tokens, all of them verify (so that a secret can be rotated without failing the tokens
 * signed with the one before). Adapters: {@link FixedSecrets} and `SecretFile`.
 */
export interface SecretSource {
  /** The secrets now, newest first; never empty. */
  secrets(): readonly string[];
  /** Changes whenever {@link secrets} changes. */
  version(): number;
}

/** Secrets that never change (`DREAMLAKE_JWT_SECRET`). */
export class FixedSecrets implements SecretSource {
  readonly #secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    this.#secrets = [...secrets];
  }

  secrets(): readonly string[] {
    return this.#secrets;
  }

  version(): number {
    return 0;
  }
}
