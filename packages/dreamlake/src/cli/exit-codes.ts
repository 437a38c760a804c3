/** The exit codes of `dreamlake`. */
export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** Something went wrong (a missing session, a bad file, a server that said no). */
  error: 1,
  /** The command line itself is wrong (unknown command or option, a bad option value). */
  usage: 2,
  /** Stopped by Ctrl-C or SIGTERM before it was done (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;
