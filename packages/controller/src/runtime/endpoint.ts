// What the controller serves over HTTP: its status, metrics, health, and the web view's
// drawing of the network, with a signal for live updates (polls, syncs, policy edits,
// switch state changes, and a tick so that ages and "unresponsive" advance).
import { interval, merge } from "rxjs";
import type { Topology } from "@netapprox/model/topology/types.js";
import { layoutTopology } from "../web/layout.js";
import type { NetapproxController } from "./controller.js";
import type { StatusEndpoint } from "./http.js";

export function controllerEndpoint(
  controller: NetapproxController,
  topology: Topology,
): StatusEndpoint {
  const layout = layoutTopology(topology);
  return {
    metrics: () => {
      controller.status(); // refreshes the utilisation gauges
      return controller.metrics.render();
    },
    metricsContentType: controller.metrics.contentType,
    status: () => controller.status(),
    healthy: () => [...controller.agents.values()].some((a) => a.switch.state === "ready"),
    view: () => layout,
    watch: (changed) => {
      const sub = merge(
        controller.events$,
        interval(1_000),
        ...[...controller.agents.values()].map((a) => a.switch.state$),
      ).subscribe({ next: () => changed(), error: () => undefined });
      return () => sub.unsubscribe();
    },
  };
}
