import { makePolicy, type ApproximateJob } from "@netapprox/model/policy/types.js";
import { policyCut } from "@netapprox/controller/runtime/policy-watch.js";

const job = (id: number): ApproximateJob => ({
  name: `j${id}`,
  id,
  match: { src: ["h1"], dst: ["h2"], protocol: 17, srcPort: null, dstPort: null },
  volume: 1e6,
  fraction: 0.5,
  weight: 1,
  deadline: null,
});
const policy = (...ids: number[]) => makePolicy({ jobs: ids.map(job) });

describe("policyCut", () => {
  it("calls an edit drastic when it removes more than half of the running jobs", () => {
    expect(policyCut(policy(1, 2, 3), policy(1, 2, 3, 4))).toEqual({
      removedJobs: 0,
      currentJobs: 3,
      drastic: false,
    });
    expect(policyCut(policy(1, 2), policy(2)).drastic).toBe(false);
    expect(policyCut(policy(1, 2, 3), policy(3))).toEqual({
      removedJobs: 2,
      currentJobs: 3,
      drastic: true,
    });
    expect(policyCut(policy(1, 2), policy()).drastic).toBe(true);
    // Jobs are told apart by id: renumbering them all is a removal of all of them.
    expect(policyCut(policy(1, 2), policy(3, 4)).drastic).toBe(true);
    expect(policyCut(policy(), policy()).drastic).toBe(false);
  });
});
