// The P4Runtime client library's public API (`import ... from "@netapprox/p4runtime"`).
export { P4Schema, P4InfoError, P4LookupError, canonicalP4Info } from "./p4info.js";
export type {
  P4Table,
  P4Action,
  P4MatchField,
  P4Param,
  P4Meter,
  P4Counter,
  P4ActionProfile,
  P4Digest,
  P4ValueSet,
} from "./p4info.js";
export { describeSchema } from "./summary.js";
export { decodeP4Data, decodeDigestData, type P4DecodedData } from "./p4data.js";
export { deletionPhases, INSERT_ORDER, DELETE_ORDER } from "./order.js";
export * from "./values.js";
export {
  encodeEntity,
  decodeEntity,
  normalizeEntity,
  sameEntity,
  entityKey,
  wildcard,
  type EntitySpec,
  type UpdateSpec,
  type TableEntrySpec,
  type MeterConfigSpec,
  type ValueSetEntrySpec,
} from "./entities.js";
export { P4RuntimeError, WriteError, type UpdateResult } from "./errors.js";
export { P4RuntimeClient, type ClientOptions, type TlsOptions } from "./client.js";
export { Arbitrator, type Role } from "./arbitrator.js";
export {
  Switch,
  describeSpec,
  type SwitchOptions,
  type SwitchEvent,
  type SwitchState,
  type PipelineConfig,
  type PacketIn,
  type DigestMessage,
} from "./switch.js";
