import type { CommandSpec } from "./command-spec.js";
import { DEMO_COMMAND } from "./commands/demo-command.js";
import { DOCTOR_COMMAND } from "./commands/doctor-command.js";
import { EXPORT_COMMAND } from "./commands/export-command.js";
import { IMPORT_COMMAND } from "./commands/import-command.js";
import { LS_COMMAND } from "./commands/ls-command.js";
import { READ_COMMAND, READ_TIME_COMMAND } from "./commands/read-command.js";
import { SERVE_COMMAND } from "./commands/serve-command.js";
import { STATS_COMMAND } from "./commands/stats-command.js";
import { SYNC_COMMAND } from "./commands/sync-command.js";
import { TAIL_COMMAND } from "./commands/tail-command.js";
import { TRACKS_COMMAND } from "./commands/tracks-command.js";
import { UI_COMMAND } from "./commands/ui-command.js";

/** Every command of `dreamlake`, in the order of its help. A new command adds its spec here. */
export const COMMANDS: readonly CommandSpec[] = [
  LS_COMMAND,
  TRACKS_COMMAND,
  STATS_COMMAND,
  READ_COMMAND,
  READ_TIME_COMMAND,
  TAIL_COMMAND,
  EXPORT_COMMAND,
  IMPORT_COMMAND,
  SYNC_COMMAND,
  DOCTOR_COMMAND,
  DEMO_COMMAND,
  SERVE_COMMAND,
  UI_COMMAND,
];
