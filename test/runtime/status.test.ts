import type { SwitchAgent } from "@netapprox/controller/runtime/agent.js";
import { notReadyReason } from "@netapprox/controller/runtime/status.js";

function agent(state: string, extra: { isPrimary?: boolean; down?: string; error?: string } = {}) {
  return {
    switch: { state, isPrimary: extra.isPrimary ?? true },
    stats: { downReason: extra.down, lastError: extra.error },
  } as unknown as SwitchAgent;
}

describe("notReadyReason", () => {
  it("is null for a ready primary without errors", () => {
    expect(notReadyReason(agent("ready"), null, 10n)).toBeNull();
  });

  it("names unanswered polls before anything the session says", () => {
    expect(notReadyReason(agent("ready"), 3_500, 10n)).toBe("no answer to counter polls for 3.5 s");
  });

  it("says a backup is one, with this controller's election id", () => {
    expect(notReadyReason(agent("ready", { isPrimary: false }), null, 7n)).toBe(
      "backup: another controller is primary (this one bids 7)",
    );
  });

  it("gives the last error of a ready primary, and why a session went down", () => {
    expect(notReadyReason(agent("ready", { error: "write failed" }), null, 1n)).toBe(
      "write failed",
    );
    expect(notReadyReason(agent("connecting", { down: "EOF" }), null, 1n)).toBe(
      "reconnecting after: EOF",
    );
    expect(notReadyReason(agent("connecting"), null, 1n)).toBe("connecting");
    expect(notReadyReason(agent("down"), null, 1n)).toBe("down");
    expect(notReadyReason(agent("configuring"), null, 1n)).toBe("installing the pipeline");
  });
});
