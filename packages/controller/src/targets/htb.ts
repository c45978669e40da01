// Linux htb as the traffic manager of a link (Mininet): an htb tree on an egress interface
// that schedules by the DSCP value the P4 program wrote, the way a hardware switch's
// traffic manager does and BMv2's own queues cannot (each BMv2 priority queue is paced on
// its own and none lends to another). Pure: the trees, their checks, the `tc` commands
// that build them, the parsing of what `tc` shows and the difference between the two.
// Running `tc` is tc-links.ts.
//
// A switch port's tree (weightedTree): root class at the link capacity; one leaf class per
// queue the port plans, each with ceil = capacity so that every class may use what the
// others leave idle (work conservation), rate = its guaranteed share:
//   - control: its share of the link at htb priority 0, served before every other class
//     while within it, and first among the classes that borrow beyond their rate;
//   - a queue with a weight (exact and approximate-guaranteed; approximate best effort
//     when the port's guarantees give it one): its weight of the data capacity, priority 1;
//     classes of one priority borrow in proportion to their quantum, set in proportion to
//     their rate, so what is left idle is shared by the same weights;
//   - a queue without a weight (best effort with no guarantees): a token rate at a lower
//     priority: it gets what the weighted queues leave, as with strict priority.
// The best-effort leaf holds at most the port's LE threshold (early drop); the others the
// port's buffer.
// A host interface's tree (strictTree) serves its queues by strict priority: every class
// has a token rate and borrows the link in the order of its queue.
import type { PortScheduling, LinkScheduling } from "@netapprox/model/pipeline/translate.js";

/** Bytes htb may send per round of a class: at least one full frame. */
const MIN_QUANTUM = 1514;
/** htb's upper bound for a quantum (it warns above). */
const MAX_QUANTUM = 200_000;
/** Share of the link a class without a weight is guaranteed (htb needs a rate > 0). */
export const TOKEN_SHARE = 0.001;
const MIN_TOKEN_RATE = 8_000;
/** htb priorities run 0 (first) to 7. */
const LOWEST_PRIO = 7;
const TC_PRIO = "1"; // the u32 filters' priority

export interface HtbClass {
  /** The leaf's class minor number (classid 1:<minor>, hexadecimal in tc): queue + 2. */
  minor: number;
  queue: number;
  /** htb priority: 0 is served first. */
  prio: number;
  /** Guaranteed rate, bit/s. */
  rate: number;
  /** Most it may use, borrowing: bit/s. */
  ceil: number;
  /** Bytes per round when borrowing (in proportion to the rate). */
  quantum: number;
  /** The leaf's packet FIFO holds at most this many packets. */
  limit: number;
}

export interface HtbTree {
  /** The root class: the link, bit/s. */
  rate: number;
  /** Where packets no filter matches go (the default queue's leaf). */
  defaultMinor: number;
  classes: HtbClass[];
  /** DSCP -> leaf, one u32 filter each (DSCPs of the default queue need none). */
  filters: { dscp: number; minor: number }[];
}

/** A tree that cannot be installed: names the link and what is wrong. */
export class HtbError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "HtbError";
  }
}

export const minorOf = (queue: number): number => queue + 2;
const leafHandle = (queue: number): string => `${(0x10 + queue).toString(16)}:`;
const classId = (minor: number): string => `1:${minor.toString(16)}`;

function quantumOf(rate: number): number {
  return Math.min(MAX_QUANTUM, Math.max(MIN_QUANTUM, Math.round(rate / 8 / 10)));
}

function filtersOf(
  scheduling: Pick<LinkScheduling, "dscp" | "defaultQueue">,
  queues: ReadonlySet<number>,
): HtbTree["filters"] {
  return scheduling.dscp
    .filter((d) => d.queue !== scheduling.defaultQueue && queues.has(d.queue))
    .map((d) => ({ dscp: d.dscp, minor: minorOf(d.queue) }))
    .sort((a, b) => a.dscp - b.dscp);
}

