import { execFileSync, spawn } from "node:child_process";
import { iptablesCommands, markingRules, toShell } from "@netapprox/transport/marking.js";

describe("DSCP marking rules", () => {
  test("data ports are marked LE, control ports CS6 in both directions", () => {
    expect(markingRules([{ dataPort: 5000, controlPort: 5001 }])).toEqual([
      { match: "--dport", port: 5000, dscp: 1 },
      { match: "--dport", port: 5001, dscp: 48 },
      { match: "--sport", port: 5001, dscp: 48 },
    ]);
  });

  test("iptables commands install and remove the same rules", () => {
    const jobs = [
      { dataPort: 5002, controlPort: 6002 },
      { dataPort: 5000, controlPort: 6000 },
    ];
    const add = iptablesCommands(jobs, "add");
    const del = iptablesCommands(jobs, "delete", {});
    expect(add.length).toBe(6);
    expect(add[0]).toEqual(
      "iptables -t mangle -A OUTPUT -p udp --dport 5000 -j DSCP --set-dscp 1".split(" "),
    );
    expect(del.map((c) => c.join(" "))).toEqual(
      add.map((c) => c.join(" ").replace(" -A ", " -D ")),
    );
    expect(toShell(add).split("\n")[2]).toBe(
      "iptables -t mangle -A OUTPUT -p udp --dport 6000 -j DSCP --set-dscp 48",
    );
    expect(
      iptablesCommands(jobs, "add", { iptables: "iptables-legacy", dataDscp: 10 })[0]![0],
    ).toBe("iptables-legacy");
  });

  test("ports with two roles and invalid values are refused", () => {
    expect(() =>
      markingRules([
        { dataPort: 5000, controlPort: 5001 },
        { dataPort: 5001, controlPort: 5002 },
      ]),
    ).toThrow(/both a data and a control port/);
    expect(() => markingRules([{ dataPort: 5000, controlPort: 5000 }])).toThrow(/both 5000/);
    expect(() => markingRules([{ dataPort: 0, controlPort: 1 }])).toThrow(/data port/);
    expect(() => markingRules([{ dataPort: 1, controlPort: 2 }], { controlDscp: 64 })).toThrow(
      /DSCP/,
    );
  });
});

/** True when this machine can run the namespace check (root, ip, iptables, tcpdump). */
function canRunNamespaces(): string | null {
  if (process.getuid?.() !== 0) return "not root";
  for (const tool of ["ip", "iptables", "tcpdump"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} not installed`;
    }
  }
  return null;
}

const skipReason = canRunNamespaces();
const nsTest = skipReason === null ? test : test.skip;
if (skipReason !== null) {
  console.log(`marking.test: network-namespace check skipped (${skipReason})`);
}

describe("marking in a network namespace", () => {
  const tag = `na${process.pid % 100000}`;
  const [a, b] = [`${tag}a`, `${tag}b`];
  const run = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: "pipe" });

  afterAll(() => {
    for (const ns of [a, b]) {
      try {
        run("ip", "netns", "del", ns);
      } catch {
        /* not created */
      }
    }
  });

  nsTest(
    "packets leave with the DSCP the rules give them",
    async () => {
      run("ip", "netns", "add", a);
      run("ip", "netns", "add", b);
      run("ip", "link", "add", `${tag}0`, "type", "veth", "peer", "name", `${tag}1`);
      run("ip", "link", "set", `${tag}0`, "netns", a);
      run("ip", "link", "set", `${tag}1`, "netns", b);
      run("ip", "-n", a, "addr", "add", "10.213.0.1/24", "dev", `${tag}0`);
      run("ip", "-n", b, "addr", "add", "10.213.0.2/24", "dev", `${tag}1`);
      run("ip", "-n", a, "link", "set", `${tag}0`, "up");
      run("ip", "-n", b, "link", "set", `${tag}1`, "up");
      for (const cmd of iptablesCommands([{ dataPort: 5000, controlPort: 5001 }], "add")) {
        run("ip", "netns", "exec", a, ...cmd);
      }
      const capture = spawn(
        "ip",
        ["netns", "exec", b, "tcpdump", "-n", "-v", "-l", "-c", "3", "-i", `${tag}1`, "udp"],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      capture.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const listening = new Promise<void>((resolve) =>
        capture.stderr.on("data", (d: Buffer) => d.toString().includes("listening") && resolve()),
      );
      await listening;
      // A sender (ephemeral port) sends data and a control message; a receiver's control
      // socket (port 5001) sends feedback back.
      const script =
        "const d=require('dgram');const s=d.createSocket('udp4'),r=d.createSocket('udp4');" +
        "r.bind(5001,()=>s.send('d',5000,'10.213.0.2',()=>s.send('c',5001,'10.213.0.2',()=>" +
        "r.send('f',40000,'10.213.0.2',()=>{s.close();r.close();}))))";
      run("ip", "netns", "exec", a, process.execPath, "-e", script);
      await new Promise<void>((resolve) => capture.on("exit", () => resolve()));
      const tos = (port: number) =>
        new RegExp(
          `tos (0x[0-9a-f]+)[^\\n]*\\n\\s*10\\.213\\.0\\.1\\.[0-9]+ > 10\\.213\\.0\\.2\\.${port}:`,
        ).exec(out)?.[1];
      expect(tos(5000)).toBe("0x4"); // DSCP 1 (LE) in the upper six bits
      expect(tos(5001)).toBe("0xc0"); // DSCP 48 (CS6)
      expect(tos(40000)).toBe("0xc0"); // feedback from the control port: CS6
    },
    15_000,
  );
});
