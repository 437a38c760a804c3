import type { FlatParams } from "../core/flatten-params.js";
import { Outbox } from "../remote/outbox.js";
import type { RemoteParams } from "../remote/remote-params.js";
import type { OutboxSettings } from "./hybrid-tracks.js";
import type { ParamsBackend } from "./params-backend.js";

/**
 * The params of a hybrid session: each set is merged into the local `parameters.json`
 * first, then sent to the server in the background, in order (the server merges with
 * the same rule, so both end up alike); reads are answered locally.
 */
export class HybridParams implements ParamsBackend {
  readonly #local: ParamsBackend;
  readonly #outbox: Outbox<FlatParams>;

  constructor(local: ParamsBackend, remote: RemoteParams, settings: OutboxSettings) {
    this.#local = local;
    this.#outbox = new Outbox<FlatParams>({
      ...settings,
      name: "the params",
      unit: "param sets",
      sizeOf: () => 1,
      send: (params) => remote.set(params),
    });
  }

  async set(params: FlatParams): Promise<void> {
    await this.#local.set(params);
    this.#outbox.push(params);
  }

  get(): Promise<FlatParams> {
    return this.#local.get();
  }

  /** The queue of sets not yet on the server. */
  get outbox(): Outbox<FlatParams> {
    return this.#outbox;
  }
}