/** The tree of one switch egress port from its allocation (see the file comment). */
export function weightedTree(
  scheduling: Pick<LinkScheduling, "dscp" | "defaultQueue">,
  port: PortScheduling,
): HtbTree {
  const capacity = port.capacity;
  const token = Math.max(MIN_TOKEN_RATE, capacity * TOKEN_SHARE);
  const control = port.queues.filter((q) => q.classes.includes("control"));
  const data = port.queues.filter((q) => !q.classes.includes("control"));
  const unweighted = data.filter((q) => !(q.weight > 0));
  const weighted = data.filter((q) => q.weight > 0);
  const totalWeight = weighted.reduce((s, q) => s + q.weight, 0);
  const controlRate = control.length > 0 ? Math.max(token, port.controlRate) : 0;
  const shared = capacity - controlRate - token * unweighted.length;
  // Queues without a weight come after every weighted one, higher queues first.
  const lowOrder = [...unweighted].sort((a, b) => b.queue - a.queue);
  const classes: HtbClass[] = port.queues.map((q) => {
    const isControl = control.includes(q);
    const rate = isControl ? controlRate : q.weight > 0 ? (shared * q.weight) / totalWeight : token;
    const prio = isControl ? 0 : q.weight > 0 ? 1 : Math.min(LOWEST_PRIO, 2 + lowOrder.indexOf(q));
    const bestEffort = q.classes.includes("approximate_best_effort");
    return {
      minor: minorOf(q.queue),
      queue: q.queue,
      prio,
      rate,
      ceil: capacity,
      quantum: quantumOf(rate),
      limit:
        bestEffort && port.leThreshold !== null
          ? Math.max(1, port.leThreshold)
          : Math.max(1, q.depthPackets),
    };
  });
  classes.sort((a, b) => a.minor - b.minor);
  const queues = new Set(classes.map((c) => c.queue));
  return {
    rate: capacity,
    defaultMinor: minorOf(
      queues.has(scheduling.defaultQueue) ? scheduling.defaultQueue : (data[0]?.queue ?? 0),
    ),
    classes,
    filters: filtersOf(scheduling, queues),
  };
}

/** A host interface: its queues by strict priority, highest queue first (see the file comment). */
export function strictTree(
  scheduling: Pick<LinkScheduling, "dscp" | "defaultQueue">,
  capacity: number,
  limit: number,
): HtbTree {
  const queues = [
    ...new Set([...scheduling.dscp.map((d) => d.queue), scheduling.defaultQueue]),
  ].sort((a, b) => b - a);
  const token = Math.max(MIN_TOKEN_RATE, capacity * TOKEN_SHARE);
  const classes = queues
    .map((queue, i): HtbClass => ({
      minor: minorOf(queue),
      queue,
      prio: Math.min(LOWEST_PRIO, i),
      rate: token,
      ceil: capacity,
      quantum: MIN_QUANTUM,
      limit,
    }))
    .sort((a, b) => a.minor - b.minor);
  return {
    rate: capacity,
    defaultMinor: minorOf(scheduling.defaultQueue),
    classes,
    filters: filtersOf(scheduling, new Set(queues)),
  };
}

