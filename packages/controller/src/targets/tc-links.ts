// The htb trees of one switch's egress links, kept as the allocation says, with `tc`. Like
// the P4Runtime entities they are reconciled: a full pass reads every link back and writes
// only what differs (a controller restarted on a correct network writes nothing; a link
// whose namespace was recreated is rebuilt); an incremental pass compares with what it
// last wrote. The trees themselves are targets/htb.ts.
import { spawn } from "node:child_process";
import { interfaceName } from "@netapprox/model/topology/interface-names.js";
import type { LinkScheduling } from "@netapprox/model/pipeline/translate.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import {
  checkTree,
  HtbError,
  linkCommands,
  observedOf,
  parseObserved,
  weightedTree,
  type HtbTree,
  type ObservedLink,
} from "./htb.js";

/** Where a switch port's egress interface is: its name, in a named network namespace or not. */
export interface LinkInterface {
  name: string;
  /** `ip netns` name; null: the controller's own namespace. */
  namespace: string | null;
}

/**
 * A switch's egress interfaces as the Mininet launcher names them (<switch>-eth<port>, or an
 * indexed name where that is too long), in the controller's namespace: every linked port.
 */
export function mininetLinkInterfaces(
  topology: Topology,
  switchName: string,
): Map<number, LinkInterface> {
  const index = topology.switches.findIndex((s) => s.name === switchName);
  const out = new Map<number, LinkInterface>();
  for (const link of topology.links) {
    for (const e of link.endpoints) {
      if (e.kind === "switch" && e.name === switchName)
        out.set(e.port, {
          name: interfaceName(switchName, index, e.port, "switch"),
          namespace: null,
        });
    }
  }
  return out;
}

/**
 * Runs `tc` with the given arguments in a namespace, `input` on its standard input (for
 * -batch); resolves with its standard output.
 */
export type TcRunner = (
  namespace: string | null,
  args: string[],
  input?: string,
) => Promise<string>;

export const execTc: TcRunner = (namespace, args, input) =>
  new Promise((resolve, reject) => {
    const argv = namespace === null ? args : ["-n", namespace, ...args];
    const child = spawn("tc", argv, {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      timeout: 10_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new HtbError("tc not found on PATH (Debian/Ubuntu: apt install iproute2)")
          : err,
      ),
    );
    child.once("close", (code) => {
      if (code === 0) resolve(stdout);
      else {
        const what =
          input === undefined ? argv.join(" ") : `${argv.join(" ")} < ${JSON.stringify(input)}`;
        reject(new HtbError(`\`tc ${what}\` failed: ${(stderr || `exit ${code}`).trim()}`));
      }
    });
    if (input !== undefined) {
      // tc that fails early stops reading: its exit status says why, not the broken pipe.
      child.stdin!.on("error", () => undefined);
      child.stdin!.end(input);
    }
  });

export class HtbLinks {
  /** What was last written (or read back correct) per port. */
  private readonly applied = new Map<number, HtbTree>();

  constructor(
    readonly switchName: string,
    private readonly interfaces: ReadonlyMap<number, LinkInterface>,
    private readonly run: TcRunner = execTc,
  ) {}

  /**
   * Makes every scheduled port's link what `scheduling` says. `full`: read each link back
   * first (after a start, a restart or on a periodic check); otherwise compare with what was
   * last written. Returns the number of links changed; a bad tree or a failed `tc` throws an
   * HtbError naming the switch, the port and the interface, after the other links are done.
   */
  async apply(scheduling: LinkScheduling, full: boolean): Promise<number> {
    const outcomes = await Promise.all(
      scheduling.ports.map((port) => this.applyPort(scheduling, port, full)),
    );
    const errors = outcomes.filter((o): o is string => typeof o === "string");
    if (errors.length > 0) throw new HtbError(errors.join("; "));
    return outcomes.filter((o) => o === true).length;
  }

  /** One link: true when changed, false when it was right, the error's text when it failed. */
  private async applyPort(
    scheduling: LinkScheduling,
    port: LinkScheduling["ports"][number],
    full: boolean,
  ): Promise<boolean | string> {
    const iface = this.interfaces.get(port.port);
    const where = `${this.switchName} port ${port.port}${iface ? ` (${iface.name})` : ""}`;
    try {
      if (iface === undefined) throw new HtbError(`${where}: no interface is known for this port`);
      const tree = checkTree(weightedTree(scheduling, port), where);
      const last = this.applied.get(port.port);
      const observed =
        full || last === undefined ? await this.read(iface, where) : observedOf(last);
      const commands = linkCommands(iface.name, tree, observed);
      if (commands.length === 0) {
        this.applied.set(port.port, tree);
        return false;
      }
      this.applied.delete(port.port);
      // One tc process for the link's commands; it stops at the first that fails.
      await this.run(
        iface.namespace,
        ["-batch", "-"],
        commands.map((c) => c.join(" ")).join("\n") + "\n",
      );
      this.applied.set(port.port, tree);
      return true;
    } catch (err) {
      const message = (err as Error).message;
      return message.startsWith(where) ? message : `${where}: ${message}`;
    }
  }

  /** The links may have been recreated (the switch went down): read them back next time. */
  forget(): void {
    this.applied.clear();
  }

  private async read(iface: LinkInterface, where: string): Promise<ObservedLink> {
    const dev = ["dev", iface.name];
    try {
      const [qdiscs, classes, filters] = await Promise.all([
        this.run(iface.namespace, ["-j", "qdisc", "show", ...dev]),
        this.run(iface.namespace, ["-d", "class", "show", ...dev]),
        this.run(iface.namespace, ["-j", "filter", "show", ...dev]),
      ]);
      return parseObserved(qdiscs, classes, filters);
    } catch (err) {
      const text = (err as Error).message;
      if (/Cannot find device/.test(text))
        throw new HtbError(
          `${where}: interface ${iface.name} does not exist${iface.namespace ? ` in namespace ${iface.namespace}` : ""} (switches not started by \`netapprox mininet\` need --bmv2-queues paced or their interfaces named)`,
        );
      throw err;
    }
  }
}
