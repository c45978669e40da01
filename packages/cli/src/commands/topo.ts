// `netapprox topo`: generate topologies, check a topology file, show its routes and paths.
import { formatBitRate, readBitRate } from "@netapprox/model/config/units.js";
import { table } from "@netapprox/model/allocation/report.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import {
  DEFAULT_GENERATOR_OPTIONS,
  fatTree,
  leafSpine,
  type GeneratorOptions,
} from "@netapprox/model/topology/generate.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { topologyToYaml } from "@netapprox/model/topology/write.js";
import { writeOutputFile } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, type Command } from "../command.js";

const USAGE = [
  "gen fat-tree --k K [options] [--out FILE [--force]]",
  "       netapprox topo gen leaf-spine --spines N --leaves N --hosts-per-leaf N [options] [--out FILE [--force]]",
  "       netapprox topo check FILE [--json]",
  "       netapprox topo routes FILE [--switch NAME] [--json]",
  "       netapprox topo paths FILE --src HOST --dst HOST [--json]",
].join("\n");

export const command: Command = {
  usage: USAGE,
  description: [
    "gen     writes a generated topology as YAML (to stdout, or --out FILE; an existing",
    "        FILE is replaced only with --force). Options:",
    "        --capacity RATE (switch links, default 10Mbit), --host-capacity RATE (default",
    "        10Mbit), --buffer PACKETS (default 64), --target bmv2|tofino (default bmv2),",
    "        --grpc-port BASE (default 50001), --thrift-port BASE (default 9090).",
    "check   validates a topology file and prints a summary.",
    "routes  prints every switch's route intents (prefix -> port or ECMP group).",
    "paths   prints the shortest paths between two hosts with the share of traffic on each.",
  ].join("\n"),
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case "gen":
        return gen(rest);
      case "check":
        return check(rest);
      case "routes":
        return routes(rest);
      case "paths":
        return paths(rest);
      default:
        throw new CliError(
          sub === undefined
            ? `missing subcommand; usage: netapprox topo ${USAGE}`
            : `unknown subcommand "${sub}"; expected gen, check, routes or paths`,
        );
    }
  },
};

