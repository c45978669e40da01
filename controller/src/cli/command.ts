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
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
