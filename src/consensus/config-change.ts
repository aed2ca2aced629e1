// Configuration transactions (kind 'config'): switch the consensus of a live shard, or add or
// remove one member. A block that holds a config transaction is the last block of its
// configuration epoch: the next block is ordered under version + 1 (paper §2.3, §2.5).
import type { Block } from '../core/block.ts'
import type { ShardConfig, ConsensusKind } from '../core/shard-config.ts'
import { LIMITS } from '../core/limits.ts'
import type { TxBody } from '../core/transaction.ts'

export const CONFIG_METHODS = ['switchConsensus', 'addMember', 'removeMember'] as const

/** True when a block ends its configuration epoch. */
export function endsEpoch (block: Block): boolean {
  return block.txs.some((e) => e.tx.kind === 'config')
}

/**
 * The configuration after block `block` (which ends an epoch). Only the first config
 * transaction of the block counts; one that is invalid (unknown method, second member change,
 * solo with several members) leaves members and consensus as they were, but the version still
 * advances, so every member derives the same configuration.
 */
export function nextConfig (config: ShardConfig, block: Block): ShardConfig {
  const next: ShardConfig = { ...config, version: config.version + 1, fromHeight: block.header.height + 1, members: [...config.members] }
  const tx = block.txs.find((e) => e.tx.kind === 'config')?.tx
  if (tx === undefined) return next
  const change = applyChange(config, tx)
  if (change === null) return next
  return { ...next, ...change, shardSize: (change.members ?? next.members).length }
}

function applyChange (config: ShardConfig, tx: TxBody): Partial<ShardConfig> | null {
  const arg = tx.arg
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) return null
  if (tx.method === 'switchConsensus') {
    const kind = arg.consensus as ConsensusKind
    if (kind !== 'solo' && kind !== 'raft' && kind !== 'pbft') return null
    if (kind === 'solo' && config.members.length !== 1) return null
    return { consensus: kind }
  }
  if (tx.method === 'addMember') {
    const { peerId, org } = arg
    if (typeof peerId !== 'string' || typeof org !== 'string' || peerId.length === 0 || peerId.length > LIMITS.maxPeerIdLength || org.length > LIMITS.maxOrgNameLength) return null
    if (config.members.some((m) => m.peerId === peerId) || config.members.length >= LIMITS.maxShardMembers || config.consensus === 'solo') return null
    return { members: [...config.members, { peerId, org }] }
  }
  if (tx.method === 'removeMember') {
    const { peerId } = arg
    const members = config.members.filter((m) => m.peerId !== peerId)
    if (members.length === config.members.length || members.length === 0) return null
    return { members }
  }
  return null
}
