import { createRequire } from "node:module";

/** The native addon (native/flock.c, built by `npm install` with node-gyp). */
export type FlockAddon = {
  /** `flock(2)` on a file descriptor; returns 0 or the errno value. */
  flock(fd: number, operation: number): number;
  /** The Node.js version whose headers built the addon. */
  readonly builtForNode: string;
};

/**
 * The environment variable that chooses the addon: unset, the package's own build;
 * `off`, none (to see what happens without it); any other value, the path of an addon
 * file (a test run under another Node.js version loads one built for that version).
 */
export const FLOCK_ADDON_VARIABLE = "DREAMLAKE_FLOCK_ADDON";

/** Where `npm install` builds the addon, from this file's folder in dist/. */
const BUILT_ADDON = "../../../build/Release/dreamlake_flock.node";

/** The addon, or why there is none. */
export type FlockAddonLoad =
  | { readonly kind: "loaded"; readonly addon: FlockAddon }
  | { readonly kind: "missing"; readonly reason: string };

/** Loads the addon as {@link FLOCK_ADDON_VARIABLE} says. */
export function loadFlockAddon(
  setting: string | undefined = process.env[FLOCK_ADDON_VARIABLE],
): FlockAddonLoad {
  if (setting === "off") return { kind: "missing", reason: `${FLOCK_ADDON_VARIABLE}=off` };
  try {
    const require = createRequire(import.meta.url);
    return { kind: "loaded", addon: require(setting || BUILT_ADDON) as FlockAddon };
  } catch (error: unknown) {
    return {
      kind: "missing",
      reason: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error),
    };
  }
}

let warned = false;

/**
 * Warns once per process, on stderr (a Node.js process warning, code
 * `DREAMLAKE_NO_FLOCK`), that locks exclude dreamlake writers only, and says how to get
 * the addon. Called by the first write that takes a lock without it.
 */
export function warnNoFlockOnce(reason: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `The dreamlake flock addon is not loaded (${reason}), so file locks exclude other dreamlake writers only, not Python SDK writers. ` +
      "To build it, install a C compiler, make and python3 (Debian: apt-get install build-essential python3) and run npm rebuild dreamlake",
    { type: "DreamlakeWarning", code: "DREAMLAKE_NO_FLOCK" },
  );
}