/** Throws an HtbError naming `where` when a tree cannot be installed. */
export function checkTree(tree: HtbTree, where: string): HtbTree {
  const bad = (what: string) => new HtbError(`${where}: ${what}`);
  const positive = (v: number) => Number.isFinite(v) && v >= 1;
  if (!positive(tree.rate)) throw bad(`link rate ${tree.rate} bit/s is not a positive number`);
  if (tree.rate > 1e12) throw bad(`link rate ${tree.rate} bit/s is above 1 Tbit/s`);
  const minors = new Set<number>();
  for (const c of tree.classes) {
    const cls = `class of queue ${c.queue}`;
    if (!Number.isInteger(c.queue) || c.queue < 0 || c.queue > 7)
      throw bad(`queue ${c.queue} is not one of 0 to 7`);
    if (minors.has(c.minor)) throw bad(`two classes for queue ${c.queue}`);
    minors.add(c.minor);
    if (!positive(c.rate)) throw bad(`${cls}: rate ${c.rate} bit/s is not a positive number`);
    if (!positive(c.ceil) || c.ceil > tree.rate)
      throw bad(`${cls}: ceil ${c.ceil} bit/s is not in (0, ${tree.rate}] (the link)`);
    if (c.rate > c.ceil) throw bad(`${cls}: rate ${c.rate} bit/s is above its ceil ${c.ceil}`);
    if (!Number.isInteger(c.prio) || c.prio < 0 || c.prio > LOWEST_PRIO)
      throw bad(`${cls}: htb priority ${c.prio} is not one of 0 to 7`);
    if (!Number.isInteger(c.limit) || c.limit < 1)
      throw bad(`${cls}: queue limit ${c.limit} is not a positive number of packets`);
  }
  if (!minors.has(tree.defaultMinor)) throw bad("the default queue has no class");
  for (const f of tree.filters) {
    if (!Number.isInteger(f.dscp) || f.dscp < 0 || f.dscp > 63)
      throw bad(`DSCP ${f.dscp} is not in [0, 63]`);
    if (!minors.has(f.minor)) throw bad(`DSCP ${f.dscp} goes to a queue with no class`);
  }
  return tree;
}

// ---------------------------------------------------------------- commands

const bits = (v: number) => `${Math.round(v)}bit`;
/** A tc command line as its arguments (names and values here never contain spaces). */
const words = (line: string): string[] => line.split(" ");

const classArgs = (dev: string, c: HtbClass): string[] =>
  words(
    `class replace dev ${dev} parent 1:1 classid ${classId(c.minor)} htb rate ${bits(c.rate)} ceil ${bits(c.ceil)} prio ${c.prio} quantum ${c.quantum}`,
  );

const leafArgs = (dev: string, c: HtbClass): string[] =>
  words(
    `qdisc replace dev ${dev} parent ${classId(c.minor)} handle ${leafHandle(c.queue)} pfifo limit ${c.limit}`,
  );

const filterArgs = (dev: string, f: HtbTree["filters"][number]): string[] =>
  words(
    `filter add dev ${dev} parent 1: protocol ip prio ${TC_PRIO} u32 match ip dsfield 0x${(f.dscp << 2).toString(16).padStart(2, "0")} 0xfc flowid ${classId(f.minor)}`,
  );

const rootClassArgs = (dev: string, rate: number): string[] =>
  words(`class replace dev ${dev} parent 1: classid 1:1 htb rate ${bits(rate)} ceil ${bits(rate)}`);

const rootQdiscArgs = (dev: string, defaultMinor: number): string[] =>
  words(`qdisc replace dev ${dev} root handle 1: htb default ${defaultMinor.toString(16)}`);

/** The `tc` arguments that build `tree` on `dev` from nothing (replacing its root qdisc). */
export function treeCommands(dev: string, tree: HtbTree): string[][] {
  return linkCommands(dev, tree, EMPTY);
}

// ---------------------------------------------------------------- what tc shows

/** What an interface holds, as far as the tree goes. */
export interface ObservedLink {
  /** The root qdisc is htb with handle 1:; its default class minor. */
  root: { defaultMinor: number } | null;
  rootClass: { rate: number; ceil: number } | null;
  /** Leaf classes under 1:1, by minor. */
  classes: Map<number, { rate: number; ceil: number; prio: number; quantum: number }>;
  /** Leaf qdiscs by the minor of their parent class. */
  leaves: Map<number, { kind: string; limit: number | null }>;
  /** The u32 DSCP filters on 1:; null when something else is there too. */
  filters: HtbTree["filters"] | null;
  /** Filters exist on 1: (of any kind). */
  anyFilters: boolean;
}

