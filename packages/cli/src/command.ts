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

/** What rates, sizes and durations look like, for the help of commands that take them. */
export const UNITS_HELP = [
  "Units:",
  "  RATE      bits per second, always with a unit: 10Mbit, 1.5Gbit/s, 500k, 1G",
  "            (k, M, G, T = 10^3, 10^6, 10^9, 10^12; a bare 10 is refused)",
  "  SIZE      bytes: 1400, 64kB, 10MB, 2GiB (kB, MB, GB decimal; KiB, MiB, GiB binary)",
  "  T         a duration with its unit: 50us, 10ms, 2s, 1min",
  "Results print times in s, ms and µs; changes are (policy - baseline) / baseline, so",
  "negative means less time than the baseline.",
].join("\n");

/** The closest name to a mistyped one (edit distance at most 2, or a unique prefix). */
export function didYouMean(typed: string, names: readonly string[]): string | undefined {
  const prefixed = names.filter((n) => n.startsWith(typed) && typed.length >= 2);
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(typed, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // Close enough: two edits at most, and fewer than half of the (undashed) name.
  const length = Math.max(typed.replace(/^-+/, "").length, best.replace(/^-+/, "").length);
  return bestDistance <= 2 && bestDistance < length / 2 ? best : undefined;
}

/** Edit distance with swapped neighbours as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/**
 * parseArgs' errors in our words: which flag, what was wrong, what was meant. Its own
 * messages talk about its internals ("To specify a positional argument starting with
 * a '-' ...").
 */
export function parseErrorMessage(
  err: Error & { code?: string },
  options: NonNullable<ParseArgsConfig["options"]>,
): string {
  const flag = /'(-{1,2}[^'\s]*)/.exec(err.message)?.[1];
  const names = Object.keys(options).map((n) => `--${n}`);
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const bare = flag?.split("=")[0] ?? "?";
      const guess = didYouMean(bare, names);
      return `unknown option ${bare}${guess ? `; did you mean ${guess}?` : ""} (--help lists the options)`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /'(--?[^ ']+)/.exec(err.message)?.[1] ?? "the option";
      return /argument missing/.test(err.message)
        ? `${name} needs a value (--help says which)`
        : `${name} takes no value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = /'([^']*)'/.exec(err.message)?.[1] ?? "";
      return `unexpected argument '${arg}': this command takes only options (--help lists them)`;
    }
    default:
      return err.message;
  }
}

/** node:util parseArgs with its errors turned into CliErrors that say what was meant. */
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
    throw new CliError(parseErrorMessage(err as Error & { code?: string }, options ?? {}));
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

/** Seeds from "1,2,3" (or repeated flags): integers from 0 to 2^32 - 1. */
export function parseSeedList(flag: string, texts: string | readonly string[]): number[] {
  const items = (typeof texts === "string" ? [texts] : texts)
    .flatMap((t) => t.split(","))
    .map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === ""))
    throw new CliError(`${flag}: expected seeds such as 1 or 1,2,3`);
  return [
    ...new Set(
      items.map((s) => {
        if (!/^[0-9]+$/.test(s) || Number(s) > 4294967295)
          throw new CliError(`${flag}: expected an integer from 0 to 4294967295, got "${s}"`);
        return Number(s);
      }),
    ),
  ];
}
