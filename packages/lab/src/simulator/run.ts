// One simulated run of a scenario under one policy (a TCP baseline: in one TCP setting) and
// seed: the workload expanded from the seed, the controller's allocation (recomputed as
// jobs come and go; run/control.ts), the jobs' transfers over the policy's host transport
// with job-level completion (run/transfers.ts, jobs.ts), the exact flows over TCP
// (run/exact.ts), and the results in the shared format (run/results.ts,
// packages/lab/src/experiment/results.ts).
import type { RunResult } from "../experiment/results.js";
import { RUN_FORMAT } from "../experiment/results.js";
import {
  POLICY_BINDINGS,
  tcpSetting,
  type ExperimentPolicy,
  type Scenario,
  type TcpSettingName,
} from "../experiment/scenario.js";
import { expandWorkload, policyJobs, type WorkloadPlan } from "../experiment/workload.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import { computeRoutes, type Routing } from "@netapprox/model/routing/routing.js";
import { completionMode } from "./jobs.js";
import { RateHints, RunAllocator, RunController } from "./run/control.js";
import type { RunContext } from "./run/context.js";
import { ExactFlows } from "./run/exact.js";
import { dropTotals, jobResult, linkResults } from "./run/results.js";
import { createJobStates, JobTransfers } from "./run/transfers.js";
import { Simulation } from "./simulation.js";

export interface RunProgress {
  policy: ExperimentPolicy;
  seed: number;
  /** Simulated seconds so far, and the time limit. */
  time: number;
  timeLimit: number;
  events: number;
  jobsDone: number;
  jobs: number;
  flowsDone: number;
  flows: number;
}

export interface RunOptions {
  scenario: Scenario;
  policy: ExperimentPolicy;
  seed: number;
  /** The seed's workload, when already expanded (the same for every policy). */
  plan?: WorkloadPlan;
  /** Routing of the scenario's topology, when already computed. */
  routing?: Routing;
  /** A TCP baseline's setting (default: the scenario's first); ignored for other policies. */
  tcpSetting?: TcpSettingName | null;
  progress?: (p: RunProgress) => void;
}

/** The TCP setting a run of `policy` uses: a TCP baseline's, else none. */
export function runTcpSetting(
  scenario: Scenario,
  policy: ExperimentPolicy,
  requested?: TcpSettingName | null,
): TcpSettingName | null {
  const transport = POLICY_BINDINGS[policy].transport;
  if (transport !== "tcp-sender-sampling" && transport !== "tcp-receiver-drop") return null;
  return requested ?? scenario.transport.tcpSettings[0] ?? "dc-tuned";
}

export function simulateRun(options: RunOptions): RunResult {
  const wallStart = performance.now();
  const { scenario, policy, seed } = options;
  const binding = POLICY_BINDINGS[policy];
  const routing = options.routing ?? computeRoutes(scenario.topology);
  const plan = options.plan ?? expandWorkload(scenario, seed);
  const settings = scenario.simulator;
  const setting = runTcpSetting(scenario, policy, options.tcpSetting);
  // A TCP baseline's connections run in its setting; dctcp needs the network to mark ECN, at
  // the policy's threshold or the scenario's dctcp threshold.
  const baselineTcp = setting === null ? null : tcpSetting(setting, scenario.transport.tcp);
  const knobs =
    setting === "dctcp" && scenario.policy.knobs.ecnThreshold === null
      ? { ...scenario.policy.knobs, ecnThreshold: scenario.transport.dctcpThreshold }
      : scenario.policy.knobs;
  const basePolicy: Policy = {
    ...scenario.policy,
    knobs,
    allocator: binding.allocator,
    jobs: [],
    exact: { source: "declared", flows: [] },
  };
  const allocator = new RunAllocator(scenario, routing, plan, basePolicy, policyJobs(plan.jobs));
  const initial = allocator.initial();
  const sim = new Simulation(routing, initial, {
    queueMode: settings.queueMode,
    hostBuffer: settings.hostBuffer,
    hostQueues: scenario.hosts.queues,
    hostBestEffortShare: scenario.hosts.bestEffortShare,
    ecmpHash: settings.ecmpHash,
    linkDelay: settings.linkDelay,
  });
  const fabric = sim.fabric;
  fabric.ensureJob(plan.jobs.length);
  const ctx: RunContext = {
    scenario,
    binding,
    net: routing.network,
    sim,
    fabric,
    knobs,
    baselineTcp,
    tally: { jobsDone: 0, flowsDone: 0, connections: 0 },
  };
  const { tally } = ctx;
  const finished = () => tally.jobsDone === jobs.length && tally.flowsDone === flows.length;
  const checkFinished = () => {
    if (finished()) sim.stop();
  };

  const mode = completionMode(scenario.completion, binding.transport);
  const jobs = createJobStates(plan.jobs, mode, scenario.transport.chunkSize, (job, group) =>
    transfers.groupEnded(job, group),
  );
  const flows = plan.exactFlows;
  const hints = new RateHints(scenario.transport.rateHint === "allocation", 1 + knobs.headroom);
  const controller = new RunController(ctx, allocator, hints, jobs, initial, plan.exactSources);
  const transfers = new JobTransfers(ctx, hints, controller, checkFinished);
  const exact = new ExactFlows(ctx, flows, controller, checkFinished);
  // The order of these schedules is the order of same-time events.
  controller.start();
  transfers.schedule(jobs);
  exact.schedule();
  checkFinished();

  const progress = options.progress;
  const progressReport = (time: number, events: number) =>
    progress?.({
      policy,
      seed,
      time,
      timeLimit: scenario.timeLimit,
      events,
      jobsDone: tally.jobsDone,
      jobs: jobs.length,
      flowsDone: tally.flowsDone,
      flows: flows.length,
    });
  const endTime = sim.run(scenario.timeLimit, (p) => progressReport(p.time, p.events));
  progressReport(endTime, sim.eventCount);
  const wallSeconds = (performance.now() - wallStart) / 1000;

  return {
    format: RUN_FORMAT,
    scenario: scenario.name,
    runner: "simulator",
    policy,
    tcpSetting: setting,
    allocator: binding.allocator,
    transport: binding.transport,
    completion: scenario.completion,
    seed,
    duration: endTime,
    finished: finished(),
    jobs: jobs.map((j) => jobResult(j, fabric, binding.allocator === "netapprox")),
    exactFlows: exact.results(),
    drops: dropTotals(fabric),
    links: linkResults(fabric, endTime),
    runnerInfo: {
      events: sim.eventCount,
      wallSeconds,
      eventsPerSecond: wallSeconds > 0 ? sim.eventCount / wallSeconds : 0,
      peakPackets: fabric.peakLive,
      connections: tally.connections,
      reallocations: controller.reallocations,
      demandReallocations: controller.demandReallocations,
      queueMode: settings.queueMode,
      hostQueues: scenario.hosts.queues,
      exactDemand: settings.exactDemand,
    },
  };
}
