// A P4Info synthesised from the pipeline contract: the tables, actions, meters,
// counters and action profile the controller relies on, with the contract's names
// and widths. Tests use it to encode what the translation produces; the contract
// itself is checked against the compiled P4Infos in test/pipeline/.
import { create } from "@bufbuild/protobuf";
import {
  MatchField_MatchType,
  MeterSpec_Unit,
  CounterSpec_Unit,
  P4InfoSchema,
} from "@netapprox/p4runtime/proto/p4/config/v1/p4info_pb.js";
import type { PipelineContract } from "@netapprox/model/pipeline/contract.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";

const KIND = {
  exact: MatchField_MatchType.EXACT,
  lpm: MatchField_MatchType.LPM,
  ternary: MatchField_MatchType.TERNARY,
  range: MatchField_MatchType.RANGE,
  optional: MatchField_MatchType.OPTIONAL,
};

export function schemaFromContract(contract: PipelineContract): P4Schema {
  let next = 1;
  const id = (prefix: number) => (prefix << 24) | next++;
  const actionIds = new Map<string, number>();
  const actions = Object.values(contract.actions).map((a) => {
    const aid = id(0x01);
    actionIds.set(a.logical, aid);
    return {
      preamble: { id: aid, name: a.name, alias: a.logical },
      params: a.params.map((p, i) => ({ id: i + 1, name: p.name, bitwidth: p.bitwidth })),
    };
  });
  const profileIds = new Map<string, number>();
  const tableIds = new Map<string, number>();
  for (const t of Object.values(contract.tables)) tableIds.set(t.logical, id(0x02));
  const actionProfiles = Object.values(contract.actionProfiles).map((p) => {
    const pid = id(0x11);
    profileIds.set(p.logical, pid);
    const users = Object.values(contract.tables)
      .filter((t) => t.implementation === p.logical)
      .map((t) => tableIds.get(t.logical)!);
    return {
      preamble: { id: pid, name: p.name, alias: p.logical },
      tableIds: users,
      withSelector: true,
      size: BigInt(p.size),
      maxGroupSize: 64,
    };
  });
  const tables = Object.values(contract.tables).map((t) => ({
    preamble: { id: tableIds.get(t.logical)!, name: t.name, alias: t.logical },
    matchFields: t.matchFields.map((f, i) => ({
      id: i + 1,
      name: f.name,
      bitwidth: f.bitwidth,
      match: { case: "matchType" as const, value: KIND[f.matchType] },
    })),
    actionRefs: [
      ...t.actions.map((a) => ({ id: actionIds.get(a)! })),
      ...t.defaultOnlyActions.map((a) => ({ id: actionIds.get(a)!, scope: 2 })),
    ],
    implementationId: t.implementation ? profileIds.get(t.implementation)! : 0,
    size: BigInt(t.size),
  }));
  const meters = Object.values(contract.meters).map((m) => ({
    preamble: { id: id(0x14), name: m.name, alias: m.logical },
    spec: { unit: MeterSpec_Unit.BYTES },
    size: BigInt(m.size),
  }));
  const counters = Object.values(contract.counters).flatMap((c) =>
    c.names.map((name) => ({
      preamble: { id: id(0x12), name, alias: name },
      spec: { unit: CounterSpec_Unit.BOTH },
      size: BigInt(c.size),
    })),
  );
  const p4info = create(P4InfoSchema, {
    pkgInfo: { name: "netapprox-contract", arch: contract.target },
    tables,
    actions,
    actionProfiles,
    meters,
    counters,
  });
  return new P4Schema(p4info, `P4Info synthesised from the ${contract.target} contract`);
}
