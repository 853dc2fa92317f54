import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>["values"];

/**
 * `node:util` `parseArgs` in strict mode, with no positionals: an unknown flag, a missing value or a
 * stray argument is a `UsageError` (exit code 2) that names it and points at `help`.
 */
export function parseOptions<const O extends Options>(argv: string[], options: O, help: string): Values<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${describeArgsError(error)} (see ${help})`);
  }
}

/** Node's `ERR_PARSE_ARGS_*` messages in this command's words; any other error is rethrown. */
function describeArgsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw error;
  const message = (error as Error).message;
  const unknown = /^Unknown option '(.+)'/.exec(message);
  if (unknown) return `unknown option ${JSON.stringify(unknown[1])}`;
  const missing = /^Option '(?:-\w, )?(--[^ ']+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const positional = /^Unexpected argument '(.*)'/.exec(message);
  if (positional) return `unexpected argument ${JSON.stringify(positional[1])}`;
  const [first = message] = message.split("\n");
  return first.charAt(0).toLowerCase() + first.slice(1);
}
