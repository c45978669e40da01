// ESLint rule netapprox/layers: an import may only go to the importing file's own layer or
// to a layer it lists under `may` in eslint/layers.js. Relative imports are resolved to
// repository paths and matched against the layers' `files`; bare specifiers against their
// `modules` (any other bare specifier is a dependency from npm and not a layer's business).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LAYERS } from "./layers.js";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** A glob as a regular expression: `**` any path (also none), `*` any name. */
export function globToRegExp(glob) {
  const body = glob
    .split(/(\*\*\/?|\*)/)
    .map((part) => {
      if (part === "**/") return "(?:.*/)?";
      if (part === "**") return ".*";
      if (part === "*") return "[^/]*";
      return part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${body}$`);
}

/** The layer lookups of a table: by repository-relative path and by bare specifier. */
export function layerIndex(layers) {
  const byFile = layers.map((layer) => ({ layer, globs: layer.files.map(globToRegExp) }));
  return {
    ofPath: (rel) => byFile.find(({ globs }) => globs.some((g) => g.test(rel)))?.layer,
    ofModule: (spec) =>
      layers.find((l) => l.modules.some((m) => spec === m || spec.startsWith(`${m}/`))),
  };
}

const index = layerIndex(LAYERS);
const toRepoPath = (abs) => path.relative(ROOT, abs).split(path.sep).join("/");

/** @type {import("eslint").Rule.RuleModule} */
const layersRule = {
  meta: {
    type: "problem",
    docs: { description: "Imports follow the layer table in eslint/layers.js" },
    schema: [],
    messages: {
      upward:
        "{{file}} is in layer '{{from}}', which may not import layer '{{to}}' ({{spec}}); it may import: {{may}} (eslint/layers.js)",
      outside:
        "{{file}} is in layer '{{from}}' and may not import {{target}}, which is in no layer (eslint/layers.js)",
      relative:
        "{{file}} reaches into layer '{{to}}' by a relative path ({{spec}}); import it by its package name ({{module}}/...)",
    },
  },
  create(context) {
    const file = toRepoPath(context.filename);
    const from = index.ofPath(file);
    if (from === undefined) return {};
    const check = (source) => {
      if (source?.type !== "Literal" || typeof source.value !== "string") return;
      const spec = source.value;
      let to;
      if (spec.startsWith(".")) {
        const target = toRepoPath(path.resolve(path.dirname(context.filename), spec));
        to = index.ofPath(target);
        if (to === undefined) {
          context.report({
            node: source,
            messageId: "outside",
            data: { file, from: from.name, target },
          });
          return;
        }
        if (to !== from && to.modules.length > 0) {
          context.report({
            node: source,
            messageId: "relative",
            data: { file, to: to.name, spec, module: to.modules[0] },
          });
          return;
        }
      } else {
        to = index.ofModule(spec);
        if (to === undefined) return;
      }
      if (to === from || from.may.includes(to.name)) return;
      context.report({
        node: source,
        messageId: "upward",
        data: {
          file,
          from: from.name,
          to: to.name,
          spec,
          may: from.may.length > 0 ? from.may.join(", ") : "no other layer",
        },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { meta: { name: "netapprox" }, rules: { layers: layersRule } };
