// What every CLI command module exports, and the error type for bad usage.
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface Command {
  /** One line of arguments, shown after `netapprox <name>`. */
  usage: string;
  description: string;
  /** Returns the exit code. */
  run(argv: string[]): Promise<number>;
}

/** A failure the user can fix (bad flag, unreadable file): printed without a stack. */
export class CliError extends Error {
  readonly userFacing = true;
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** node:util parseArgs with errors turned into CliError. */
export function parseOptions<T extends ParseArgsConfig["options"]>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options ?? {}),
      options,
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--seed -1` as `--seed=-1`: parseArgs would take `-1` for an option and answer that the
 * value is "ambiguous"; joined to its flag, the value reaches the flag's own check, which
 * says what range it expects.
 */
export function joinNegativeValues(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig["options"]>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (
      name !== undefined &&
      options[name]?.type === "string" &&
      next !== undefined &&
      NEGATIVE_NUMBER.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
