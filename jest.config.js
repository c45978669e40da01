// Tests are TypeScript run as ESM (the package is "type": "module"); ts-jest only
// transpiles, type errors are caught by `npm run typecheck`.
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: {
    // Packages by name, from their sources (as tsconfig.json's "netapprox-source" condition).
    "^@netapprox/p4runtime$": "<rootDir>/packages/p4runtime/src/index.ts",
    "^@netapprox/([a-z0-9-]+)/(.*)\\.js$": "<rootDir>/packages/$1/src/$2",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json" }],
  },
  testTimeout: 30000,
};
