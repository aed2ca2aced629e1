// Checkpoints (paper §2.4, DESIGN §4): every C blocks each member submits a checkpoint
// transaction with the digest of its stored state at that height. Once ordered, the votes of
// n − f members on one digest make the checkpoint stable; a member whose own digest differs
// knows its state is wrong and repairs it.
import type { Block } from '../core/block.ts'
import { faultTolerance, type ShardConfig } from '../core/shard-config.ts'
import type { TxBody } from '../core/transaction.ts'
import { decodeCertificate } from '../crypto/certificate.ts'
import { identityId } from '../crypto/certificate.ts'

export interface CheckpointVote {
  height: number
  digest: string
  member: string
}

const HEX64 = /^[0-9a-f]{64}$/

/** The checkpoint transaction a member submits for its digest at `height`. */
export function checkpointTx (network: string, shard: string, height: number, digest: string, member: string, from: string): TxBody {
  return { v: 1, network, kind: 'checkpoint', contract: shard, method: 'checkpoint', arg: { height, digest }, nonce: `cp-${height}-${member.slice(-24)}`, from }
}

/** Votes carried by a block's checkpoint transactions, from members of `config` only. */
export function votesIn (block: Block, config: ShardConfig): CheckpointVote[] {
  const out: CheckpointVote[] = []
  for (const env of block.txs) {
    if (env.tx.kind !== 'checkpoint') continue
    const arg = env.tx.arg
    if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) continue
    const { height, digest } = arg as { height?: unknown, digest?: unknown }
    if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0 || typeof digest !== 'string' || !HEX64.test(digest)) continue
    const proof = env.proofs[0]
    if (proof === undefined) continue
    let member: string | undefined
    try {
      const body = decodeCertificate(proof.cert).body
      if (identityId(body.publicKey) === env.tx.from) member = body.peerId
    } catch { /* a malformed vote counts for nothing */ }
    if (member === undefined || !config.members.some(m => m.peerId === member)) continue
    out.push({ height, digest, member })
  }
  return out
}

/** Tallies votes per height; reports a height the first time n − f members agree on a digest. */
export class CheckpointTally {
  private readonly votes = new Map<number, Map<string, Set<string>>>()
  private stable = -1

  stableHeight (): number { return this.stable }

  add (vote: CheckpointVote, config: ShardConfig): { height: number, digest: string } | undefined {
    if (vote.height <= this.stable) return undefined
    let byDigest = this.votes.get(vote.height)
    if (byDigest === undefined) { byDigest = new Map(); this.votes.set(vote.height, byDigest) }
    for (const voters of byDigest.values()) if (voters.has(vote.member)) return undefined // one vote per member
    const voters = byDigest.get(vote.digest) ?? new Set<string>()
    voters.add(vote.member)
    byDigest.set(vote.digest, voters)
    const quorum = config.members.length - faultTolerance(config)
    if (voters.size < quorum) return undefined
    this.stable = vote.height
    for (const h of [...this.votes.keys()]) if (h <= vote.height) this.votes.delete(h)
    return { height: vote.height, digest: vote.digest }
  }
}

