import { runCommand } from "../transport/helpers/cli.js";

describe("netapprox approx-marking", () => {
  test("prints the iptables lines for each job's ports", async () => {
    const r = await runCommand("approx-marking", "--port", "5000", "--port", "5100/5200");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")).toEqual([
      "iptables -t mangle -A OUTPUT -p udp --dport 5000 -j DSCP --set-dscp 1",
      "iptables -t mangle -A OUTPUT -p udp --dport 5100 -j DSCP --set-dscp 1",
      "iptables -t mangle -A OUTPUT -p udp --dport 5001 -j DSCP --set-dscp 48",
      "iptables -t mangle -A OUTPUT -p udp --sport 5001 -j DSCP --set-dscp 48",
      "iptables -t mangle -A OUTPUT -p udp --dport 5200 -j DSCP --set-dscp 48",
      "iptables -t mangle -A OUTPUT -p udp --sport 5200 -j DSCP --set-dscp 48",
    ]);
  });

  test("--delete and --json give removal commands as argv arrays", async () => {
    const r = await runCommand("approx-marking", "--port", "7000", "--delete", "--json");
    const argv = JSON.parse(r.out) as string[][];
    expect(argv.length).toBe(3);
    expect(argv[0]).toContain("-D");
  });

  test("a port that is both data and control is refused", async () => {
    const r = await runCommand("approx-marking", "--port", "5000", "--port", "5001");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/port 5001 is both a data and a control port/);
  });
});
