import { Command, CommanderError, Option } from "commander";
import type { CliContext } from "./cli-io.js";
import { CommandInput, type ArgumentSpec, type CommandSpec } from "./command-spec.js";
import { EXIT_CODES } from "./exit-codes.js";

/** The program's name, version and description for its help. */
export type ProgramInfo = {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Command lines shown under "Examples" at the end of the help. */
  readonly examples: readonly string[];
};

/** Commander's error codes that mean "asked for help or the version": exit code 0. */
const HELP_CODES: ReadonlySet<string> = new Set([
  "commander.helpDisplayed",
  "commander.help",
  "commander.version",
]);

function argumentSyntax(spec: ArgumentSpec): string {
  if (spec.isVariadic === true) return `[${spec.name}...]`;
  return spec.isOptional === true ? `[${spec.name}]` : `<${spec.name}>`;
}

function examplesText(examples: readonly string[]): string {
  return `\nExamples:\n${examples.map((line) => `  ${line}`).join("\n")}\n`;
}

function addCommand(
  program: Command,
  spec: CommandSpec,
  context: CliContext,
  exit: { code: number },
): void {
  const command = program
    .command(spec.name)
    .summary(spec.summary)
    .description(spec.description ?? spec.summary);
  for (const argument of spec.arguments ?? []) {
    command.argument(argumentSyntax(argument), argument.description);
  }
  for (const optionSpec of spec.options ?? []) {
    const option = new Option(optionSpec.flags, optionSpec.description);
    if (optionSpec.defaultValue !== undefined) option.default(optionSpec.defaultValue);
    if (optionSpec.isHidden === true) option.hideHelp();
    command.addOption(option);
  }
  if (spec.examples !== undefined && spec.examples.length > 0) {
    command.addHelpText("after", examplesText(spec.examples));
  }
  if (spec.passesThrough === true) {
    command.allowUnknownOption().allowExcessArguments().passThroughOptions();
  }
  command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const args: readonly unknown[] = self.processedArgs;
    const input = new CommandInput(args, self.opts());
    exit.code = await spec.run(input, context);
  });
}

/**
 * Parses `args` with commander, the one file that imports it, and runs the command they
 * name. Help and `--version` print to standard output; usage mistakes print one line and
 * a hint to standard error.
 *
 * @returns the exit code: the command's, 0 for help and version, 2 for a usage mistake
 * @throws what the command throws
 */
export async function runProgram(
  info: ProgramInfo,
  specs: readonly CommandSpec[],
  args: readonly string[],
  context: CliContext,
): Promise<number> {
  const { io } = context;
  const program = new Command(info.name)
    .description(info.description)
    .version(info.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "print help")
    .exitOverride()
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => {
        io.out(text);
      },
      writeErr: (text) => {
        io.err(text);
      },
      outputError: (text, write) => {
        write(`${info.name}: ${text.replace(/^error: /, "")}`);
      },
    });
  program.helpCommand("help [command]", "print help for a command");
  program.addHelpText("after", examplesText(info.examples));
  program.showHelpAfterError(`(${info.name} <command> --help shows the usage)`);
  const exit = { code: EXIT_CODES.ok as number };
  for (const spec of specs) addCommand(program, spec, context, exit);
  if (args.length === 0) {
    io.err(program.helpInformation());
    return EXIT_CODES.usage;
  }
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error: unknown) {
    if (!(error instanceof CommanderError)) throw error;
    return HELP_CODES.has(error.code) ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  return exit.code;
}
