// The layers of the code and which may import which: the one table the lint rule
// (eslint/layer-rule.js) enforces. Bottom first; a layer may import its own files and the
// layers it lists under `may`, nothing above or beside it. `files` are globs relative to
// the repository root (`**` any path, `*` any name); `modules` are bare import specifiers
// that stand for the layer (a package name once the layer is a package). Code outside
// every layer (tests, benchmarks, scripts, examples) may import anything, but layered code
// may not import it. When a layer moves into a package, re-point its `files` (for example
// "packages/model/src/**") and list the package's name under `modules`.

/** @type {readonly import("./layers.d.ts").Layer[]} */
export const LAYERS = [
  {
    name: "p4runtime",
    files: ["controller/src/p4runtime/**", "controller/src/proto/**"],
    modules: ["netapprox/p4runtime"],
    may: [],
  },
  {
    name: "model",
    files: [
      "controller/src/config/**",
      "controller/src/topology/**",
      "controller/src/policy/**",
      "controller/src/routing/**",
      "controller/src/allocation/**",
      "controller/src/pipeline/**",
      "controller/src/util/**",
    ],
    modules: [],
    may: ["p4runtime"],
  },
  {
    name: "controller",
    files: [
      "controller/src/runtime/**",
      "controller/src/targets/**",
      "controller/src/testswitch/**",
      "controller/src/web/**",
    ],
    modules: [],
    may: ["model", "p4runtime"],
  },
  {
    // Host side: the approximate transport and the baselines; beside the controller.
    name: "transport",
    files: ["transport/src/**"],
    modules: [],
    may: ["model"],
  },
  {
    name: "lab",
    files: ["controller/src/experiment/**", "controller/src/mininet/**", "simulator/src/**"],
    modules: [],
    may: ["controller", "transport", "model", "p4runtime"],
  },
  {
    name: "cli",
    files: ["controller/src/cli/**"],
    modules: [],
    may: ["lab", "controller", "transport", "model", "p4runtime"],
  },
];
