// Loading the compiled netapprox pipelines (p4/build/) for the targets a topology
// uses: the P4Info (checked against the pipeline contract, so a mismatched build
// fails here with a list of differences) and the target bytes in the form the
// switch's P4Runtime server takes.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import {
  assertContract,
  pipelineContract,
  type PipelineTarget,
} from "@netapprox/model/pipeline/contract.js";
import { packTofinoBfrt, packTofinoPi } from "../targets/device-config.js";
import type { PipelineBundle } from "./controller.js";

export class PipelineLoadError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "PipelineLoadError";
  }
}

function read(root: string, path: string, what: string): Buffer {
  const full = join(root, path);
  if (!existsSync(full)) {
    throw new PipelineLoadError(
      `${full}: ${what} is missing; build the P4 programs with \`npm run p4:build\` (see docs/p4.md)`,
    );
  }
  return readFileSync(full);
}

/**
 * The pipeline for `target` from the build folder under `root`. For Tofino,
 * `tofinoFormat` picks the packing: "bfrt" for stratum_bfrt, "pi" for PI-based
 * servers (bf_switchd --p4rt-server, stratum_bf).
 */
export function loadPipeline(
  root: string,
  target: PipelineTarget,
  tofinoFormat: "bfrt" | "pi" = "bfrt",
): PipelineBundle {
  const contract = pipelineContract(target);
  const p4infoPath = join(root, contract.artifacts.p4info);
  if (!existsSync(p4infoPath)) {
    throw new PipelineLoadError(
      `${p4infoPath}: the ${target} P4Info is missing; build the P4 programs with \`npm run p4:build\` (see docs/p4.md)`,
    );
  }
  const schema = assertContract(contract, P4Schema.fromFile(p4infoPath));
  if (target === "v1model") {
    return {
      schema,
      deviceConfig: read(root, contract.artifacts.deviceConfig[0]!, "the BMv2 JSON"),
    };
  }
  const [bin, context] = contract.artifacts.deviceConfig;
  const artifacts = {
    programName: schema.programName || "netapprox",
    tofinoBin: read(root, bin!, "tofino.bin"),
    contextJson: read(root, context!, "context.json"),
  };
  if (tofinoFormat === "pi") return { schema, deviceConfig: packTofinoPi(artifacts) };
  const bfrt = join(contract.artifacts.deviceConfig[1]!, "..", "..", "bfrt.json");
  return {
    schema,
    deviceConfig: packTofinoBfrt({ ...artifacts, bfrtJson: read(root, bfrt, "bfrt.json") }),
  };
}
