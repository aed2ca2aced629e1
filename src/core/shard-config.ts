// Shard configuration (paper §2.2): who the members of a contract's shard are and how they
// order. Version 0 is written at deploy; later versions only come from the shard's own
// consensus (membership changes one member at a time, consensus switches at block boundaries).
import { BetascoError } from './errors.ts'
import { decode, encode } from './encoding.ts'
import { hashOf } from './hash.ts'
import { LIMITS } from './limits.ts'
import { bytes, int, list, oneOf, record, str } from './shape.ts'
import { HEX32 } from './transaction.ts'

export type ConsensusKind = 'solo' | 'raft' | 'pbft'

export interface ShardMember {
  peerId: string
  org: string
}

export interface ShardConfig {
  v: 1
  contract: string
  version: number
  /** First block height this version applies to. */
  fromHeight: number
  consensus: ConsensusKind
  shardSize: number
  members: ShardMember[]
  gasLimit: number
  checkpointInterval: number
  codeHash: Uint8Array
}

export function checkShardConfig (v: unknown, path = 'shardConfig'): ShardConfig {
  const o = record(v, path, ['v', 'contract', 'version', 'fromHeight', 'consensus', 'shardSize', 'members', 'gasLimit', 'checkpointInterval', 'codeHash'])
  if (o.v !== 1) throw new BetascoError('BAD_SHAPE', `${path}.v: unsupported version ${String(o.v)}`)
  const members = list(o.members, `${path}.members`, LIMITS.maxShardMembers, (m, p) => {
    const x = record(m, p, ['peerId', 'org'])
    return { peerId: str(x.peerId, `${p}.peerId`, LIMITS.maxPeerIdLength), org: str(x.org, `${p}.org`, LIMITS.maxOrgNameLength) }
  })
  if (members.length === 0) throw new BetascoError('BAD_SHAPE', `${path}.members: a shard has at least one member`)
  if (new Set(members.map((m) => m.peerId)).size !== members.length) throw new BetascoError('BAD_SHAPE', `${path}.members: duplicate member`)
  return {
    v: 1,
    contract: str(o.contract, `${path}.contract`, 64, HEX32),
    version: int(o.version, `${path}.version`),
    fromHeight: int(o.fromHeight, `${path}.fromHeight`),
    consensus: oneOf(o.consensus, `${path}.consensus`, ['solo', 'raft', 'pbft'] as const),
    shardSize: int(o.shardSize, `${path}.shardSize`, 1, LIMITS.maxShardMembers),
    members,
    gasLimit: int(o.gasLimit, `${path}.gasLimit`, 1, 1e12),
    checkpointInterval: int(o.checkpointInterval, `${path}.checkpointInterval`, 1, 1e6),
    codeHash: bytes(o.codeHash, `${path}.codeHash`, 32),
  }
}

/** Byzantine bound of a shard: PBFT tolerates f = ⌊(n − 1) / 3⌋ faulty members. */
export function faultTolerance (config: Pick<ShardConfig, 'consensus' | 'members'>): number {
  const n = config.members.length
  return config.consensus === 'pbft' ? Math.floor((n - 1) / 3) : Math.floor((n - 1) / 2)
}

/** How many matching member results a client needs: 1 for crash faults, f + 1 for PBFT. */
export function matchingResultsNeeded (config: Pick<ShardConfig, 'consensus' | 'members'>): number {
  return config.consensus === 'pbft' ? faultTolerance(config) + 1 : 1
}

export function shardConfigHash (c: ShardConfig): Uint8Array { return hashOf(c) }
export function encodeShardConfig (c: ShardConfig): Uint8Array { return encode(c) }
export function decodeShardConfig (data: Uint8Array): ShardConfig { return checkShardConfig(decode(data, 64 * 1024)) }
