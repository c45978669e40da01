// A topology switch's TLS settings mapped to the P4Runtime client's options.
import type { Switch } from "@netapprox/model/topology/types.js";
import { tlsOptionsOf } from "@netapprox/controller/runtime/switch-tls.js";

const sw = (tls: Switch["tls"]): Switch => ({
  name: "s1",
  address: "127.0.0.1:50001",
  deviceId: 1,
  target: "bmv2",
  ports: [1],
  thriftPort: null,
  cpuPort: null,
  tls,
});

describe("tlsOptionsOf", () => {
  test("no TLS settings: an insecure channel", () => {
    expect(tlsOptionsOf(sw(null))).toBeUndefined();
  });

  test("only the settings given, server name included", () => {
    expect(tlsOptionsOf(sw({ ca: "ca.pem", cert: null, key: null, serverName: null }))).toEqual({
      ca: "ca.pem",
    });
    expect(
      tlsOptionsOf(sw({ ca: "ca.pem", cert: "c.pem", key: "k.pem", serverName: "leaf1" })),
    ).toEqual({ ca: "ca.pem", cert: "c.pem", key: "k.pem", serverName: "leaf1" });
  });

  test("TLS with system roots: settings present but empty", () => {
    expect(tlsOptionsOf(sw({ ca: null, cert: null, key: null, serverName: null }))).toEqual({});
  });
});
