// Types of layers.js, for the TypeScript tests that read the table.
export interface Layer {
  name: string;
  files: string[];
  modules: string[];
  may: string[];
}

export declare const LAYERS: readonly Layer[];
