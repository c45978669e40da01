// The P4Runtime client library's public API (`import ... from "netapprox/p4runtime"`).
export { P4Schema, P4InfoError, P4LookupError } from "./p4info.js";
export type {
  P4Table,
  P4Action,
  P4MatchField,
  P4Meter,
  P4Counter,
  P4ActionProfile,
} from "./p4info.js";
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
