// Ordering layer (paper §2.3): the Orderer interface, its solo/Raft/PBFT engines behind one
// ShardOrderer (epochs, consensus switching, catch-up), and the signer seam.
export * from './orderer.ts'
export * from './signer.ts'
export * from './prng.ts'
export { TxPool } from './tx-pool.ts'
export { endsEpoch, nextConfig, CONFIG_METHODS } from './config-change.ts'
export { createOrderer, verifyCommittedBlock, tipMessage, ledgerBlocksMessage, MAX_MESSAGE_BYTES } from './shard-orderer.ts'
export { pbftQuorum } from './pbft/pbft.ts'
