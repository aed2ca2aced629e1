// Shared test fixtures for ordering: shard configurations, transactions, and a tiny lossless
// in-memory cluster that drives real orderers step by step (no simulator faults), for tests
// that want to reason about one scenario exactly.
import { blockHash, type CommittedBlock } from '../../src/core/block.ts'
import { equalBytes, toHex, utf8 } from '../../src/core/bytes.ts'
import type { Canonical } from '../../src/core/encoding.ts'
import { sha256 } from '../../src/core/hash.ts'
import type { ConsensusKind, ShardConfig } from '../../src/core/shard-config.ts'
import type { Envelope, TxBody } from '../../src/core/transaction.ts'
import { createOrderer } from '../../src/consensus/shard-orderer.ts'
import type { Notice, Orderer, OrdererInput, OrdererParams, OutMessage } from '../../src/consensus/orderer.ts'
import { keyedHashSigners, type Signer, type Verifier } from '../../src/consensus/signer.ts'

export const CONTRACT = toHex(sha256(utf8.encode('test-contract')))

export function shardConfig (consensus: ConsensusKind, ids: string[]): ShardConfig {
  return {
    v: 1, contract: CONTRACT, version: 0, fromHeight: 0, consensus, shardSize: ids.length,
    members: ids.map((peerId, i) => ({ peerId, org: `org${i % 3}` })), gasLimit: 1_000_000, checkpointInterval: 10, codeHash: new Uint8Array(32),
  }
}

export function clientTx (i: number, kind: 'invoke' | 'call' = 'invoke'): Envelope {
  const tx: TxBody = { v: 1, network: 'a'.repeat(64), kind, contract: CONTRACT, method: 'call', arg: { i }, nonce: `n-${i}`, from: 'c'.repeat(64) }
  if (kind === 'call') tx.origin = { contract: 'd'.repeat(64), txId: 'e'.repeat(64), index: i % 64 }
  return { tx, proofs: [{ cert: new Uint8Array([1]), sig: new Uint8Array([2]) }] }
}

export function configTx (i: number, method: 'switchConsensus' | 'addMember' | 'removeMember', arg: Record<string, string>): Envelope {
  const tx: TxBody = { v: 1, network: 'a'.repeat(64), kind: 'config', contract: CONTRACT, method, arg, nonce: `cfg-${i}`, from: 'c'.repeat(64) }
  return { tx, proofs: [{ cert: new Uint8Array([1]), sig: new Uint8Array([2]) }] }
}

export const FAST: Partial<OrdererParams> = {
  tickMs: 10, electionTicks: 10, heartbeatTicks: 2, viewChangeTicks: 30, checkpointPeriod: 4,
  snapshotEntries: 8, maxTxsPerBlock: 8, tipGossipTicks: 20, maxInFlightBatches: 4,
}

interface Member {
  id: string
  orderer: Orderer | null
  hard: Canonical | null
  blocks: CommittedBlock[]
  notices: Notice[]
}

/**
 * A lossless cluster with a FIFO network. `cut` isolates members (messages to and from them
 * are dropped); `crash`/`restart` rebuild an orderer from what it persisted.
 */
export class Cluster {
  readonly members = new Map<string, Member>()
  readonly signers: Map<string, Signer>
  readonly verifier: Verifier
  readonly queue: { from: string, m: OutMessage }[] = []
  readonly cut = new Set<string>()
  /** Outgoing message filter: return false to drop. */
  filter: (from: string, m: OutMessage) => boolean = () => true
  /** Rewrites what a member sends (a Byzantine member's wrapper); identity by default. */
  tamper: (from: string, m: OutMessage) => OutMessage[] = (_from, m) => [m]
  nowMs = 0
  private readonly config: ShardConfig
  private readonly params: Partial<OrdererParams>

  constructor (config: ShardConfig, allIds: string[] = config.members.map((m) => m.peerId), params: Partial<OrdererParams> = FAST, seed = 1) {
    this.config = config
    this.params = params
    const keys = keyedHashSigners(allIds, seed)
    this.signers = keys.signers
    this.verifier = keys.verifier
    for (const id of allIds) {
      this.members.set(id, { id, orderer: null, hard: null, blocks: [], notices: [] })
      this.restart(id)
    }
  }

  member (id: string): Member {
    const m = this.members.get(id)
    if (m === undefined) throw new Error(`no member ${id}`)
    return m
  }

  orderer (id: string): Orderer {
    const o = this.member(id).orderer
    if (o === null) throw new Error(`${id} is down`)
    return o
  }

  crash (id: string): void { this.member(id).orderer = null }

  restart (id: string): void {
    const m = this.member(id)
    m.orderer = createOrderer(this.config, { signer: this.signers.get(id)!, verifier: this.verifier, seed: 7, params: this.params }, { hardState: m.hard, blocks: m.blocks.slice() })
  }

  step (id: string, input: OrdererInput): void {
    const m = this.member(id)
    if (m.orderer === null) return
    m.orderer.step(input)
    const r = m.orderer.ready()
    if (r.hardState !== null) m.hard = r.hardState
    m.blocks.push(...r.committed)
    m.notices.push(...r.notices)
    for (const out of r.messages) for (const msg of this.tamper(id, out)) if (this.filter(id, msg)) this.queue.push({ from: id, m: msg })
  }

  submit (id: string, tx: Envelope): void { this.step(id, { type: 'submit', tx }) }

  /** Delivers everything queued (and what that produces), then ticks every member once. */
  round (): void {
    for (let guard = 0; guard < 100_000 && this.queue.length > 0; guard++) {
      const { from, m } = this.queue.shift()!
      if (this.cut.has(from) || this.cut.has(m.to) || !this.members.has(m.to)) continue
      this.step(m.to, { type: 'message', from, data: m.data })
    }
    this.nowMs += 10
    for (const id of this.members.keys()) this.step(id, { type: 'tick', nowMs: this.nowMs })
  }

  runUntil (done: () => boolean, maxRounds = 2000): number {
    for (let i = 0; i < maxRounds; i++) {
      if (done()) return i
      this.round()
    }
    throw new Error(`condition not reached in ${maxRounds} rounds; heights ${[...this.members.values()].map((m) => `${m.id}=${m.blocks.length - 1}`).join(' ')}`)
  }

  height (id: string): number { return this.member(id).blocks.length - 1 }

  committedTxIds (id: string): string[] {
    return this.member(id).blocks.flatMap((cb) => cb.block.txs.map((e) => e.tx.nonce))
  }

  /** Checks that all chains are prefixes of each other and hash-linked. */
  assertAgreement (): void {
    const chains = [...this.members.values()].map((m) => m.blocks)
    const longest = chains.reduce((a, b) => (b.length > a.length ? b : a), [])
    for (const c of chains) {
      c.forEach((cb, h) => {
        if (cb.block.header.height !== h) throw new Error(`block at index ${h} has height ${cb.block.header.height}`)
        if (!equalBytes(blockHash(cb.block.header), blockHash(longest[h]!.block.header))) throw new Error(`fork at height ${h}`)
        if (h > 0 && !equalBytes(cb.block.header.prev, blockHash(c[h - 1]!.block.header))) throw new Error(`broken link at ${h}`)
      })
    }
  }
}
