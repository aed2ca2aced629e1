// betasco/node: the full node and its seams (transports, router), for embedding and testing.
export { BetascoNode } from './node.ts'
export type { NodeOptions, NodeEvent, NodeCounters, ReceiptAnswer, ContractLookup } from './node.ts'
export { createNode } from './create.ts'
export type { NodeConfig, RunningNode } from './create.ts'
export { Libp2pTransport } from './libp2p-transport.ts'
export { MemoryHub } from './memory-transport.ts'
export type { NodeTransport, ContractRouter, MembershipSource } from './transport.ts'
