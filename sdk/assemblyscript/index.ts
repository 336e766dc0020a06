// Package entry: asc resolves `import ... from "wasm-actions-sdk"` to
// node_modules/wasm-actions-sdk/index.ts (it does not read package.json).
export * from "./assembly/index";