function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < min) {
    throw new CliError(`--${name}: expected an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

function required(name: string, value: number | undefined): number {
  if (value === undefined) throw new CliError(`--${name} is required`);
  return value;
}

async function gen(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    {
      k: { type: "string" },
      spines: { type: "string" },
      leaves: { type: "string" },
      "hosts-per-leaf": { type: "string" },
      capacity: { type: "string" },
      "host-capacity": { type: "string" },
      buffer: { type: "string" },
      target: { type: "string" },
      "grpc-port": { type: "string" },
      "thrift-port": { type: "string" },
      out: { type: "string" },
      force: { type: "boolean", default: false },
    },
    true,
  );
  const rateOption = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const r = readBitRate(value);
    if ("bits" in r && r.bits >= 1) return Math.round(r.bits);
    if ("problem" in r && !r.problem.startsWith("'")) throw new CliError(`--${name}: ${r.problem}`); // no unit, or beyond any link
    throw new CliError(`--${name}: expected a bit rate such as 10Mbit or 1G, got "${value}"`);
  };
  const target = values.target;
  if (target !== undefined && target !== "bmv2" && target !== "tofino") {
    throw new CliError(`--target: expected bmv2 or tofino, got "${target}"`);
  }
  const options: Partial<GeneratorOptions> = {};
  const capacity = rateOption("capacity", values.capacity);
  const hostCapacity = rateOption("host-capacity", values["host-capacity"]);
  const buffer = integerOption("buffer", values.buffer, 1);
  const grpcPort = integerOption("grpc-port", values["grpc-port"], 1);
  const thriftPort = integerOption("thrift-port", values["thrift-port"], 1);
  if (capacity !== undefined) options.capacity = capacity;
  if (hostCapacity !== undefined) options.hostCapacity = hostCapacity;
  if (buffer !== undefined) options.buffer = buffer;
  if (target !== undefined) options.target = target;
  if (grpcPort !== undefined) options.grpcPortBase = grpcPort;
  if (thriftPort !== undefined) options.thriftPortBase = thriftPort;

  const kind = positionals[0];
  let topology: Topology;
  let description: string;
  try {
    if (kind === "fat-tree") {
      const k = required("k", integerOption("k", values.k, 2));
      topology = fatTree(k, options);
      description = `fat-tree k=${k}`;
    } else if (kind === "leaf-spine") {
      const spines = required("spines", integerOption("spines", values.spines, 1));
      const leaves = required("leaves", integerOption("leaves", values.leaves, 1));
      const hosts = required(
        "hosts-per-leaf",
        integerOption("hosts-per-leaf", values["hosts-per-leaf"], 1),
      );
      topology = leafSpine(spines, leaves, hosts, options);
      description = `leaf-spine: ${spines} spines, ${leaves} leaves, ${hosts} hosts per leaf`;
    } else {
      throw new CliError(
        kind === undefined
          ? "expected a topology kind: fat-tree or leaf-spine"
          : `unknown topology kind "${kind}"; expected fat-tree or leaf-spine`,
      );
    }
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(err.message);
    throw err;
  }
  const last = topology.switches.length - 1;
  const o = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  const header = [
    `${description}: ${topology.switches.length} switches, ${topology.hosts.length} hosts.`,
    `Generated by: netapprox topo gen ${argv.join(" ")}`.trimEnd(),
    `Switch links ${formatBitRate(o.capacity)}, host links ${formatBitRate(o.hostCapacity)}, buffers ${o.buffer} packets;`,
    `P4Runtime on 127.0.0.1:${o.grpcPortBase}..${o.grpcPortBase + last}` +
      (o.target === "bmv2" ? `, Thrift ${o.thriftPortBase}..${o.thriftPortBase + last}.` : "."),
  ].join("\n");
  const text = topologyToYaml(topology, header);
  if (values.out !== undefined) {
    writeOutputFile(values.out, text, {
      overwrite: values.force,
      overwriteFlag: "--force",
      what: "topology file",
    });
    console.error(
      `wrote ${values.out}: ${topology.switches.length} switches, ${topology.hosts.length} hosts, ${topology.links.length} links`,
    );
  } else process.stdout.write(text);
  return 0;
}

function fileArgument(positionals: string[], what: string): string {
  const file = positionals[0];
  if (file === undefined) throw new CliError(`expected ${what}`);
  if (positionals.length > 1) throw new CliError(`unexpected argument "${positionals[1]}"`);
  return file;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { json: { type: "boolean", default: false } },
    true,
  );
  const file = fileArgument(positionals, "a topology file");
  const topology = loadTopologyFile(file);
  const switchLinks = topology.links.filter((l) =>
    l.endpoints.every((e) => e.kind === "switch"),
  ).length;
  const targets = [...new Set(topology.switches.map((s) => s.target))].sort().join(", ");
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          file,
          valid: true,
          switches: topology.switches.length,
          targets: targets.split(", "),
          hosts: topology.hosts.length,
          links: topology.links.length,
          switchLinks,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  console.log(
    `${file}: valid: ${topology.switches.length} switches (${targets}), ${topology.hosts.length} hosts, ` +
      `${topology.links.length} links (${switchLinks} between switches)`,
  );
  return 0;
}

async function routes(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { switch: { type: "string" }, json: { type: "boolean", default: false } },
    true,
  );
  const topology = loadTopologyFile(fileArgument(positionals, "a topology file"));
  let tables = computeRoutes(topology).tables();
  if (values.switch !== undefined) {
    tables = tables.filter((t) => t.switch === values.switch);
    if (tables.length === 0) throw new CliError(`no switch named "${values.switch}"`);
  }
  if (values.json) {
    console.log(JSON.stringify(tables, null, 2));
    return 0;
  }
  const blocks = tables.map((t) => {
    const rows = t.routes.map((r) => [
      r.prefix,
      r.action.kind === "port"
        ? `port ${r.action.nextHop.port} -> ${r.action.nextHop.neighbor} (dmac ${r.action.nextHop.dmac})`
        : `group ${r.action.group}`,
    ]);
    const groups = t.groups.map(
      (g) =>
        `  group ${g.id}: ${g.members.map((m) => `port ${m.port} -> ${m.neighbor}`).join(", ")}`,
    );
    return [
      `${t.switch} (device ${t.deviceId}):`,
      table(["prefix", "next hop"], rows, [false, false]),
      ...groups,
    ].join("\n");
  });
  console.log(blocks.join("\n\n"));
  return 0;
}

async function paths(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { src: { type: "string" }, dst: { type: "string" }, json: { type: "boolean", default: false } },
    true,
  );
  const topology = loadTopologyFile(fileArgument(positionals, "a topology file"));
  const routing = computeRoutes(topology);
  const net = routing.network;
  const host = (name: string | undefined, flag: string) => {
    if (name === undefined) throw new CliError(`--${flag} HOST is required`);
    const index = net.hostIndex.get(name);
    if (index === undefined) throw new CliError(`--${flag}: no host named "${name}"`);
    return index;
  };
  const src = host(values.src, "src");
  const dst = host(values.dst, "dst");
  if (src === dst) throw new CliError("--src and --dst name the same host");
  const list = routing.paths(src, dst);
  const hops = (p: (typeof list)[number]) => [
    ...p.links.map((l) => {
      const from = net.nodeName(net.linkFrom[l]!);
      return net.isHostNode(net.linkFrom[l]!) ? from : `${from}:${net.linkFromPort[l]}`;
    }),
    net.nodeName(net.linkTo[p.links[p.links.length - 1]!]!),
  ];
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          src: values.src,
          dst: values.dst,
          paths: list.map((p) => ({ share: p.fraction, hops: hops(p) })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const rows = list.map((p) => [`${(p.fraction * 100).toFixed(2)}%`, hops(p).join(" > ")]);
  console.log(`${list.length} shortest path(s) from ${values.src} to ${values.dst}:`);
  console.log(table(["share", "path"], rows, [true, false]));
  return 0;
}
