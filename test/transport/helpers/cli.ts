// Test-only helpers for the host programs' commands: run `netapprox <command>`
// in-process (several at once if needed) and collect their JSON output.
import { jest } from "@jest/globals";
import dgram from "node:dgram";
import { run } from "@netapprox/cli/main.js";

export interface CliRun {
  code: number;
  /** The command's JSON result (parsed from its one line of output), if any. */
  json: Record<string, unknown> | null;
  out: string;
  err: string;
}

/**
 * Runs the given command lines concurrently (the first is started first, and each
 * later one after `staggerMs`), capturing console output. Each command prints one JSON
 * object tagged with its name, which is how outputs are told apart.
 */
export async function runCommands(commands: string[][], staggerMs = 50): Promise<CliRun[]> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest
    .spyOn(console, "log")
    .mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = jest
    .spyOn(console, "error")
    .mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    const codes: Promise<number>[] = [];
    for (const [i, argv] of commands.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, staggerMs));
      codes.push(run(argv));
    }
    const done = await Promise.all(codes);
    return commands.map((argv, i) => {
      const line = out.find(
        (l) => l.startsWith(`{"command":"${argv[0]}"`) || l.includes(`"command": "${argv[0]}"`),
      );
      return {
        code: done[i]!,
        json: line === undefined ? null : (JSON.parse(line) as Record<string, unknown>),
        out: out.join("\n"),
        err: err.join("\n"),
      };
    });
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

export async function runCommand(...argv: string[]): Promise<CliRun> {
  return (await runCommands([argv]))[0]!;
}

/** A UDP port that was free a moment ago (the kernel's choice). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
