// Tests are TypeScript run as ESM (the package is "type": "module"); ts-jest only
// transpiles, type errors are caught by `npm run typecheck`.
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: {
    "^(\\.{1,2}/.*)\\.js$": "$1",
    "^netapprox/p4runtime$": "<rootDir>/controller/src/p4runtime/index.ts",
  },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json" }],
  },
  testTimeout: 30000,
};
