/**
 * The `recall` command: dispatches to a subcommand and turns errors into exit codes
 * (2 for bad input, 1 for anything else).
 */
import { type CliIO, runCalibrate, UsageError } from "./calibrate.js";

export const HELP = `Usage: recall <command> [options]

Commands:
  calibrate --pairs FILE.jsonl   measure precision, recall and false-hit rate per similarity
                                 threshold on your own labelled question pairs

Run recall <command> --help for its options.`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "calibrate":
        return await runCalibrate(rest, io);
      case undefined:
      case "-h":
      case "--help":
      case "help":
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
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
