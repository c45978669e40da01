// One experiment run on Mininet: a fresh network of BMv2 switches for one (policy, seed),
// the controller with the policy's allocator, the workload's host programs started at the
// scenario's times, the switches' counters around the traffic, teardown, and the result.
//
//   expand the workload -> schedule programs -> write policy and launch plan
//   -> launcher: network + controller ready -> counters -> traffic -> counters
//   -> teardown -> collect
//
// Over 500 lines because runOnMininet is one sequence whose teardown must see every resource
// it opened; it runs only with Mininet and BMv2, so it is split only where a test covers it.
import type { ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { makeDirectory, writeFileAtomic } from "@netapprox/model/util/files.js";
import { cpus, loadavg } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { RunResult } from "../experiment/results.js";
import { jobRates, startRate } from "../experiment/start-rate.js";
import {
  POLICY_BINDINGS,
  tcpSetting as tcpSettingOf,
  type ExperimentPolicy,
  type Scenario,
  type TcpSettingName,
} from "../experiment/scenario.js";
import {
  declaredExactFlows,
  expandWorkload,
  policyJobs,
  type WorkloadPlan,
} from "../experiment/workload.js";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { buildClassPlan } from "@netapprox/model/allocation/ports.js";
import { leafDrops } from "@netapprox/controller/targets/htb.js";
import { mininetLinkInterfaces } from "@netapprox/controller/targets/tc-links.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { freeLoopbackTcpPort } from "@netapprox/model/util/free-port.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import { collectRun, lastJsonObject, type ProgramOutcome } from "./collect.js";
import {
  counterDelta,
  counterResults,
  jobColours,
  readCounters,
  withQueueDrops,
  type QueueDrops,
  type SwitchCounters,
} from "./counters.js";
import { hostSetupCommands, tcpNotes, withTcBatch } from "./host-setup.js";
import { MininetNetwork, NetworkError, describeEvent } from "./launcher.js";
import { buildLaunchPlan } from "./plan.js";
import { policyToYaml } from "./policy-file.js";
import {
  markingRestoreInput,
  withStartAt,
  scheduleRun,
  withRate,
  withTimeLeft,
  type HostProgram,
  type RunSchedule,
} from "./schedule.js";

/** How BMv2 links are scheduled: an htb tree per egress veth, or BMv2's own paced queues. */
export type Bmv2Queues = "htb" | "paced";

export interface MininetRunOptions {
  scenario: Scenario;
  policy: ExperimentPolicy;
  /** A TCP baseline's setting (its hosts are configured for it); null for the other policies. */
  tcpSetting: TcpSettingName | null;
  bmv2Queues: Bmv2Queues;
  /** `simple_switch_grpc --version`, for the results; null when unreadable. */
  bmv2Version: string | null;
  seed: number;
  /** Logs, the plan, the policy file and every program's output for this run. */
  runDir: string;
  /** The netapprox package folder (bin/netapprox.js, mininet/launch.py, p4/build). */
  root: string;
  python: string;
  bmv2Binary: string;
  bmv2LogLevel: string;
  schema: P4Schema;
  /** One line of progress. */
  progress: (line: string) => void;
  /** Seconds a phase's receivers (and, with a start time, senders) start ahead of it. */
  receiverLead?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Waits until the controller's /status lists exactly `jobs`; false after `timeoutMs`. */
async function jobsApplied(
  statusUrl: string,
  jobs: ReadonlySet<number>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(statusUrl, { signal: AbortSignal.timeout(1000) });
      const status = (await response.json()) as { jobs?: { id: number }[] };
      const ids = new Set((status.jobs ?? []).map((j) => j.id));
      if (ids.size === jobs.size && [...jobs].every((id) => ids.has(id))) return true;
    } catch {
      // not answering yet: try again
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/** What is running: job ids and indexes of exact sources (the plan's exactSources). */
export interface ActiveSet {
  jobs: ReadonlySet<number>;
  exactSources: ReadonlySet<number>;
}

/** What runPolicy needs besides the scenario: how the links are scheduled, the TCP setting. */
export interface RunConditions {
  bmv2Queues?: Bmv2Queues;
  tcpSetting?: TcpSettingName | null;
}

/**
 * The policy the controller runs: the scenario's classes and knobs, the policy's allocator,
 * and the jobs and declared exact demand of what is running (everything when `active` is
 * null, for a static allocation). With BMv2's paced queues a queue's rate is reserved whether
 * used or not, so exact demand is declared as the scenario provisions it (declared_load) and
 * only while its traffic runs; with work-conserving htb links the allocation is told the
 * offered load, as the simulator does outside its bmv2-paced mode. A dctcp run's switches
 * mark ECN at the policy's threshold or the scenario's dctcp threshold.
 */
export function runPolicy(
  scenario: Scenario,
  policy: ExperimentPolicy,
  plan: WorkloadPlan,
  active: ActiveSet | null,
  conditions: RunConditions = {},
): Policy {
  const all = policyJobs(plan.jobs);
  const sources = plan.exactSources.filter((_, i) => active?.exactSources.has(i) ?? true);
  const knobs = scenario.policy.knobs;
  return {
    ...scenario.policy,
    knobs:
      conditions.tcpSetting === "dctcp" && knobs.ecnThreshold === null
        ? { ...knobs, ecnThreshold: scenario.transport.dctcpThreshold }
        : knobs,
    allocator: POLICY_BINDINGS[policy].allocator,
    jobs: active === null ? all : all.filter((j) => active.jobs.has(j.id)),
    exact: {
      source: "declared",
      flows:
        scenario.simulator.exactDemand === "declared"
          ? declaredExactFlows(sources, conditions.bmv2Queues === "htb" ? "offered" : "declared")
          : [],
    },
    origin: null,
  };
}

/**
 * What the links' htb leaves dropped (their FIFOs full: the best-effort leaf's limit is the
 * LE threshold, so its drops are early drops), from `tc -s` on every switch egress veth.
 */
async function readQueueDrops(scenario: Scenario, policy: Policy): Promise<QueueDrops[]> {
  const earlyDrop = policy.allocator === "netapprox";
  const reasonOf = (queue: number) =>
    queue === policy.classes.bestEffort.queue && earlyDrop ? "le-threshold" : "queue-full";
  const out: QueueDrops[] = [];
  for (const sw of scenario.topology.switches) {
    for (const [port, iface] of mininetLinkInterfaces(scenario.topology, sw.name)) {
      const json = await new Promise<string>((resolveRead, reject) =>
        execFile("tc", ["-s", "-j", "qdisc", "show", "dev", iface.name], (err, stdout) =>
          err ? reject(err) : resolveRead(stdout),
        ),
      );
      for (const [queue, packets] of leafDrops(json))
        out.push({ switch: sw.name, port, reason: reasonOf(queue), packets });
    }
  }
  return out;
}

/** Per switch, the ids of the jobs whose senders are attached to it (where they are metered). */
export function enteringJobs(scenario: Scenario, plan: WorkloadPlan): Map<string, number[]> {
  const switchOf = new Map(scenario.topology.hosts.map((h) => [h.name, h.switch]));
  const out = new Map<string, number[]>();
  for (const job of plan.jobs) {
    for (const sw of new Set(job.src.map((h) => switchOf.get(h)!))) {
      out.set(sw, [...(out.get(sw) ?? []), job.id]);
    }
  }
  return out;
}

/** Runs the programs of one run inside the network's hosts and remembers what they print. */
class Programs {
  readonly outcomes = new Map<string, ProgramOutcome>();
  private readonly running = new Map<string, ChildProcess>();
  private readonly exits = new Map<string, Promise<ProgramOutcome>>();

  constructor(
    private readonly network: MininetNetwork,
    private readonly cli: string[],
    private readonly t0: number,
    private readonly logDir: string,
    /** Seconds after t0 by which every program must have printed its result. */
    private readonly deadline: number,
  ) {}

  now(): number {
    return (Date.now() - this.t0) / 1000;
  }

  /**
   * Starts a program; `rate` (bit/s) lowers a sender's starting rate; a sender given
   * `startAtEpochMs` is started ahead and begins sending then, its start-up done.
   */
  start(p: HostProgram, rate?: number, startAtEpochMs?: number): Promise<ProgramOutcome> {
    const startedAt = this.now();
    let program = rate === undefined ? p : { ...p, args: withRate(p, rate) };
    if (startAtEpochMs !== undefined)
      program = { ...program, args: withStartAt(program, startAtEpochMs) };
    const args = withTimeLeft(program, this.deadline - startedAt);
    const child = this.network.spawnOnHost(p.host, [...this.cli, ...args]);
    this.running.set(p.id, child);
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const exit = new Promise<ProgramOutcome>((resolveExit) => {
      const finish = (code: number | null, signal: string | null, error?: string) => {
        this.running.delete(p.id);
        const result = lastJsonObject(stdout);
        const outcome: ProgramOutcome = {
          id: p.id,
          result,
          exitCode: code,
          signal,
          startedAt,
          endedAt: this.now(),
          error:
            result === null ? (error ?? stderr.trim().split("\n").slice(-3).join(" | ")) : null,
        };
        this.outcomes.set(p.id, outcome);
        writeFileSync(
          join(this.logDir, `${p.id}.txt`),
          `${p.host}$ netapprox ${args.join(" ")}\n--- stdout\n${stdout}--- stderr\n${stderr}`,
        );
        resolveExit(outcome);
      };
      child.once("error", (err) => finish(null, null, err.message));
      child.once("close", (code, signal) => finish(code, signal));
    });
    this.exits.set(p.id, exit);
    return exit;
  }

  exitOf(id: string): Promise<ProgramOutcome> | undefined {
    return this.exits.get(id);
  }

  runningIds(): string[] {
    return [...this.running.keys()];
  }

  /** SIGTERM (receivers and sinks print what they have), SIGKILL after `grace` seconds. */
  async stopAll(ids: string[], grace: number): Promise<void> {
    const waiting = ids.map((id) => this.exits.get(id)).filter((e) => e !== undefined);
    for (const id of ids) this.running.get(id)?.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const id of ids) this.running.get(id)?.kill("SIGKILL");
    }, grace * 1000);
    await Promise.all(waiting);
    clearTimeout(timer);
  }
}

