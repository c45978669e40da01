import js from "@eslint/js";
import tseslint from "typescript-eslint";
import netapprox from "./eslint/layer-rule.js";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "packages/p4runtime/src/proto/",
      "**/dist/",
      "p4/build/",
      "results/",
      // Deliberately wrong imports; test/lint/layers.test.ts lints them where they pretend to be.
      "eslint/fixtures/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // What may import what: the layer table in eslint/layers.js.
    plugins: { netapprox },
    rules: { "netapprox/layers": "error" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" },
    },
  },
  {
    // The web view runs in the browser.
    files: ["packages/controller/web/**/*.js"],
    languageOptions: {
      globals: {
        document: "readonly",
        window: "readonly",
        fetch: "readonly",
        EventSource: "readonly",
        MessageEvent: "readonly",
        getComputedStyle: "readonly",
      },
    },
  },
);
