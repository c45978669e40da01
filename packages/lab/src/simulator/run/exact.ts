// The exact flows of a simulated run: each over TCP in the exact class, started at its
// arrival (one pending start at a time), its completion time recorded.
import type { FlowResult } from "../../experiment/results.js";
import type { WorkloadPlan } from "../../experiment/workload.js";
import { TcpReceiver } from "../hosts/tcp-receiver.js";
import { TcpSender, type TcpFlowConfig } from "../hosts/tcp.js";
import type { RunController } from "./control.js";
import { connectionHashes, hostIndex, TCP, type RunContext } from "./context.js";

export class ExactFlows {
  /** Flow completion time by flow id, seconds; NaN: not done. */
  private readonly fct: Float64Array;
  private next = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly flows: WorkloadPlan["exactFlows"],
    private readonly controller: RunController,
    /** Called when a flow is done (after the tally counts it). */
    private readonly flowDone: () => void,
  ) {
    this.fct = new Float64Array(flows.length).fill(NaN);
  }

  schedule(): void {
    if (this.flows.length > 0) this.ctx.sim.at(this.flows[0]!.start, () => this.startDue());
  }

  private startDue(): void {
    const { sim, scenario } = this.ctx;
    const flows = this.flows;
    while (this.next < flows.length && flows[this.next]!.start <= sim.now) {
      const f = flows[this.next++]!;
      const source = this.controller.exactFlowStarted(f.spec, f.src);
      const src = hostIndex(this.ctx, f.src);
      const dst = hostIndex(this.ctx, f.dst);
      const first = sim.reservePair();
      this.ctx.tally.connections++;
      const config: TcpFlowConfig = {
        bytes: f.size,
        tcp: scenario.transport.tcp,
        ecn: scenario.policy.knobs.ecnThreshold !== null,
        dscp: scenario.policy.classes.exact.dscp,
        job: -1,
        ...connectionHashes(this.ctx, src, dst, TCP, scenario.mininet.exactPort),
      };
      const receiver = new TcpReceiver(sim, first + 1, dst, src, config);
      const sender = new TcpSender(sim, first, src, dst, config, (s) => {
        this.fct[f.id] = s.completionTime!;
        this.ctx.tally.flowsDone++;
        sim.detachPair(first);
        this.controller.exactFlowEnded(source);
        this.flowDone();
      });
      sim.attach(receiver);
      sim.attach(sender);
      sender.start();
    }
    if (this.next < flows.length) sim.at(flows[this.next]!.start, () => this.startDue());
  }

  results(): FlowResult[] {
    return this.flows.map((f): FlowResult => ({
      id: f.id,
      src: f.src,
      dst: f.dst,
      size: f.size,
      start: f.start,
      fct: Number.isNaN(this.fct[f.id]!) ? null : this.fct[f.id]!,
    }));
  }
}
