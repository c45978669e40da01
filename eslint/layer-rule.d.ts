// Types of layer-rule.js, for the TypeScript tests that use its lookups.
import type { ESLint } from "eslint";
import type { Layer } from "./layers.js";

export declare function globToRegExp(glob: string): RegExp;

export declare function layerIndex(layers: readonly Layer[]): {
  ofPath(repoPath: string): Layer | undefined;
  ofModule(specifier: string): Layer | undefined;
};

declare const plugin: ESLint.Plugin;
export default plugin;
