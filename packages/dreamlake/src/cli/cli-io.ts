/** Where the CLI writes, so that tests can capture it. */
export type CliIo = {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
};
