// Runs the netapprox CLI in-process and captures what it prints.
import { jest } from "@jest/globals";
import { run } from "@netapprox/cli/main.js";

export interface CliOutcome {
  code: number;
  /** console.log and process.stdout writes */
  out: string;
  /** console.error and process.stderr writes */
  err: string;
}

export async function cli(...argv: string[]): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" "))),
    jest
      .spyOn(console, "error")
      .mockImplementation((...a: unknown[]) => void err.push(a.join(" "))),
    jest.spyOn(process.stdout, "write").mockImplementation(capture(out)),
    jest.spyOn(process.stderr, "write").mockImplementation(capture(err)),
  ];
  try {
    const code = await run(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
