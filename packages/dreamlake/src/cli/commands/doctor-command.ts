import { doctorLocalSession } from "../../session/local-doctor.js";
import { outcomeJson, outcomeText } from "../../storage/doctor/doctor-report.js";
import { hasFindings } from "../../storage/doctor/session-doctor.js";
import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";
import { JSON_OPTION, ROOT_OPTIONS, rootOf } from "../common-options.js";
import { jsonLine } from "../json-lines.js";

/**
 * `dreamlake doctor PREFIX [TRACK] [--repair]`: checks every record of every track (and
 * its sidecars); exit code 0 when all is healthy, 1 when damage was found (repaired or not).
 */
export const DOCTOR_COMMAND: CommandSpec = {
  name: "doctor",
  summary: "check every record of a session's tracks; --repair moves damage to a quarantine file",
  description:
    "Checks every record of every track of a session (or of one track) against its index, and " +
    "the index, summaries and metadata beside it. With --repair, a damaged track's data file is " +
    "rewritten without its damaged records (they go to data.msgpack.quarantine beside it) and " +
    "its sidecars are rebuilt; the points lost are named by their old indexes. Exit code 0: " +
    "healthy; 1: damage found (or repaired); 2: a bad command line.",
  arguments: [
    { name: "prefix", description: "the session (workspace/name)" },
    { name: "track", description: "one track only", isOptional: true },
  ],
  options: [
    { flags: "--repair", description: "repair what is damaged (holding each track's lock)" },
    JSON_OPTION,
    ...ROOT_OPTIONS,
  ],
  examples: [
    "dreamlake doctor project/my-experiment",
    "dreamlake doctor project/my-experiment train --repair",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const track = input.optionalArg(1);
    const outcomes = await doctorLocalSession(rootOf(input), input.arg(0), {
      ...(track === undefined ? {} : { track }),
      repair: input.flag("repair"),
    });
    for (const outcome of outcomes) {
      context.io.out(
        input.flag("json") ? `${jsonLine(outcomeJson(outcome))}\n` : outcomeText(outcome),
      );
    }
    if (outcomes.length === 0 && !input.flag("json")) context.io.out("no tracks\n");
    return hasFindings(outcomes) ? EXIT_CODES.error : EXIT_CODES.ok;
  },
};
