import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>["values"];

/** `--quick`: fewer iterations, for a smoke run. */
export const QUICK = { quick: { type: "boolean", default: false } } as const;

/**
 * A benchmark's command line, read with `node:util` `parseArgs` (strict, no positionals) plus
 * `-h, --help`. `--help` prints `usage` and exits 0; an unknown flag, a missing value or a stray
 * argument prints what is wrong, naming the flag, and exits 2. A leading `--` (which
 * `pnpm --filter X bench -- --quick` hands on) is skipped.
 */
export function benchArgs<const O extends Options>(
  usage: string,
  options: O,
  argv: string[] = process.argv.slice(2),
): Values<O> {
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  let values: Values<O> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }) as { values: Values<O> & { help?: boolean } });
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    process.stderr.write(`${(error as Error).message.split(/\.\s|\n/)[0]}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}
