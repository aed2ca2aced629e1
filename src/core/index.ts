// Core data model: canonical encoding, hashing, transactions, blocks, receipts, checkpoints and
// shard configurations. Every other layer builds on these types.
export * from './errors.ts'
export * from './bytes.ts'
export * from './encoding.ts'
export * from './hash.ts'
export * from './shape.ts'
export * from './limits.ts'
export * from './transaction.ts'
export * from './block.ts'
export * from './receipt.ts'
export * from './checkpoint.ts'
export * from './shard-config.ts'
