// The programs that run on the hosts of an experiment (`netapprox host <tool>`, and by their
// old top-level names): one table of each tool's name, summary, help and transport entry
// point. Every tool parses its flags (packages/transport/src/cli-options.ts), runs, and prints one
// JSON object (packages/transport/src/cli-run.ts); the transport is loaded only when a tool runs.
import type { OptionValues, SPECS } from "@netapprox/transport/cli-options.js";
import type { CommandErrors } from "@netapprox/transport/cli-run.js";
import { CliError, parseOptions, type Command } from "./command.js";

export interface HostTool {
  /** Also the key of its flags in the transport's option specs. */
  name: keyof typeof SPECS;
  summary: string;
  usage: string;
  description: string[];
  /** Runs the tool with its parsed flags; returns the exit code. */
  run(values: OptionValues): Promise<number>;
}

const errors: CommandErrors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

const cliOptions = () => import("@netapprox/transport/cli-options.js");
const cliRun = () => import("@netapprox/transport/cli-run.js");

/** A program that ends by itself (a sender, a generator): build its options, run, print. */
async function sender<O, R extends object>(
  name: string,
  values: OptionValues,
  build: (v: OptionValues) => O,
  run: (options: O) => Promise<R>,
  shape?: (r: R) => object,
): Promise<number> {
  const { buildOrUsage, runToCompletion } = await cliRun();
  const options = buildOrUsage(() => build(values), errors);
  return runToCompletion(name, values, () => run(options), errors, shape);
}

/** A server-like program (a receiver, a sink): runs until done or signalled, then prints. */
async function server<O, R extends object>(
  name: string,
  values: OptionValues,
  build: (v: OptionValues) => O,
  start: (options: O) => Promise<{ result: Promise<R>; stop(): void }>,
  shape?: (r: R) => object,
): Promise<number> {
  const { buildOrUsage, runUntilDone } = await cliRun();
  const options = buildOrUsage(() => build(values), errors);
  return runUntilDone(name, values, () => start(options), errors, shape);
}

/** --summary-only: the result without its per-flow list. */
async function summaryOnly<R extends { flows: unknown }>(
  values: OptionValues,
): Promise<((r: R) => object) | undefined> {
  if (values["summary-only"] !== true) return undefined;
  const { withoutFlows } = await cliRun();
  return withoutFlows;
}

const COORDINATOR_FLAGS =
  "[--coordinator HOST:PORT --group G --transfer I [--report-interval T] [--keepalive T]]";

