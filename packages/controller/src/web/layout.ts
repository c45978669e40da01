// Where the web view draws each switch, host and link of a topology: layers by distance
// from the hosts (hosts at the bottom, then edge, aggregation, core switches), each layer
// ordered to keep links short (a switch sits above the middle of its neighbours below, so
// a fat-tree's pods and a leaf-spine's racks stay together). Pure: topology in, positions
// out; the browser only draws them.
import type { Topology } from "@netapprox/model/topology/types.js";

export interface ViewNode {
  name: string;
  kind: "switch" | "host";
  x: number;
  y: number;
  /** 0 for hosts, 1 for switches with hosts, and so on upwards. */
  level: number;
}

export interface ViewLink {
  /** The two ends as drawn: `a` is the upper (or left) node. */
  a: string;
  b: string;
  capacity: number;
  /** Names of the two directions as the allocation and /status name links ("s1:3->s2:1"). */
  ab: string;
  ba: string;
  /** True when one end is a host. */
  hostLink: boolean;
}

export interface ViewLayout {
  name: string | null;
  width: number;
  height: number;
  nodes: ViewNode[];
  links: ViewLink[];
}

const LAYER_GAP = 150;
const MARGIN = 60;

/** Horizontal room per node of a layer: hosts pack tighter than switches. */
function spacing(kind: ViewNode["kind"], count: number): number {
  if (kind === "host") return count > 64 ? 16 : count > 24 ? 28 : 56;
  return count > 24 ? 60 : 110;
}

/** Natural order: "leaf2" before "leaf10". */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export function layoutTopology(topology: Topology): ViewLayout {
  const neighbours = new Map<string, Set<string>>();
  const link = (x: string, y: string) => {
    (neighbours.get(x) ?? neighbours.set(x, new Set()).get(x)!).add(y);
    (neighbours.get(y) ?? neighbours.set(y, new Set()).get(y)!).add(x);
  };
  for (const l of topology.links) link(l.endpoints[0].name, l.endpoints[1].name);

  // Level: hops from the nearest host (breadth-first from every host at once).
  const level = new Map<string, number>();
  let frontier = topology.hosts.map((h) => h.name);
  for (const h of frontier) level.set(h, 0);
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const n of frontier)
      for (const m of neighbours.get(n) ?? [])
        if (!level.has(m)) {
          level.set(m, d);
          next.push(m);
        }
    frontier = next;
  }
  // Switches no host reaches still get drawn, on the top layer.
  const reached = Math.max(1, ...[...level.values()]);
  for (const sw of topology.switches) if (!level.has(sw.name)) level.set(sw.name, reached + 1);
  const top = Math.max(1, ...[...level.values()]);

  const layers: string[][] = Array.from({ length: top + 1 }, () => []);
  for (const sw of [...topology.switches].sort((a, b) => naturalCompare(a.name, b.name)))
    layers[level.get(sw.name)!]!.push(sw.name);

  // Hosts under their switch, in port order; switches of level 1 in name order.
  const position = new Map<string, number>();
  const place = (names: string[]) => names.forEach((n, i) => position.set(n, i));
  place(layers[1]!);
  layers[0] = [...topology.hosts]
    .sort(
      (a, b) =>
        (position.get(a.switch) ?? 0) - (position.get(b.switch) ?? 0) ||
        a.port - b.port ||
        naturalCompare(a.name, b.name),
    )
    .map((h) => h.name);
  place(layers[0]);
  // Upper layers: by the mean position of their neighbours one level down.
  for (let l = 2; l <= top; l++) {
    const below = (n: string) =>
      [...(neighbours.get(n) ?? [])].filter((m) => level.get(m) === l - 1);
    const centre = (n: string) => {
      const ps = below(n).map((m) => position.get(m) ?? 0);
      return ps.length === 0 ? Infinity : ps.reduce((s, p) => s + p, 0) / ps.length;
    };
    const centres = new Map(layers[l]!.map((n) => [n, centre(n)]));
    layers[l]!.sort((a, b) => centres.get(a)! - centres.get(b)! || naturalCompare(a, b));
    place(layers[l]!);
  }

  const widths = layers.map((names, l) =>
    names.length === 0 ? 0 : names.length * spacing(l === 0 ? "host" : "switch", names.length),
  );
  const width = Math.max(480, ...widths) + 2 * MARGIN;
  const height = top * LAYER_GAP + 2 * MARGIN;
  const nodes: ViewNode[] = [];
  layers.forEach((names, l) => {
    const step = names.length === 0 ? 0 : widths[l]! / names.length;
    const left = (width - widths[l]!) / 2;
    names.forEach((name, i) =>
      nodes.push({
        name,
        kind: l === 0 ? "host" : "switch",
        x: Math.round(left + step * (i + 0.5)),
        y: Math.round(MARGIN + (top - l) * LAYER_GAP),
        level: l,
      }),
    );
  });

  const at = new Map(nodes.map((n) => [n.name, n]));
  const end = (e: Topology["links"][number]["endpoints"][number]) =>
    e.kind === "switch" ? `${e.name}:${e.port}` : e.name;
  const links: ViewLink[] = topology.links.map((l) => {
    const [p, q] = l.endpoints;
    const np = at.get(p.name)!;
    const nq = at.get(q.name)!;
    const pFirst = np.y < nq.y || (np.y === nq.y && np.x <= nq.x);
    const [a, b] = pFirst ? [p, q] : [q, p];
    return {
      a: a.name,
      b: b.name,
      capacity: l.capacity,
      ab: `${end(a)}->${end(b)}`,
      ba: `${end(b)}->${end(a)}`,
      hostLink: p.kind === "host" || q.kind === "host",
    };
  });
  return { name: topology.name, width, height, nodes, links };
}
