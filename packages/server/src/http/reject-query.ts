import { InvalidArgumentError } from "dreamlake/engine";

/**
 * Refuses a query string on a route that takes none.
 *
 * @throws {InvalidArgumentError} naming the first parameter
 */
export function rejectQuery(url: string): void {
  const question = url.indexOf("?");
  if (question === -1) return;
  const first = new URLSearchParams(url.slice(question + 1)).keys().next();
  if (first.done !== true) {
    throw new InvalidArgumentError(
      `Unknown query parameter ${JSON.stringify(first.value)} (this route takes none)`,
    );
  }
}
