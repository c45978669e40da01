import { checkBmv2Version, tcpSettingSkipReason } from "@netapprox/lab/mininet/preflight.js";

describe("BMv2 version at launch", () => {
  test("htb links take any BMv2; the version is kept for the results", () => {
    expect(checkBmv2Version("1.14.0\n", "htb")).toEqual({
      version: "1.14.0",
      error: null,
      warning: null,
    });
    expect(checkBmv2Version(null, "htb")).toEqual({ version: null, error: null, warning: null });
  });

  test("paced queues need the fix of its priority queues (1.15.1 on)", () => {
    expect(checkBmv2Version("1.15.5-9674187f", "paced")).toMatchObject({
      version: "1.15.5-9674187f",
      error: null,
      warning: null,
    });
    expect(checkBmv2Version("1.14.0", "paced").error).toMatch(
      /BMv2 1\.14\.0 applies each priority queue's rate to the mirror-image priority.*PR 1276.*--bmv2-queues htb/,
    );
    // 1.15.0 development builds span the fix: said, not refused.
    const dev = checkBmv2Version("1.15.0-abc123", "paced");
    expect(dev.error).toBeNull();
    expect(dev.warning).toMatch(/may predate the fix/);
    expect(checkBmv2Version("garbage", "paced").warning).toMatch(/could not read BMv2's version/);
  });
});

describe("TCP settings a machine cannot run", () => {
  test("dctcp needs the kernel's DCTCP, allowed in namespaces, and ECN marking htb lacks", () => {
    expect(tcpSettingSkipReason("linux-default", ["reno"], ["reno"], "htb")).toBeNull();
    expect(tcpSettingSkipReason("dctcp", ["reno", "bbr", "cubic"], ["reno"], "paced")).toMatch(
      /this kernel has no DCTCP \(.*lists reno, bbr, cubic/,
    );
    expect(tcpSettingSkipReason("dctcp", ["reno", "dctcp"], ["reno", "bbr"], "paced")).toMatch(
      /may not select DCTCP \(net\.ipv4\.tcp_allowed_congestion_control lists reno, bbr/,
    );
    const ok = ["reno", "dctcp"];
    expect(tcpSettingSkipReason("dctcp", ok, ok, "htb")).toMatch(
      /not emulated on htb links.*--bmv2-queues paced/,
    );
    expect(tcpSettingSkipReason("dctcp", ok, ok, "paced")).toBeNull();
  });
});
