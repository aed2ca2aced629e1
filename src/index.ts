// The `betasco` package entry point: `createNode` (the embeddable full node, Node or browser)
// and the data model. The layers have their own entry points (betasco/crypto, betasco/client…).
export * from './core/index.ts'
export { createNode } from './node/create.ts'
export type { NodeConfig, RunningNode } from './node/create.ts'
export { BetascoNode } from './node/node.ts'
export type { NodeOptions, NodeEvent, NodeCounters, ReceiptAnswer } from './node/node.ts'
