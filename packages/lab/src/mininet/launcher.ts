// The TypeScript side of the Mininet launcher: starts mininet/launch.py on a plan, follows
// its JSON events, runs programs inside its hosts (mnexec -a <host pid>) and stops it.
// The launcher itself owns the network and tears it down; this module only asks.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface HostInfo {
  pid: number;
  interface: string;
  ipv4: string;
}

export interface ReadyEvent {
  event: "ready";
  seconds: number;
  hosts: Record<string, HostInfo>;
  switches: Record<string, { pid: number; log: string }>;
  controller: { pid: number; statusUrl: string; log: string } | null;
}

export type LauncherEvent =
  | { event: "built"; switches: number; hosts: number; links: number }
  | { event: "hosts-configured"; hosts: number; commandsPerHost: number }
  | { event: "switch-up"; switch: string; pid: number; seconds: number; log: string }
  | { event: "controller-started"; pid: number; log: string }
  | ReadyEvent
  | { event: "switch-died"; switch: string; exitCode: number | null; logTail: string[] }
  | { event: "controller-died"; exitCode: number | null; logTail: string[] }
  | { event: "error"; stage: string; message: string }
  | { event: "stopping"; reason: string }
  | { event: "down"; leftovers: string[] };

const EVENT_NAMES = new Set([
  "built",
  "hosts-configured",
  "switch-up",
  "controller-started",
  "ready",
  "switch-died",
  "controller-died",
  "error",
  "stopping",
  "down",
]);

/** One line of the launcher's stdout as an event; undefined for anything else. */
export function parseLauncherEvent(line: string): LauncherEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const name = (value as { event?: unknown }).event;
  if (typeof name !== "string" || !EVENT_NAMES.has(name)) return undefined;
  return value as LauncherEvent;
}

/** A failure of the network: the message carries the launcher's explanation. */
export class NetworkError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

/** Describes an event for the user (progress lines), or undefined for the quiet ones. */
export function describeEvent(e: LauncherEvent): string | undefined {
  switch (e.event) {
    case "built":
      return `network built: ${e.switches} switches, ${e.hosts} hosts, ${e.links} links`;
    case "switch-up":
      return `switch ${e.switch} up (pid ${e.pid}, ${e.seconds} s)`;
    case "ready":
      return `network ready after ${e.seconds} s`;
    case "switch-died":
      return `switch ${e.switch} died (exit ${e.exitCode}):\n  ${e.logTail.join("\n  ")}`;
    case "controller-died":
      return `controller died (exit ${e.exitCode}):\n  ${e.logTail.join("\n  ")}`;
    case "error":
      return `launcher error (${e.stage}): ${e.message}`;
    case "down":
      return e.leftovers.length === 0
        ? "network torn down, nothing left behind"
        : `network torn down; LEFT BEHIND: ${e.leftovers.join("; ")}`;
    default:
      return undefined;
  }
}

export interface LauncherOptions {
  python: string;
  /** mininet/launch.py */
  script: string;
  planFile: string;
  /** Folder for the launcher's own stderr (launcher.txt). */
  runDir: string;
  onEvent?: (e: LauncherEvent) => void;
  /** Seconds to wait for "ready". */
  readyTimeout: number;
}

export class MininetNetwork {
  private readonly child: ChildProcess;
  private readonly stderrLog: WriteStream;
  private readyEvent: ReadyEvent | undefined;
  private downEvent: { event: "down"; leftovers: string[] } | undefined;
  private lastError: string | undefined;
  private readonly exited: Promise<number | null>;
  /** Set when a switch or the controller died after the network was ready. */
  failure: string | undefined;
  private readonly failureListeners: ((message: string) => void)[] = [];

  private constructor(options: LauncherOptions) {
    this.stderrLog = createWriteStream(join(options.runDir, "launcher.txt"));
    this.child = spawn(
      options.python,
      [options.script, "--plan", options.planFile, "--stdin-control"],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    this.child.stderr!.pipe(this.stderrLog);
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      const e = parseLauncherEvent(line);
      if (e === undefined) return;
      if (e.event === "ready") this.readyEvent = e;
      if (e.event === "down") this.downEvent = e;
      if (e.event === "error") this.lastError = e.message;
      if ((e.event === "switch-died" || e.event === "controller-died") && this.readyEvent) {
        this.failure = describeEvent(e)!;
        for (const l of this.failureListeners) l(this.failure);
      }
      options.onEvent?.(e);
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code) => resolve(code));
      this.child.once("error", (err) => {
        this.lastError = `cannot run ${options.python}: ${err.message}`;
        resolve(null);
      });
    });
  }

  /** Starts the launcher and resolves once the network is ready (or rejects, torn down). */
  static async start(options: LauncherOptions): Promise<MininetNetwork> {
    const network = new MininetNetwork(options);
    const ready = await Promise.race([
      network.waitFor(() => network.readyEvent !== undefined),
      network.exited.then(() => false),
      new Promise<false>((r) => setTimeout(() => r(false), options.readyTimeout * 1000).unref()),
    ]);
    if (ready && network.readyEvent) return network;
    // Still starting: the launcher tears down on SIGTERM at any stage.
    const exitCode = await network.stop(60, "signal");
    throw new NetworkError(
      `the Mininet network did not come up${network.lastError ? `: ${network.lastError}` : ` within ${options.readyTimeout} s (launcher exit ${exitCode}; see ${join(options.runDir, "launcher.txt")})`}`,
    );
  }

  get ready(): ReadyEvent {
    return this.readyEvent!;
  }

  get leftovers(): string[] | undefined {
    return this.downEvent?.leftovers;
  }

  onFailure(listener: (message: string) => void): void {
    if (this.failure !== undefined) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  private async waitFor(test: () => boolean): Promise<boolean> {
    while (!test()) {
      if (this.child.exitCode !== null) return test();
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** Runs `argv` inside a host's network namespace. */
  spawnOnHost(host: string, argv: string[]): ChildProcess {
    const info = this.readyEvent?.hosts[host];
    if (info === undefined) throw new NetworkError(`no host ${host} in the running network`);
    return spawn("mnexec", ["-a", String(info.pid), ...argv], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  /**
   * Asks the launcher to tear down (end of its stdin, or SIGTERM), then waits for it,
   * killing it after `graceSeconds`; resolves with its exit code.
   */
  async stop(graceSeconds = 60, how: "stdin" | "signal" = "stdin"): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (how === "signal") this.child.kill("SIGTERM");
      else this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill("SIGTERM"), graceSeconds * 1000);
      const hard = setTimeout(() => this.child.kill("SIGKILL"), (graceSeconds + 15) * 1000);
      await this.exited;
      clearTimeout(timer);
      clearTimeout(hard);
    }
    const code = await this.exited;
    await new Promise<void>((r) => this.stderrLog.end(() => r()));
    return code;
  }
}