export const HOST_TOOLS: readonly HostTool[] = [
  {
    name: "approx-send",
    summary: "send one approximate job (numbered chunks over UDP, loss-based rate)",
    usage:
      "--to HOST:PORT --job N (--bytes SIZE | --chunks N) --fraction F [--rate RATE] [--chunk-size SIZE] [--control-port P] [--bind HOST:PORT] [--min-rate RATE] [--probe M] [--memory T] [--max-passes N] [--timeout T] [--pretty]",
    description: [
      "Sends one approximate job in numbered chunks over UDP to an approx-recv, with loss-based",
      "rate control, until the receiver holds the fraction F of the chunks: resend passes over",
      "the missing chunks while they deliver new ones, at most --max-passes passes in all",
      "(default 32). Data goes to --to (marked LE by the host), control to the receiver's",
      "control port (default: data port + 1). --rate is the start and maximum rate (line rate",
      "or a rate hint, with its unit: 100M, 1G; default 100M). --memory is how long the rate",
      "control remembers the best loss-free rate (default 1s). Prints one JSON object.",
    ],
    async run(values) {
      const { approxSendOptions } = await cliOptions();
      const { runApproxSender } = await import("@netapprox/transport/approx-sender.js");
      return sender("approx-send", values, approxSendOptions, runApproxSender);
    },
  },
  {
    name: "approx-recv",
    summary: "receive one approximate job until it holds its fraction",
    usage: `--bind HOST:PORT --job N [--control-port P] [--feedback-interval T] [--window-bits N] [--idle-timeout T] [--timeout T] ${COORDINATOR_FLAGS} [--pretty]`,
    description: [
      "Receives one approximate job: data on --bind, feedback and DONE from the control port",
      "(default: data port + 1). Ends when it holds the job's fraction and the sender has",
      "acknowledged, when the sender gives up, or on a timeout or signal. With --coordinator",
      "(job-level completion) it reports its count to the job's coordinator (netapprox",
      "job-coordinator) and stops its sender when the coordinator says the job is complete.",
      "Prints one JSON object.",
    ],
    async run(values) {
      const { approxRecvOptions } = await cliOptions();
      const { startApproxReceiver } = await import("@netapprox/transport/approx-receiver.js");
      return server("approx-recv", values, approxRecvOptions, startApproxReceiver);
    },
  },
  {
    name: "approx-marking",
    summary: "print the iptables rules that mark approximate traffic with DSCP",
    usage:
      "--port DATA[/CONTROL] [--port ...] [--delete] [--iptables BIN] [--data-dscp N] [--control-dscp N] [--json]",
    description: [
      "Prints the iptables commands (mangle table, OUTPUT chain, DSCP target) that mark the",
      "approximate transport on a host: data to each receiver data port LE (1), control to and",
      "from each control port CS6 (48). Run them in every host's network namespace before the",
      "transport starts; --delete prints the commands that remove them. --json prints argv arrays.",
    ],
    // Node cannot set IP_TOS itself: the host marks the packets (packages/transport/src/marking.ts).
    async run(values) {
      const { decimal, markingPorts } = await cliOptions();
      const { buildOrUsage } = await cliRun();
      const { iptablesCommands, toShell } = await import("@netapprox/transport/marking.js");
      const commands = buildOrUsage(() => {
        const dataDscp = values["data-dscp"] as string | undefined;
        const controlDscp = values["control-dscp"] as string | undefined;
        const iptables = values.iptables as string | undefined;
        return iptablesCommands(markingPorts(values), values.delete === true ? "delete" : "add", {
          ...(dataDscp !== undefined ? { dataDscp: decimal("data-dscp", dataDscp, 0, 63) } : {}),
          ...(controlDscp !== undefined
            ? { controlDscp: decimal("control-dscp", controlDscp, 0, 63) }
            : {}),
          ...(iptables !== undefined ? { iptables } : {}),
        });
      }, errors);
      console.log(values.json === true ? JSON.stringify(commands) : toShell(commands));
      return 0;
    },
  },
  {
    name: "blast-send",
    summary: "UDP blast baseline: send every chunk once at line rate",
    usage:
      "--to HOST:PORT --job N (--bytes SIZE | --chunks N) --fraction F [--rate RATE] [--chunk-size SIZE] [--control-port P] [--bind HOST:PORT] [--drain T] [--pretty]",
    description: [
      "Sends every chunk once at --rate (line rate; default 100 Mbit/s) with no feedback, then",
      "END to the receiver's control port. The job's completion time is the sending time plus",
      "--drain (default 200ms). Prints one JSON object; blast-recv reports the delivered fraction.",
    ],
    async run(values) {
      const { blastSendOptions } = await cliOptions();
      const { runBlastSender } = await import("@netapprox/transport/udp-blast.js");
      return sender("blast-send", values, blastSendOptions, runBlastSender);
    },
  },
  {
    name: "blast-recv",
    summary: "UDP blast baseline: count what arrives",
    usage:
      "--bind HOST:PORT --job N [--control-port P] [--drain T] [--idle-timeout T] [--timeout T] [--pretty]",
    description: [
      "Counts the chunks of one UDP blast job; ends --drain after the sender's END (or when",
      "idle), and prints the delivered fraction as one JSON object.",
    ],
    async run(values) {
      const { blastRecvOptions } = await cliOptions();
      const { startApproxReceiver } = await import("@netapprox/transport/approx-receiver.js");
      return server("blast-recv", values, blastRecvOptions, startApproxReceiver);
    },
  },
  {
    name: "tcp-send",
    summary: "TCP baselines: send a job, sampled or in full",
    usage:
      "--to HOST:PORT --job N (--bytes SIZE | --chunks N) --fraction F --mode sender-sampling|receiver-drop [--chunk-size SIZE] [--seed S] [--bind HOST:PORT] [--timeout T] [--pretty]",
    description: [
      "Sends one job over TCP to a tcp-recv. sender-sampling: only a seeded random sample of",
      "ceil(F * chunks) chunks; receiver-drop: every chunk, and the receiver stops at the",
      "fraction. Completes at the receiver's DONE. Prints one JSON object.",
    ],
    async run(values) {
      const { tcpSendOptions } = await cliOptions();
      const { runTcpSender } = await import("@netapprox/transport/tcp-baseline.js");
      return sender("tcp-send", values, tcpSendOptions, runTcpSender);
    },
  },
  {
    name: "tcp-recv",
    summary: "TCP baselines: receive until the job's fraction",
    usage: `--bind HOST:PORT [--job N] ${COORDINATOR_FLAGS} [--linger T] [--timeout T] [--pretty]`,
    description: [
      "Accepts one job's TCP stream, answers DONE and closes as soon as it holds the job's",
      "fraction (the sender told it the fraction and the mode). With --coordinator (job-level",
      "completion) it also reports its count to the job's coordinator and answers DONE and",
      "closes when the coordinator says the job is complete. Prints one JSON object.",
    ],
    async run(values) {
      const { tcpRecvOptions } = await cliOptions();
      const { startTcpReceiver } = await import("@netapprox/transport/tcp-baseline.js");
      return server("tcp-recv", values, tcpRecvOptions, startTcpReceiver);
    },
  },
  {
    name: "exact-gen",
    summary: "open exact TCP flows (web search, data mining or fixed sizes)",
    usage:
      "--to HOST:PORT[,HOST:PORT...] --dist websearch|datamining|fixed:SIZE --load L --capacity RATE (--flows N | --duration T) [--scale K] [--max-size SIZE] [--seed S] [--first-id N] [--bind HOST] [--timeout T] [--summary-only] [--pretty]",
    description: [
      "Opens TCP flows to exact-sink(s): Poisson arrivals at --load times --capacity, sizes from",
      "the web search or data mining distribution (scaled by --scale, clipped at --max-size) or",
      "fixed. Prints flow completion times (mean, p50, p99, by size class, and per flow unless",
      "--summary-only) as one JSON object.",
    ],
    async run(values) {
      const { exactGenOptions } = await cliOptions();
      const { runExactGenerator } = await import("@netapprox/transport/exact-traffic.js");
      const shape = await summaryOnly(values);
      return sender("exact-gen", values, exactGenOptions, runExactGenerator, shape);
    },
  },
  {
    name: "exact-sink",
    summary: "receive exact flows and report their completion times",
    usage:
      "--bind HOST:PORT [--flows N] [--idle-timeout T] [--timeout T] [--summary-only] [--pretty]",
    description: [
      "Receives exact-gen flows and acknowledges each after its last byte. Ends after --flows",
      "flows, when idle, or on a signal, and prints what it received as one JSON object.",
    ],
    async run(values) {
      const { exactSinkOptions } = await cliOptions();
      const { startExactSink } = await import("@netapprox/transport/exact-traffic.js");
      const shape = await summaryOnly(values);
      return server("exact-sink", values, exactSinkOptions, startExactSink, shape);
    },
  },
  {
    name: "job-coordinator",
    summary: "count a job's chunks across its receivers and tell them when the job is done",
    usage:
      "--bind HOST:PORT (--spec FILE | --job N --fraction F [--min-sender-fraction X] --group SENDER:CHUNKS,... [--group ...]) [--retry T] [--attempts N] [--linger T] [--timeout T] [--pretty]",
    description: [
      "Coordinates one job's completion across its transfers. Its receivers (approx-recv or",
      "tcp-recv with --coordinator, --group, --transfer) report their counts here; once the",
      "distinct chunks of a group (one --group per round or batch: the sending host and chunks of",
      "each transfer, in transfer order) reach ceil(fraction x total), and every sender its",
      "--min-sender-fraction, it sends JOB-DONE to the group's receivers, repeated every --retry",
      "until acknowledged (at most --attempts times); each stops its sender. Ends when every",
      "group is complete and acknowledged, on --timeout or a signal. Prints one JSON object:",
      "per group when it completed, the chunks delivered and needed, each sender's share.",
    ],
    async run(values) {
      const { jobCoordinatorOptions } = await cliOptions();
      const { startJobCoordinator } = await import("@netapprox/transport/job-coordinator.js");
      return server("job-coordinator", values, jobCoordinatorOptions, startJobCoordinator);
    },
  },
];

/** The tool as a CLI command: its flags from the transport's option specs. */
export function hostToolCommand(tool: HostTool): Command {
  return {
    usage: tool.usage,
    description: tool.description.join("\n"),
    async run(argv) {
      const { SPECS } = await cliOptions();
      const { values } = parseOptions(argv, SPECS[tool.name]);
      // parseArgs gives strings and booleans (lists for `multiple`) as the specs declare.
      return tool.run(values as OptionValues);
    },
  };
}
