import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatQueueMemory,
  parseQueueMemory,
  QueueMemory,
  type SwitchQueueRecord,
} from "@netapprox/controller/targets/queue-memory.js";

const record = (us: bigint): SwitchQueueRecord => ({
  address: "10.0.0.1:9090",
  start: { us, uncertaintyUs: 1_200n },
  queues: new Map([
    ["5/1", { ratePps: 833.4, depthPackets: 64 }],
    ["5/0", { ratePps: 8, depthPackets: 64 }],
  ]),
});

describe("the queue memory file", () => {
  it("round-trips records, with sorted keys and microseconds as decimal strings", () => {
    const records = new Map([
      ["s2", record(1_700_000_000_000_001n)],
      ["s1", record(2n ** 62n)],
    ]);
    const text = formatQueueMemory(records);
    expect(text.indexOf('"s1"')).toBeLessThan(text.indexOf('"s2"'));
    expect(text.indexOf('"5/0"')).toBeLessThan(text.indexOf('"5/1"'));
    expect(text).toContain('"startUs": "4611686018427387904"');
    expect(parseQueueMemory(text, "m.json")).toEqual(records);
  });

  it("names the file, the path in it and what was expected when it is malformed", () => {
    const good = JSON.parse(formatQueueMemory(new Map([["s1", record(5n)]])));
    const bad = (edit: (d: typeof good) => void) => {
      const d = structuredClone(good);
      edit(d);
      return () => parseQueueMemory(JSON.stringify(d), "state/bmv2-queues.json");
    };
    expect(() => parseQueueMemory("{", "f.json")).toThrow("f.json: (document): expected JSON");
    expect(bad((d) => (d.version = 2))).toThrow("state/bmv2-queues.json: version: expected 1");
    expect(bad((d) => (d.switches.s1.startUs = 5))).toThrow(
      "switches.s1.startUs: expected a decimal string of microseconds",
    );
    expect(bad((d) => (d.switches.s1.queues["5/1"].ratePps = "fast"))).toThrow(
      "switches.s1.queues.5/1: expected {ratePps: number, depthPackets: number}",
    );
    expect(bad((d) => (d.switches.s1.queues.x = { ratePps: 1, depthPackets: 1 }))).toThrow(
      "switches.s1.queues.x: expected a port/priority key",
    );
  });

  it("saves what is set, reloads it, and treats a malformed file as empty with a warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-qm-"));
    const file = join(dir, "sub", "bmv2-queues.json");
    const warnings: string[] = [];
    const memory = QueueMemory.open(file, (m) => warnings.push(m));
    expect(memory.get("s1")).toBeUndefined();
    const r = record(42n);
    const saving = memory.set("s1", r);
    r.queues.clear(); // the memory keeps its own copy
    await saving;
    expect(QueueMemory.open(file, (m) => warnings.push(m)).get("s1")).toEqual(record(42n));
    await memory.forget("s1");
    expect(QueueMemory.open(file, (m) => warnings.push(m)).get("s1")).toBeUndefined();
    expect(warnings).toEqual([]);

    writeFileSync(file, "not json");
    const fresh = QueueMemory.open(file, (m) => warnings.push(m));
    expect(fresh.get("s1")).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${file}: (document): expected JSON`);
    expect(warnings[0]).toContain("queue settings will be sent again");
    await fresh.set("s1", record(7n));
    expect(parseQueueMemory(readFileSync(file, "utf8"), file).get("s1")?.start.us).toBe(7n);
  });
});
