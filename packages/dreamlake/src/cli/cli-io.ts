/** Where the CLI writes, so that tests can capture it. */
export type CliIo = {
  /** Writes to standard output (the command's data). */
  readonly out: (text: string) => void;
  /** Writes to standard error (messages, progress). */
  readonly err: (text: string) => void;
  /**
   * Resolves once standard output takes more: commands that print without end (`read
   * --all`, `tail -f`) wait for it, so a slow reader slows them instead of filling memory.
   * @defaultValue resolves at once
   */
  readonly drain?: () => Promise<void>;
  /** Whether standard error is a terminal: progress bars are drawn only there. @defaultValue false */
  readonly isErrTerminal?: boolean;
  /** Width of the terminal of standard error, in characters. @defaultValue 80 */
  readonly errColumns?: number;
};

/** What every command runs with. */
export type CliContext = {
  readonly io: CliIo;
  /** The environment (`DREAMLAKE_API_KEY`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted when the command should stop early: Ctrl-C (SIGINT), SIGTERM, or a reader of
   * standard output that went away (`dreamlake read ... | head -1`).
   */
  readonly signal: AbortSignal;
};
