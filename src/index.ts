// The `betasco` package entry point. `createNode` (the embeddable full node) arrives with the
// node layer; until then the data model is exported from here.
export * from './core/index.ts'
