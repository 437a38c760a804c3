import { InvalidArgumentError } from "dreamlake/engine";

/** Shortest secret accepted, in characters. */
export const MIN_SECRET_LENGTH = 16;

/**
 * The secrets of a secret file: one per line, newest first, surrounding spaces and empty
 * lines ignored. A generated `.jwt-secret` holds one line; during a rotation the file holds
 * the new secret first and the old one below it until the old tokens expire.
 *
 * @param where names the file in messages
 * @throws {InvalidArgumentError} when there is no secret or one is shorter than {@link MIN_SECRET_LENGTH}
 */
export function parseSecretLines(text: string, where: string): string[] {
  const secrets = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (secrets.length === 0) throw new InvalidArgumentError(`${where} holds no secret`);
  secrets.forEach((secret, i) => {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new InvalidArgumentError(
        `${where}: secret ${i + 1} is ${secret.length} characters long; at least ${MIN_SECRET_LENGTH} are needed`,
      );
    }
  });
  return secrets;
}
