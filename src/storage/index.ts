// Storage layer (DESIGN §5): the LedgerStore interface, the in-memory store and helpers.
// Engine-specific stores are separate entry points chosen by the composition root:
//   src/storage/level.ts      LevelLedgerStore (Node, classic-level)
//   src/storage/indexeddb.ts  IndexedDbLedgerStore (browser, idb)
export type { LedgerStore, ShardHead, ApplyBatch, StateWrite, MetaWrite, StateRange, StateEntry } from './ledger-store.ts'
export { MemoryLedgerStore, MemoryBacking } from './memory.ts'
export { KvLedgerStore } from './kv-ledger-store.ts'
export type { KvBackend, KvReader, KvWriter, KvRange, Table } from './kv.ts'
export { stateDigest, computeStateDigest, readAllState, compareStateKeys } from './state-digest.ts'
export { STORE_LIMITS } from './limits.ts'
