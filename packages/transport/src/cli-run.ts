// The common shape of the host programs' commands: parse flags, run, print one JSON
// object. Servers (receivers, sinks) also stop cleanly on SIGINT/SIGTERM and still
// print what they measured. Errors the user can fix come back through `errors`, so
// the CLI prints one line instead of a stack.
import { resultJson, socketErrorMessage, type OptionValues } from "./cli-options.js";

export interface CommandErrors {
  /** A bad flag: exit code 2. */
  usage(message: string): Error;
  /** A run-time problem the user can fix (address in use): exit code 1. */
  runtime(message: string): Error;
}

export function buildOrUsage<T>(build: () => T, errors: CommandErrors): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof RangeError) throw errors.usage(err.message);
    throw err;
  }
}

async function socketErrorsToRuntime<T>(run: () => Promise<T>, errors: CommandErrors): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RangeError) throw errors.usage(err.message);
    const message = socketErrorMessage(err);
    if (message !== null) throw errors.runtime(message);
    throw err;
  }
}

/** Runs a program that ends by itself (a sender, a generator) and prints its result. */
export async function runToCompletion<R extends object>(
  name: string,
  values: OptionValues,
  run: () => Promise<R>,
  errors: CommandErrors,
  shape: (r: R) => object = (r) => r,
): Promise<number> {
  const result = await socketErrorsToRuntime(run, errors);
  console.log(resultJson(name, shape(result), values.pretty === true));
  return 0;
}

/** Runs a server-like program (a receiver, a sink) until it finishes or is signalled. */
export async function runUntilDone<R extends object>(
  name: string,
  values: OptionValues,
  start: () => Promise<{ result: Promise<R>; stop(): void }>,
  errors: CommandErrors,
  shape: (r: R) => object = (r) => r,
): Promise<number> {
  const handle = await socketErrorsToRuntime(start, errors);
  const stop = (): void => handle.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const result = await handle.result;
    console.log(resultJson(name, shape(result), values.pretty === true));
    return 0;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** Drops per-flow lists from a result (--summary-only). */
export function withoutFlows<R extends { flows: unknown }>(r: R): Omit<R, "flows"> {
  const { flows: _flows, ...rest } = r;
  return rest;
}
