import { HOST_TOOLS, hostToolCommand } from "@netapprox/cli/host-tools.js";
import { SPECS } from "@netapprox/transport/cli-options.js";

describe("host tools table", () => {
  test("every flag a tool's usage names is one its option spec parses", () => {
    for (const tool of HOST_TOOLS) {
      const spec = SPECS[tool.name] as Record<string, unknown>;
      const flags = [...tool.usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags)
        expect([tool.name, flag, flag in spec]).toEqual([tool.name, flag, true]);
    }
  });

  test("names are unique and each becomes a command with the tool's help", () => {
    const names = HOST_TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const command = hostToolCommand(HOST_TOOLS.find((t) => t.name === "tcp-send")!);
    expect(command.usage).toContain("--mode sender-sampling|receiver-drop");
    expect(command.description).toContain("Sends one job over TCP to a tcp-recv.");
  });

  test("a tool's command rejects a flag its spec does not have", async () => {
    const command = hostToolCommand(HOST_TOOLS.find((t) => t.name === "exact-sink")!);
    await expect(command.run(["--to", "127.0.0.1:1"])).rejects.toThrow(/unknown option --to/);
  });
});
