import { DreamlakeError, UnavailableError } from "../core/errors.js";
import { backoffDelayMs, type RetryPolicy } from "./retry-policy.js";
import type { Sleeper } from "./sleeper.js";

/** What an {@link Outbox} needs. */
export type OutboxOptions<T> = {
  /** Sends one item whole, or throws (it may record progress in the item first). */
  readonly send: (item: T) => Promise<void>;
  /** How many units (points, entries) an item still holds, for messages. */
  readonly sizeOf: (item: T) => number;
  /** Names the queue in messages, such as `track "robot/pose"`. */
  readonly name: string;
  /** Names the units in messages, such as `points`. */
  readonly unit: string;
  /** Names the destination in messages, such as the server's URL. */
  readonly destination: string;
  readonly retry: RetryPolicy;
  readonly sleeper: Sleeper;
  /** Numbers in [0, 1) for the backoff jitter. */
  readonly random: () => number;
};

/**
 * The hybrid mode's queue of writes the server has not acknowledged yet, sent in order,
 * one at a time. Items are stored locally before they are pushed here, so the queue
 * only has to get them to the server:
 *
 * - in the background, as soon as an item is pushed; on a retryable failure (server
 *   down, 5xx) it waits with backoff (up to `retry.maxDelayMs`) and tries again, for as
 *   long as the session is open, without keeping the process alive;
 * - in the foreground, by {@link drain} (flush and close), which retries at most
 *   `retry.maxAttempts` times and then gives up with an error naming what is left.
 *
 * Items are never dropped: one the server refuses (a 4xx answer, not retried) stays at
 * the head, sending stops, and `drain` throws that error.
 */
export class Outbox<T> {
  readonly #options: OutboxOptions<T>;
  readonly #items: T[] = [];
  #loop: Promise<void> | undefined;
  #draining: Promise<void> | undefined;
  #wake = new AbortController();
  /** The error of an item the server refused: sending stopped. */
  #refusal: unknown;
  #isClosed = false;

  constructor(options: OutboxOptions<T>) {
    this.#options = options;
  }

  /** Units (points, entries) waiting to be sent. */
  get pending(): number {
    let total = 0;
    for (const item of this.#items) total += this.#options.sizeOf(item);
    return total;
  }

  /** Queues an item after the others and starts sending in the background. */
  push(item: T): void {
    this.#items.push(item);
    this.#kick();
  }

  /**
   * The last queued item, for a caller that extends it instead of pushing a new one.
   * Never the head while it is being sent.
   */
  get last(): T | undefined {
    const isHeadBusy = this.#loop !== undefined || this.#draining !== undefined;
    if (this.#items.length === (isHeadBusy ? 1 : 0)) return undefined;
    return this.#items[this.#items.length - 1];
  }

  /**
   * Sends everything queued (including items pushed meanwhile), retrying a failed send
   * up to `retry.maxAttempts` times with backoff.
   *
   * @throws {UnavailableError} naming how many units were not sent, when the server stays
   * unreachable; they stay queued and the background keeps trying
   * @throws the server's error for an item it refused (4xx); it stays queued
   */
  async drain(): Promise<void> {
    this.#draining ??= this.#drainOnce().finally(() => {
      this.#draining = undefined;
      this.#kick();
    });
    return this.#draining;
  }

  /** Stops the background sending (the items stay, unsent). */
  close(): void {
    this.#isClosed = true;
    this.#wake.abort();
  }

  async #drainOnce(): Promise<void> {
    // Take over from the background: wake it from its wait and let its attempt end.
    this.#wake.abort();
    await this.#loop;
    this.#wake = new AbortController();
    this.#refusal = undefined;
    const { retry, sleeper, random } = this.#options;
    let failures = 0;
    while (this.#items.length > 0) {
      try {
        await this.#sendHead();
      } catch (error: unknown) {
        if (!isRetryable(error)) {
          this.#refusal = error;
          throw error;
        }
        failures++;
        if (failures >= retry.maxAttempts) throw this.#gaveUp(error, failures);
        await sleeper.sleep(backoffDelayMs(retry, failures, random(), retryAfterOf(error)));
      }
    }
  }

  #kick(): void {
    if (this.#loop !== undefined || this.#draining !== undefined) return;
    if (this.#isClosed || this.#refusal !== undefined || this.#items.length === 0) return;
    this.#loop = this.#background().finally(() => {
      this.#loop = undefined;
    });
  }

  async #background(): Promise<void> {
    const { retry, sleeper, random } = this.#options;
    let failures = 0;
    while (this.#items.length > 0 && !this.#isClosed && !this.#wake.signal.aborted) {
      try {
        await this.#sendHead();
        failures = 0;
      } catch (error: unknown) {
        if (!isRetryable(error)) {
          this.#refusal = error;
          return;
        }
        failures++;
        await sleeper.sleep(backoffDelayMs(retry, failures, random(), retryAfterOf(error)), {
          keepAlive: false,
          signal: this.#wake.signal,
        });
      }
    }
  }

  async #sendHead(): Promise<void> {
    const head = this.#items[0] as T;
    await this.#options.send(head);
    this.#items.shift();
  }

  #gaveUp(error: unknown, attempts: number): UnavailableError {
    const { name, unit, destination } = this.#options;
    const pending = this.pending;
    const reason = error instanceof Error ? error.message : String(error);
    return new UnavailableError(
      `${pending} ${unit} of ${name} were not sent to ${destination} (${attempts} attempts; they are kept and sent when it answers again): ${reason}`,
      { cause: error, details: { unsent: pending } },
    );
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof DreamlakeError && error.retryable;
}

function retryAfterOf(error: unknown): number | undefined {
  return error instanceof UnavailableError ? error.retryAfterMs : undefined;
}