export const EMPTY: ObservedLink = {
  root: null,
  rootClass: null,
  classes: new Map(),
  leaves: new Map(),
  filters: [],
  anyFilters: false,
};

const UNITS: Record<string, number> = { "": 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** "100Kbit", "9500Kbit", "10Mbit", "123456bit" -> bit/s. */
export function parseTcRate(text: string): number | null {
  const m = /^([0-9.]+)([KMGT]?)bit$/.exec(text);
  if (m === null) return null;
  return Number(m[1]) * UNITS[m[2]!]!;
}

const minorText = (classid: string): number | null => {
  const m = /^1:([0-9a-f]+)$/.exec(classid);
  return m === null ? null : parseInt(m[1]!, 16);
};

/**
 * Reads `tc qdisc` (-j), `tc -d class show` (text: htb prints no JSON for its classes in
 * iproute2 6.1) and `tc filter` (-j) output of one interface.
 */
export function parseObserved(
  qdiscJson: string,
  classText: string,
  filterJson: string,
): ObservedLink {
  const qdiscs = parseJsonList(qdiscJson, "tc qdisc show");
  let root: ObservedLink["root"] = null;
  const leaves: ObservedLink["leaves"] = new Map();
  for (const q of qdiscs) {
    const kind = String(q.kind ?? "");
    const options = (q.options ?? {}) as Record<string, unknown>;
    if (q.root === true) {
      if (kind === "htb" && q.handle === "1:")
        root = { defaultMinor: parseInt(String(options.default ?? "0"), 16) };
      continue;
    }
    const parent = minorText(String(q.parent ?? ""));
    if (parent !== null) {
      const limit = options.limit;
      leaves.set(parent, { kind, limit: typeof limit === "number" ? limit : null });
    }
  }
  let rootClass: ObservedLink["rootClass"] = null;
  const classes: ObservedLink["classes"] = new Map();
  for (const line of classText.split("\n")) {
    const m = /^class htb (1:[0-9a-f]+) (root|parent (\S+))(.*)$/.exec(line.trim());
    if (m === null) continue;
    const rest = m[4]!;
    const field = (name: string) => new RegExp(`(?:^| )${name} (\\S+)`).exec(rest)?.[1];
    const rate = parseTcRate(field("rate") ?? "");
    const ceil = parseTcRate(field("ceil") ?? "");
    if (rate === null || ceil === null) continue;
    if (m[1] === "1:1" && m[2] === "root") {
      rootClass = { rate, ceil };
      continue;
    }
    const minor = minorText(m[1]!);
    if (minor === null || m[3] !== "1:1") continue;
    classes.set(minor, {
      rate,
      ceil,
      prio: Number(field("prio") ?? NaN),
      quantum: Number(field("quantum") ?? NaN),
    });
  }
  const filterEntries = parseJsonList(filterJson, "tc filter show");
  const filters: HtbTree["filters"] = [];
  let foreign = false;
  for (const f of filterEntries) {
    const options = f.options as Record<string, unknown> | undefined;
    if (f.kind !== "u32" || String(f.pref) !== TC_PRIO) {
      foreign = true;
      continue;
    }
    const match = options?.match as Record<string, unknown> | undefined;
    if (options?.flowid === undefined) continue; // the u32 hash table entries
    const minor = minorText(String(options.flowid));
    const value = parseInt(String(match?.value ?? "x"), 16);
    const mask = parseInt(String(match?.mask ?? "x"), 16);
    if (minor === null || mask !== 0xfc0000 || match?.off !== 0 || Number.isNaN(value)) {
      foreign = true;
      continue;
    }
    filters.push({ dscp: (value >>> 16) >>> 2, minor });
  }
  filters.sort((a, b) => a.dscp - b.dscp || a.minor - b.minor);
  return {
    root,
    rootClass,
    classes,
    leaves,
    filters: foreign ? null : filters,
    anyFilters: filterEntries.length > 0,
  };
}

function parseJsonList(text: string, what: string): Record<string, unknown>[] {
  const t = text.trim();
  if (t === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    throw new HtbError(`${what} printed something that is not JSON: ${t.slice(0, 120)}`);
  }
  if (!Array.isArray(value)) throw new HtbError(`${what} printed JSON that is not a list`);
  return value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null);
}

