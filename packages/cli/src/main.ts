/**
 * The `recall` command: dispatches to a subcommand and turns errors into exit codes
 * (2 for bad input, 1 for anything else).
 */
import { parseOptions } from "./args.js";
import { type CliIO, runCalibrate } from "./calibrate.js";
import { runDashboard } from "./dashboard.js";
import { UsageError } from "./usage-error.js";

export const HELP = `Usage: recall <command> [options]

Commands:
  calibrate --pairs FILE.jsonl   measure precision, recall and false-hit rate per similarity
                                 threshold on your own labelled question pairs
  dashboard --redis URL          serve the dashboard of a cache on Redis at http://127.0.0.1:8790/

Run recall <command> --help for its options.`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command.startsWith("-")) {
      // No command: only --help is known here; each command parses its own options.
      const values = parseOptions(argv, { help: { type: "boolean", short: "h" } }, "recall --help");
      io.stdout(HELP);
      return values.help ? 0 : 2;
    }
    switch (command) {
      case "calibrate":
        return await runCalibrate(rest, io);
      case "dashboard":
        return await runDashboard(rest, io);
      case "help":
        io.stdout(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`recall: ${error.message}`);
      return 2;
    }
    io.stderr(`recall: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
