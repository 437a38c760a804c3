import type { CliContext } from "./cli-io.js";

/** A mistake in the command line itself (exit code 2): the message says what to fix. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A positional argument of a command. */
export type ArgumentSpec = {
  readonly name: string;
  readonly description: string;
  /** @defaultValue false: required */
  readonly isOptional?: boolean;
  /** Takes every remaining argument (zero or more). @defaultValue false */
  readonly isVariadic?: boolean;
};

/** An option of a command. */
export type OptionSpec = {
  /** As in `--limit <n>`, `-f, --follow` or `--fields <a,b>`. */
  readonly flags: string;
  readonly description: string;
  /** Shown in the help and used when the option is absent. */
  readonly defaultValue?: string | boolean;
  /** Accepted but not listed in the help (an old spelling). @defaultValue false */
  readonly isHidden?: boolean;
};

/** One command of `dreamlake`, independent of the library that parses the command line. */
export type CommandSpec = {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** More text for the command's own help. @defaultValue the summary */
  readonly description?: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: readonly OptionSpec[];
  /** Command lines shown under "Examples" in the command's help. */
  readonly examples?: readonly string[];
  /** Unknown options and extra arguments are passed on as arguments (`serve`). @defaultValue false */
  readonly passesThrough?: boolean;
  /**
   * Runs the command.
   *
   * @returns the exit code (`EXIT_CODES`)
   * @throws {UsageError} for a bad argument (exit code 2)
   * @throws {DreamlakeError} for anything else that went wrong (exit code 1)
   */
  run(input: CommandInput, context: CliContext): Promise<number>;
};

/** The arguments and options of one command line, as parsed (values are text until checked). */
export class CommandInput {
  readonly #args: readonly unknown[];
  readonly #options: Readonly<Record<string, unknown>>;

  /**
   * @param args the positional arguments, in the order of the spec (a variadic one is a list)
   * @param options by camel-cased long name (`--start-time` is `startTime`)
   */
  constructor(args: readonly unknown[], options: Readonly<Record<string, unknown>>) {
    this.#args = args;
    this.#options = options;
  }

  /** The positional argument at `position`, which the spec declares required. */
  arg(position: number): string {
    const value = this.#args[position];
    if (typeof value !== "string") throw new UsageError(`Argument ${position + 1} is missing`);
    return value;
  }

  /** An optional positional argument. */
  optionalArg(position: number): string | undefined {
    const value = this.#args[position];
    return typeof value === "string" ? value : undefined;
  }

  /** A variadic positional argument (the remaining ones). */
  rest(position: number): readonly string[] {
    const value = this.#args[position];
    return Array.isArray(value)
      ? value.filter((item): item is string => typeof item === "string")
      : [];
  }

  /** A string option, or undefined when absent. */
  text(name: string): string | undefined {
    const value = this.#options[name];
    return typeof value === "string" ? value : undefined;
  }

  /** Whether a flag option was given. */
  flag(name: string): boolean {
    return this.#options[name] === true;
  }
}