/** The tree as an interface holding exactly it would show it. */
export function observedOf(tree: HtbTree): ObservedLink {
  return {
    root: { defaultMinor: tree.defaultMinor },
    rootClass: { rate: tree.rate, ceil: tree.rate },
    classes: new Map(
      tree.classes.map((c) => [
        c.minor,
        { rate: c.rate, ceil: c.ceil, prio: c.prio, quantum: c.quantum },
      ]),
    ),
    leaves: new Map(tree.classes.map((c) => [c.minor, { kind: "pfifo", limit: c.limit }])),
    filters: [...tree.filters],
    anyFilters: tree.filters.length > 0,
  };
}

// ---------------------------------------------------------------- the difference

/**
 * The `tc` arguments that turn what `dev` holds into `tree`, writing only what differs.
 * Rates are compared within `tolerance` (relative): tc shows them rounded.
 */
export function linkCommands(
  dev: string,
  tree: HtbTree,
  observed: ObservedLink,
  tolerance = 0.005,
): string[][] {
  const out: string[][] = [];
  let o = observed;
  if (o.root === null || o.root.defaultMinor !== tree.defaultMinor) {
    // Not our tree, or its default class moved (htb cannot change that in place): a new root
    // qdisc, which removes whatever hung below the old one.
    if (o.root !== null) out.push(words(`qdisc del dev ${dev} root`));
    out.push(rootQdiscArgs(dev, tree.defaultMinor));
    o = EMPTY;
  }
  const differs = (a: number, b: number) => Math.abs(a - b) > tolerance * Math.max(a, b);
  if (
    o.rootClass === null ||
    differs(o.rootClass.rate, tree.rate) ||
    differs(o.rootClass.ceil, tree.rate)
  )
    out.push(rootClassArgs(dev, tree.rate));

  const wanted = new Set(tree.classes.map((c) => c.minor));
  const filtersMatch =
    o.filters !== null &&
    o.filters.length === tree.filters.length &&
    o.filters.every(
      (f, i) => f.dscp === tree.filters[i]!.dscp && f.minor === tree.filters[i]!.minor,
    );
  const extraClasses = [...o.classes.keys()].filter((m) => !wanted.has(m));
  // Filters go first when they change (they may point at classes about to go).
  if (!filtersMatch && o.anyFilters) out.push(["filter", "del", "dev", dev, "parent", "1:"]);
  for (const minor of extraClasses)
    out.push(["class", "del", "dev", dev, "classid", classId(minor)]);
  for (const c of tree.classes) {
    const have = o.classes.get(c.minor);
    if (
      have === undefined ||
      differs(have.rate, c.rate) ||
      differs(have.ceil, c.ceil) ||
      have.prio !== c.prio ||
      have.quantum !== c.quantum
    )
      out.push(classArgs(dev, c));
    const leaf = o.leaves.get(c.minor);
    if (leaf === undefined || leaf.kind !== "pfifo" || leaf.limit !== c.limit)
      out.push(leafArgs(dev, c));
  }
  if (!filtersMatch) for (const f of tree.filters) out.push(filterArgs(dev, f));
  return out;
}

/**
 * Packets each leaf FIFO dropped (full), by queue, from `tc -s -j qdisc show` of a link that
 * holds a tree of ours.
 */
export function leafDrops(qdiscStatsJson: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const q of parseJsonList(qdiscStatsJson, "tc -s qdisc show")) {
    const parent = minorText(String(q.parent ?? ""));
    if (parent === null || parent < 2 || typeof q.drops !== "number") continue;
    out.set(parent - 2, q.drops);
  }
  return out;
}
