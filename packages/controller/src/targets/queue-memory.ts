// What the controller set on each BMv2 switch's egress queues, kept in a file so
// that a restarted controller knows it too. BMv2 cannot report its queue rates and
// depths, so without this a controller restarted on a correct network would send
// every one of them again. Each record carries the switch's Thrift address and when
// its process started (thrift.ts): a record is trusted only for that same process,
// so a switch that restarted (and lost its settings) gets them all again.
//
// The file is small JSON, written whole (to a temporary file, then renamed).
import { mkdir, rename, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SwitchStart } from "./thrift.js";

/** One queue's settings, as sent. */
export interface QueueValues {
  ratePps: number;
  depthPackets: number;
}

export interface SwitchQueueRecord {
  /** host:port of the switch's Thrift server. */
  address: string;
  start: SwitchStart;
  /** By "port/priority". */
  queues: Map<string, QueueValues>;
}

export const QUEUE_MEMORY_VERSION = 1;

interface FileShape {
  version: number;
  switches: Record<
    string,
    {
      address: string;
      startUs: string;
      uncertaintyUs: string;
      queues: Record<string, QueueValues>;
    }
  >;
}

/** Why a queue memory file is not usable, naming the file, the path in it and what was expected. */
export class QueueMemoryError extends Error {
  readonly userFacing = true;
  constructor(file: string, path: string, expected: string) {
    super(`${file}: ${path}: expected ${expected}`);
    this.name = "QueueMemoryError";
  }
}

/** Reads the records of a queue memory file's text; throws a QueueMemoryError when it is malformed. */
export function parseQueueMemory(text: string, file: string): Map<string, SwitchQueueRecord> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new QueueMemoryError(file, "(document)", `JSON (${(err as Error).message})`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(doc)) throw new QueueMemoryError(file, "(document)", "an object");
  if (doc.version !== QUEUE_MEMORY_VERSION)
    throw new QueueMemoryError(file, "version", String(QUEUE_MEMORY_VERSION));
  if (!isObject(doc.switches)) throw new QueueMemoryError(file, "switches", "an object");
  const out = new Map<string, SwitchQueueRecord>();
  for (const [name, rec] of Object.entries(doc.switches)) {
    const at = `switches.${name}`;
    if (!isObject(rec)) throw new QueueMemoryError(file, at, "an object");
    if (typeof rec.address !== "string")
      throw new QueueMemoryError(file, `${at}.address`, "a host:port string");
    const micros = (key: string): bigint => {
      const v = rec[key];
      if (typeof v !== "string" || !/^\d+$/.test(v))
        throw new QueueMemoryError(file, `${at}.${key}`, "a decimal string of microseconds");
      return BigInt(v);
    };
    const start = { us: micros("startUs"), uncertaintyUs: micros("uncertaintyUs") };
    if (!isObject(rec.queues)) throw new QueueMemoryError(file, `${at}.queues`, "an object");
    const queues = new Map<string, QueueValues>();
    for (const [key, q] of Object.entries(rec.queues)) {
      const qat = `${at}.queues.${key}`;
      if (!/^\d+\/\d+$/.test(key)) throw new QueueMemoryError(file, qat, "a port/priority key");
      if (
        !isObject(q) ||
        typeof q.ratePps !== "number" ||
        !Number.isFinite(q.ratePps) ||
        typeof q.depthPackets !== "number" ||
        !Number.isFinite(q.depthPackets)
      )
        throw new QueueMemoryError(file, qat, "{ratePps: number, depthPackets: number}");
      queues.set(key, { ratePps: q.ratePps, depthPackets: q.depthPackets });
    }
    out.set(name, { address: rec.address, start, queues });
  }
  return out;
}

/** The file's text for the records (keys sorted, so equal memories give equal files). */
export function formatQueueMemory(records: ReadonlyMap<string, SwitchQueueRecord>): string {
  const doc: FileShape = { version: QUEUE_MEMORY_VERSION, switches: {} };
  for (const name of [...records.keys()].sort()) {
    const r = records.get(name)!;
    const queues: Record<string, QueueValues> = {};
    for (const key of [...r.queues.keys()].sort()) queues[key] = { ...r.queues.get(key)! };
    doc.switches[name] = {
      address: r.address,
      startUs: r.start.us.toString(),
      uncertaintyUs: r.start.uncertaintyUs.toString(),
      queues,
    };
  }
  return JSON.stringify(doc, null, 2) + "\n";
}

/**
 * The queue settings of every switch, in memory and (when given a file) on disk.
 * Saves are serialised: the file always holds one complete memory.
 */
export class QueueMemory {
  private readonly records: Map<string, SwitchQueueRecord>;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | undefined,
    records: Map<string, SwitchQueueRecord>,
  ) {
    this.records = records;
  }

  /** A memory kept in this process only. */
  static inProcess(): QueueMemory {
    return new QueueMemory(undefined, new Map());
  }

  /**
   * The memory kept in `file` (absent: empty). A malformed file is reported through
   * `warn` and treated as empty: every queue setting is sent again, which is safe.
   */
  static open(file: string, warn: (message: string) => void): QueueMemory {
    let records = new Map<string, SwitchQueueRecord>();
    if (existsSync(file)) {
      try {
        records = parseQueueMemory(readFileSync(file, "utf8"), file);
      } catch (err) {
        warn(`${(err as Error).message}; queue settings will be sent again`);
      }
    }
    return new QueueMemory(file, records);
  }

  get(name: string): SwitchQueueRecord | undefined {
    return this.records.get(name);
  }

  /** Replaces a switch's record (a copy is kept) and saves. */
  set(name: string, record: SwitchQueueRecord): Promise<void> {
    this.records.set(name, { ...record, queues: new Map(record.queues) });
    return this.save();
  }

  forget(name: string): Promise<void> {
    if (!this.records.delete(name)) return this.saving;
    return this.save();
  }

  private save(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const write = async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, formatQueueMemory(this.records));
      await rename(`${file}.tmp`, file);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}