export async function runOnMininet(o: MininetRunOptions): Promise<RunResult> {
  const { scenario, policy, seed } = o;
  const binding = POLICY_BINDINGS[policy];
  const plan = expandWorkload(scenario, seed);
  // Two seconds: enough for a phase's Node programs to start on a busy 2-core machine
  // before the time its senders begin.
  const lead = o.receiverLead ?? 2;
  const schedule: RunSchedule = scheduleRun({
    scenario,
    plan,
    transport: binding.transport,
    timeLimit: scenario.timeLimit,
  });
  const logDir = join(o.runDir, "programs");
  makeDirectory(logDir, "log folder");

  // The controller's policy; replaced as jobs start and end (it watches the file), in one
  // step so that it never reads a half-written file.
  const onChange = scenario.simulator.reallocate === "on-change";
  const active = { jobs: new Set<number>(), exactSources: new Set<number>() };
  const policyFile = join(o.runDir, "policy.yaml");
  const label = o.tcpSetting === null ? policy : `${policy} (${o.tcpSetting})`;
  const header = [
    `Generated by netapprox experiment for ${scenario.name}, policy ${label}, seed ${seed}.`,
    onChange ? "Rewritten as jobs start and end." : "All jobs, for the whole run.",
  ];
  const conditions: RunConditions = { bmv2Queues: o.bmv2Queues, tcpSetting: o.tcpSetting };
  const currentPolicy = () =>
    runPolicy(scenario, policy, plan, onChange ? active : null, conditions);
  const writePolicy = () =>
    writeFileAtomic(policyFile, policyToYaml(currentPolicy(), header), "policy file");
  writePolicy();

  // Every TCP connection of the run's hosts uses the run's TCP: a baseline's setting, or the
  // scenario's (the co-running exact flows') for the other policies.
  const tcp =
    o.tcpSetting === null
      ? scenario.transport.tcp
      : tcpSettingOf(o.tcpSetting, scenario.transport.tcp);
  const classPlan = buildClassPlan(currentPolicy());
  // Every host marks the receivers' and coordinators' ports: one iptables-restore each.
  const rules = markingRestoreInput(
    schedule.markedPorts,
    scenario.policy.classes,
    schedule.controlPorts,
  );
  const markingFile = rules === null ? null : join(o.runDir, "marking.rules");
  if (markingFile !== null) writeFileSync(markingFile, rules!);

  const httpPort = await freeLoopbackTcpPort();
  const statusUrl = `http://127.0.0.1:${httpPort}/status`;
  const cli = [process.execPath, join(o.root, "bin", "netapprox.js")];
  const topologyFile = isAbsolute(scenario.topologyFile)
    ? scenario.topologyFile
    : resolve(scenario.topologyFile);
  const launchPlan = buildLaunchPlan(scenario.topology, {
    topologyFile,
    runDir: o.runDir,
    hostCommands: markingFile === null ? [] : [["iptables-restore", "--noflush", markingFile]],
    hostSetup: (host, capacity) => {
      // One tc process per host for its qdisc (a file in the run folder).
      const { commands, batch } = withTcBatch(
        hostSetupCommands(host, capacity, {
          scheduling:
            scenario.hosts.queues === "priority"
              ? { ...classPlan, bestEffortShare: scenario.hosts.bestEffortShare }
              : null,
          queueLimit: scenario.simulator.hostBuffer,
          tcp,
        }),
        join(o.runDir, `${host.name}.tc`),
      );
      if (batch !== null) writeFileSync(join(o.runDir, `${host.name}.tc`), batch);
      return commands;
    },
    bmv2: { binary: o.bmv2Binary, logLevel: o.bmv2LogLevel },
    controller: {
      argv: [
        ...cli,
        "controller",
        "--topology",
        topologyFile,
        "--policy",
        policyFile,
        "--http",
        `127.0.0.1:${httpPort}`,
        "--log-format",
        "text",
        "--p4-build",
        o.root,
        "--bmv2-queues",
        o.bmv2Queues,
      ],
      cwd: o.runDir,
      statusUrl,
      readyTimeout: 90,
    },
  });
  const planFile = join(o.runDir, "plan.json");
  writeFileSync(planFile, JSON.stringify(launchPlan, null, 2));

  const tag = `[${label} seed ${seed}]`;
  const loadAtStart = loadavg()[0]!;
  o.progress(`${tag} starting the network (logs in ${o.runDir})`);
  const network = await MininetNetwork.start({
    python: o.python,
    script: join(o.root, "mininet", "launch.py"),
    planFile,
    runDir: o.runDir,
    readyTimeout: 180,
    onEvent: (e) => {
      const text = describeEvent(e);
      if (text !== undefined && e.event !== "down") o.progress(`${tag} ${text}`);
    },
  });

  // A switch meters at most every job of the run.
  const meterCells = Math.min(plan.jobs.length, 1024);
  let before: SwitchCounters[] | null = null;
  let after: SwitchCounters[] | null = null;
  let failure: string | undefined;
  let programs: Programs | undefined;
  let trafficEnd: number | undefined;
  let timeLimitReached = false;
  let queueDrops: QueueDrops[] = [];
  const counterErrors: string[] = [];
  try {
    try {
      before = await readCounters(scenario.topology, o.schema, meterCells);
    } catch (err) {
      counterErrors.push(`before: ${(err as Error).message}`);
    }
    const t0 = Date.now() + scenario.mininet.warmup * 1000;
    // Programs give up 3 s before the time limit, so that they still print their results.
    programs = new Programs(network, cli, t0, logDir, scenario.timeLimit - 3);
    const p = programs;
    const until = (t: number) => sleep(t0 + t * 1000 - Date.now());
    let aborted = false;
    network.onFailure((message) => {
      failure = message;
      aborted = true;
      void p.stopAll(p.runningIds(), 3);
    });

    const receivers: Promise<ProgramOutcome>[] = [];
    const sinks = schedule.sinks.map((s) => p.start(s));
    const senders: Promise<unknown>[] = [];
    let jobsDone = 0;
    // What is about to run is declared to the controller `lead` seconds ahead: on BMv2 a
    // packet gets its departure time when it is queued, so traffic that reaches a queue
    // still paced for no one (1 packet/s) waits there for up to its depth in seconds, even
    // after the rate goes up.
    const generators = schedule.generators.map(async (g) => {
      const source = g.program.exactSource!;
      await until(g.start - lead);
      if (aborted) return;
      if (onChange) {
        active.exactSources.add(source);
        writePolicy();
      }
      await until(g.start);
      if (aborted) return;
      await p.start(g.program);
      if (onChange && !aborted) {
        active.exactSources.delete(source);
        writePolicy();
      }
    });

    // Senders running per job, and where they start when the scenario asks for the
    // allocation's rate: by the simulator's rule (start-rate.ts), from the allocation the
    // controller computes for what is running.
    const sending = new Map<number, number>();
    const routing = computeRoutes(scenario.topology);
    const rateHints = (
      jobId: number,
      senders: readonly HostProgram[],
      concurrent: number,
    ): (number | undefined)[] => {
      if (scenario.transport.rateHint !== "allocation" || binding.transport !== "approximate")
        return senders.map(() => undefined);
      const policy = currentPolicy();
      const job = allocate(scenario.topology, routing, {}, policy).jobs.find((j) => j.id === jobId);
      if (job === undefined) return senders.map(() => undefined);
      const rates = jobRates(job, (host) => host);
      return senders.map((s) => {
        const onHost = senders.filter((o) => o.host === s.host).length;
        const rate = startRate(rates, s.host, onHost, concurrent, 1 + policy.knobs.headroom);
        return rate ?? undefined;
      });
    };

    const jobTasks = plan.jobs.map(async (job) => {
      const phases = schedule.phases.filter((s) => s.job === job.id);
      let previous: Promise<unknown> = Promise.resolve();
      const phaseDone: Promise<unknown>[] = [];
      for (const ph of phases) {
        const run = async (after: Promise<unknown>) => {
          if (ph.start !== null) await until(ph.start - lead);
          else await after;
          if (aborted) return;
          if (ph.phase === 0 && onChange) {
            active.jobs.add(job.id);
            writePolicy();
          }
          const coordinator = schedule.coordinators.find((c) => c.job === job.id);
          if (ph.phase === 0 && coordinator !== undefined)
            receivers.push(p.start(coordinator.program));
          for (const r of ph.receivers) receivers.push(p.start(r));
          const startSenders = () => {
            const running = (sending.get(job.id) ?? 0) + ph.senders.length;
            sending.set(job.id, running);
            const hints = rateHints(job.id, ph.senders, running);
            // A phase with a start time: its senders start now, with the receivers, and
            // begin together at that time (Node's start-up on a busy machine would spread
            // them over seconds); a round after its predecessor starts them when it may go.
            const at = ph.start === null ? undefined : t0 + ph.start * 1000;
            return ph.senders.map((s, i) =>
              p.start(s, hints[i], at).finally(() => sending.set(job.id, sending.get(job.id)! - 1)),
            );
          };
          // Senders with a start time start half the lead after their receivers, which then
          // listen by the time the senders begin.
          let early: Promise<ProgramOutcome>[] = [];
          if (ph.start !== null) {
            await until(ph.start - lead / 2);
            if (aborted) return;
            early = startSenders();
            await until(ph.start);
          } else await sleep(lead * 1000);
          if (aborted) return;
          if (ph.phase === 0 && onChange && !(await jobsApplied(statusUrl, active.jobs, 3000)))
            o.progress(
              `${tag} the controller did not show job ${job.name} in time; starting anyway`,
            );
          const started = ph.start !== null ? early : startSenders();
          senders.push(...started);
          await Promise.all(started);
        };
        const done = run(previous);
        phaseDone.push(done);
        previous = done;
      }
      await Promise.all(phaseDone);
      jobsDone++;
      const jcts = phases
        .flatMap((ph) => ph.senders)
        .map((s) => programs!.outcomes.get(s.id)?.result?.jctMs)
        .filter((v): v is number => typeof v === "number");
      o.progress(
        `${tag} t=${p.now().toFixed(1)}s job ${job.name} ended (${jobsDone}/${plan.jobs.length}; slowest transfer ${jcts.length > 0 ? (Math.max(...jcts) / 1000).toFixed(2) + " s" : "-"})`,
      );
      if (onChange && !aborted) {
        active.jobs.delete(job.id);
        writePolicy();
      }
    });

    const ticker = setInterval(() => {
      o.progress(
        `${tag} t=${p.now().toFixed(1)}s jobs ${jobsDone}/${plan.jobs.length} ended, ${p.runningIds().length} programs running`,
      );
    }, 5000);
    const limit = setTimeout(
      () => {
        o.progress(`${tag} time limit of ${scenario.timeLimit} s reached: stopping every program`);
        aborted = true;
        timeLimitReached = true;
        void p.stopAll(p.runningIds(), 5);
      },
      t0 - Date.now() + scenario.timeLimit * 1000,
    );
    try {
      await Promise.all([...jobTasks, ...generators]);
      await Promise.all(senders);
      trafficEnd = p.now();
      // Receivers and sinks end by themselves once their senders are done; give them the
      // cooldown, then ask them to print what they have.
      const rest = Promise.all([...receivers, ...sinks]);
      const cooled = await Promise.race([
        rest.then(() => true),
        sleep(scenario.mininet.cooldown * 1000).then(() => false),
      ]);
      if (!cooled) await p.stopAll(p.runningIds(), 3);
      await rest;
    } finally {
      clearInterval(ticker);
      clearTimeout(limit);
    }
    try {
      after = await readCounters(scenario.topology, o.schema, meterCells);
    } catch (err) {
      counterErrors.push(`after: ${(err as Error).message}`);
    }
    if (o.bmv2Queues === "htb") {
      try {
        queueDrops = await readQueueDrops(scenario, currentPolicy());
      } catch (err) {
        counterErrors.push(`link queues: ${(err as Error).message}`);
      }
    }
  } finally {
    if (programs) await programs.stopAll(programs.runningIds(), 3);
    const code = await network.stop();
    const leftovers = network.leftovers;
    if (leftovers === undefined || leftovers.length > 0 || code !== 0) {
      const text = `${tag} teardown: launcher exit ${code}${leftovers?.length ? `, left behind: ${leftovers.join("; ")}` : ""} (see ${join(o.runDir, "launcher.txt")})`;
      o.progress(text);
      failure ??= leftovers?.length ? text : undefined;
    } else o.progress(`${tag} network torn down, nothing left behind`);
  }
  if (failure !== undefined) throw new NetworkError(`${tag} ${failure}`);

  const counters =
    before !== null && after !== null
      ? withQueueDrops(
          scenario.topology,
          counterResults(scenario.topology, counterDelta(before, after), trafficEnd ?? 0),
          queueDrops,
        )
      : null;
  return collectRun({
    timeLimitReached,
    jobColours:
      counters !== null && !onChange
        ? jobColours(counters.meterColours, enteringJobs(scenario, plan))
        : null,
    scenario,
    policy,
    tcpSetting: o.tcpSetting,
    seed,
    plan,
    schedule,
    outcomes: programs!.outcomes,
    counters,
    duration: trafficEnd ?? 0,
    runnerInfo: {
      // The machine's load shapes what BMv2 and the host programs achieve.
      cpus: cpus().length,
      loadAverageAtStart: Number(loadAtStart.toFixed(2)),
      loadAverageAtEnd: Number(loadavg()[0]!.toFixed(2)),
      warmupSeconds: scenario.mininet.warmup,
      receiverLeadSeconds: lead,
      reallocation: onChange ? "on-change (policy file rewritten)" : "static",
      bmv2LogLevel: o.bmv2LogLevel,
      bmv2Version: o.bmv2Version ?? "unknown",
      bmv2Queues:
        o.bmv2Queues === "htb"
          ? "htb tree per egress veth (work-conserving), BMv2 queues unpaced"
          : "BMv2 priority queues paced over Thrift",
      hostTcp: `${tcp.variant === "dctcp" ? "dctcp, ECN" : "reno"}, minimum RTO ${tcp.minRto * 1000} ms`,
      ...(o.tcpSetting !== null && tcpNotes(tcp, o.tcpSetting).length > 0
        ? { hostTcpNote: tcpNotes(tcp, o.tcpSetting)[0]! }
        : {}),
      ...(counterErrors.length > 0 ? { counterErrors: counterErrors.join("; ") } : {}),
    },
  });
}
