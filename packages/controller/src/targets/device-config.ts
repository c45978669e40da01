// The target bytes of a pipeline (ForwardingPipelineConfig.p4_device_config), in
// the form each P4Runtime server expects (docs/p4.md):
//   - BMv2 (PI server): the BMv2 JSON as it is;
//   - Tofino behind a PI-based server (bf_switchd --p4rt-server, stratum_bf): the
//     PI packing, i.e. little-endian u32 length + program name, then u32 length +
//     tofino.bin, then u32 length + context.json;
//   - Tofino behind stratum_bfrt: a BfPipelineConfig protobuf message
//     (p4_name = 1, bfruntime_info = 2, profiles = 3 { profile_name = 1,
//     context = 2, binary = 3, pipe_scope = 4 }).
// Pure; the caller reads the files.
import { BinaryWriter } from "@bufbuild/protobuf/wire";

export interface TofinoArtifacts {
  /** Program name; Tofino program names may not contain '-'. */
  programName: string;
  tofinoBin: Uint8Array;
  contextJson: Uint8Array;
  /** Needed for stratum_bfrt only. */
  bfrtJson?: Uint8Array;
  /** Profile (pipe) name, "pipe" for a single-pipe program. */
  profileName?: string;
  /** Pipes the profile runs on; empty: all. */
  pipeScope?: number[];
}

function checkProgramName(name: string): void {
  if (name === "" || name.includes("-")) {
    throw new Error(
      `Tofino program name '${name}' is not valid: it must be non-empty and contain no '-'`,
    );
  }
}

/** PI packing for PI-based Tofino P4Runtime servers. */
export function packTofinoPi(a: TofinoArtifacts): Uint8Array {
  checkProgramName(a.programName);
  const parts = [
    Buffer.from(a.programName, "utf8"),
    Buffer.from(a.tofinoBin),
    Buffer.from(a.contextJson),
  ];
  const out: Buffer[] = [];
  for (const p of parts) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(p.length);
    out.push(len, p);
  }
  return Buffer.concat(out);
}

/** BfPipelineConfig for stratum_bfrt. */
export function packTofinoBfrt(a: TofinoArtifacts): Uint8Array {
  checkProgramName(a.programName);
  if (a.bfrtJson === undefined)
    throw new Error(
      "stratum_bfrt needs bfrt.json (the BfRuntime info) besides tofino.bin and context.json",
    );
  const profile = new BinaryWriter();
  profile.uint32((1 << 3) | 2).string(a.profileName ?? "pipe");
  profile.uint32((2 << 3) | 2).bytes(a.contextJson);
  profile.uint32((3 << 3) | 2).bytes(a.tofinoBin);
  if (a.pipeScope && a.pipeScope.length > 0) {
    profile.uint32((4 << 3) | 2).fork();
    for (const p of a.pipeScope) profile.int32(p);
    profile.join();
  }
  const w = new BinaryWriter();
  w.uint32((1 << 3) | 2).string(a.programName);
  w.uint32((2 << 3) | 2).bytes(a.bfrtJson);
  w.uint32((3 << 3) | 2).bytes(profile.finish());
  return w.finish();
}
