// The layers of the code and which may import which: the one table the lint rule
// (eslint/layer-rule.js) enforces. Bottom first; a layer may import its own files and the
// layers it lists under `may`, nothing above or beside it. `files` are globs relative to
// the repository root (`**` any path, `*` any name); `modules` are bare import specifiers
// that stand for the layer (a package name once the layer is a package). Code outside
// every layer (tests, benchmarks, scripts, examples) may import anything, but layered code
// may not import it. Each layer is one npm workspace under packages/; a layer's code
// imports another layer by its package name, never by a relative path into it.

/** @type {readonly import("./layers.d.ts").Layer[]} */
export const LAYERS = [
  {
    name: "p4runtime",
    files: ["packages/p4runtime/src/**"],
    modules: ["@netapprox/p4runtime"],
    may: [],
  },
  {
    name: "model",
    files: ["packages/model/src/**"],
    modules: ["@netapprox/model"],
    may: ["p4runtime"],
  },
  {
    name: "controller",
    files: ["packages/controller/src/**"],
    modules: ["@netapprox/controller"],
    may: ["model", "p4runtime"],
  },
  {
    // Host side: the approximate transport and the baselines; beside the controller.
    name: "transport",
    files: ["packages/transport/src/**"],
    modules: ["@netapprox/transport"],
    may: ["model"],
  },
  {
    name: "lab",
    files: ["packages/lab/src/**"],
    modules: ["@netapprox/lab"],
    may: ["controller", "transport", "model", "p4runtime"],
  },
  {
    name: "cli",
    files: ["packages/cli/src/**"],
    modules: ["@netapprox/cli"],
    may: ["lab", "controller", "transport", "model", "p4runtime"],
  },
];
