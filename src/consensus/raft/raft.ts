// Raft (Ongaro & Ousterhout) for crash faults, as a pure state machine over one configuration
// epoch: randomized election timeouts from a seeded PRNG (node ID + term), leader lease and
// check-quorum, log replication with commit by majority, one block per log entry (no-op
// entries at term start), snapshots of the applied log prefix for lagging followers.
// Membership changes go through the log as config transactions; each one ends the epoch
// (config-change.ts), so a configuration never changes under a running instance.
import { blockHash, makeBlock, type Block } from '../../core/block.ts'
import type { Canonical } from '../../core/encoding.ts'
import { BetascoError, invariant } from '../../core/errors.ts'
import { bool, bytes, int, list, record, str } from '../../core/shape.ts'
import type { ShardConfig } from '../../core/shard-config.ts'
import { checkEnvelope, type Envelope } from '../../core/transaction.ts'
import { LIMITS } from '../../core/limits.ts'
import { endsEpoch } from '../config-change.ts'
import type { ChainTip, Engine, EngineContext } from '../engine.ts'
import { deriveSeed } from '../prng.ts'
import type { Verifier } from '../signer.ts'
import { checkBlockCached as checkBlock, txIdOf } from '../tx-id.ts'

export interface RaftEntry {
  term: number
  /** null for the no-op a new leader appends to commit its predecessors' entries. */
  block: Block | null
  /** The leader that appended the entry and its seal over the block hash. */
  by: string | null
  sig: Uint8Array | null
}

type Role = 'follower' | 'candidate' | 'leader'

export class RaftEngine implements Engine {
  private readonly ctx: EngineContext
  private readonly peers: string[]
  private readonly quorum: number
  // persistent
  private currentTerm = 0
  private vote: string | null = null
  private log: RaftEntry[] = []
  private snapIndex = 0
  private snapTerm = 0
  private snapTip: ChainTip
  // volatile
  private role: Role = 'follower'
  private leaderId: string | null = null
  private commitIndex = 0
  private lastApplied = 0
  private electionElapsed = 0
  private heartbeatElapsed = 0
  private timeoutTicks = 0
  private votes = new Set<string>()
  private next = new Map<string, number>()
  private match = new Map<string, number>()
  private active = new Set<string>()
  private ticks = 0
  private nowMs = 0

  constructor (ctx: EngineContext, hard: unknown) {
    this.ctx = ctx
    this.peers = ctx.config.members.map((m) => m.peerId).filter((p) => p !== ctx.self)
    this.quorum = Math.floor(ctx.config.members.length / 2) + 1
    this.snapTip = ctx.tip()
    if (hard !== null && hard !== undefined) this.restore(hard)
    this.commitIndex = this.lastApplied = this.snapIndex
    // A snapshot installed from the leader can be ahead of the ledger (its blocks were still
    // being fetched when this member stopped): fetch them again.
    const first = this.peers[0]
    if (first !== undefined && ctx.tip().height < this.snapTip.height) ctx.needBlocks(this.snapTip.height, first)
    this.resetTimeout()
    // The epoch's first instance campaigns at once when it is alone; otherwise it waits.
    if (this.quorum === 1) this.campaign()
  }

  // ---- persistence ----

  hardState (): Canonical {
    // Persisted compacted at the applied point: applied blocks are in the ledger (the driver
    // writes this Ready's blocks with this state), so only unapplied entries are written and a
    // write costs the in-flight blocks, not the whole retained log.
    const si = this.durableApplied()
    const tip = this.lastBlockTip(si)
    return {
      term: this.currentTerm, vote: this.vote, si, st: this.termAt(si) ?? this.snapTerm,
      sh: tip.height, sb: tip.hash, stm: tip.timeMs,
      log: this.log.slice(si - this.snapIndex) as unknown as Canonical,
    }
  }

  private restore (hard: unknown): void {
    const h = record(hard, 'raft', ['term', 'vote', 'si', 'st', 'sh', 'sb', 'stm', 'log'])
    this.currentTerm = int(h.term, 'raft.term')
    this.vote = h.vote === null ? null : str(h.vote, 'raft.vote', LIMITS.maxPeerIdLength)
    this.snapIndex = int(h.si, 'raft.si')
    this.snapTerm = int(h.st, 'raft.st')
    this.snapTip = { height: int(h.sh, 'raft.sh', -1), hash: bytes(h.sb, 'raft.sb', 32), timeMs: int(h.stm, 'raft.stm') }
    this.log = list(h.log, 'raft.log', 1_000_000, (e, p) => checkEntry(e, p))
  }

  // ---- log helpers ----

  private lastIndex (): number { return this.snapIndex + this.log.length }
  private entry (i: number): RaftEntry | undefined { return this.log[i - this.snapIndex - 1] }
  private termAt (i: number): number | undefined {
    if (i === this.snapIndex) return this.snapTerm
    return this.entry(i)?.term
  }

  /** The highest applied index whose blocks (and all before) the driver has made durable. */
  private durableApplied (): number {
    const durable = this.ctx.durableTip().height
    let ok = this.lastApplied
    for (let i = this.lastApplied; i > this.snapIndex; i--) {
      const b = this.entry(i)?.block
      if (b !== null && b !== undefined && b.header.height > durable) ok = i - 1
    }
    return ok
  }

  private lastBlockTip (upTo = this.lastIndex()): ChainTip {
    for (let i = upTo; i > this.snapIndex; i--) {
      const b = this.entry(i)?.block
      if (b !== null && b !== undefined) return { height: b.header.height, hash: blockHash(b.header), timeMs: b.header.timeMs }
    }
    return this.snapTip
  }

  // ---- Engine ----

  leader (): string | null { return this.leaderId }
  term (): number { return this.currentTerm }

  tick (nowMs: number): void {
    this.ticks++
    this.nowMs = Math.max(this.nowMs, nowMs)
    if (this.role === 'leader') {
      this.heartbeatElapsed++
      this.electionElapsed++
      if (this.electionElapsed >= this.ctx.params.electionTicks) {
        this.electionElapsed = 0
        // Check-quorum: a leader that has not heard from a majority steps down.
        if (this.active.size + 1 < this.quorum) return this.becomeFollower(this.currentTerm, null)
        this.active.clear()
      }
      this.propose()
      if (this.heartbeatElapsed >= this.ctx.params.heartbeatTicks) {
        this.heartbeatElapsed = 0
        for (const p of this.peers) this.sendAppend(p)
      }
      return
    }
    this.electionElapsed++
    if (this.electionElapsed >= this.timeoutTicks) this.campaign()
    // Followers keep handing their waiting transactions to the leader (forwarding may be lost).
    if (this.ticks % this.ctx.params.electionTicks === 0) this.forwardPool()
  }

  onSubmit (tx: Envelope, _id: string): void {
    if (this.role === 'leader') {
      if (this.ctx.pool.size >= this.ctx.params.maxTxsPerBlock) this.propose()
    } else if (this.leaderId !== null) {
      this.ctx.send(this.leaderId, { t: 'fwd', txs: [tx as unknown as Canonical] })
    }
  }

  onTipAdvanced (): void {}

  onMessage (from: string, m: unknown): void {
    if (!this.peers.includes(from)) throw new BetascoError('NOT_MEMBER', `raft message from ${from}, not a member of configuration ${this.ctx.config.version}`)
    const msg = m as Record<string, unknown>
    switch (msg.t) {
      case 'fwd': {
        const o = record(m, 'fwd', ['t', 'txs'])
        const txs = list(o.txs, 'fwd.txs', this.ctx.params.maxTxsPerBlock, (x, p) => checkEnvelope(x, p))
        for (const tx of txs) {
          const id = txIdOf(tx.tx)
          if (this.ctx.isCommitted(id) || !this.ctx.checkTx(tx)) continue
          if (this.ctx.pool.add(tx, id) === 'added' && this.role !== 'leader' && this.leaderId !== null && this.leaderId !== from) {
            this.ctx.send(this.leaderId, { t: 'fwd', txs: [tx as unknown as Canonical] })
          }
        }
        return
      }
      case 'vote': {
        const o = record(m, 'vote', ['t', 'term', 'li', 'lt'])
        return this.onVote(from, int(o.term, 'vote.term'), int(o.li, 'vote.li'), int(o.lt, 'vote.lt'))
      }
      case 'voter': {
        const o = record(m, 'voter', ['t', 'term', 'ok'])
        return this.onVoteReply(from, int(o.term, 'voter.term'), bool(o.ok, 'voter.ok'))
      }
      case 'app': {
        const o = record(m, 'app', ['t', 'term', 'pi', 'pt', 'ents', 'c'])
        const ents = list(o.ents, 'app.ents', this.ctx.params.maxEntriesPerAppend, (e, p) => checkEntry(e, p))
        return this.onAppend(from, int(o.term, 'app.term'), int(o.pi, 'app.pi'), int(o.pt, 'app.pt'), ents, int(o.c, 'app.c'))
      }
      case 'appr': {
        const o = record(m, 'appr', ['t', 'term', 'ok', 'idx'])
        return this.onAppendReply(from, int(o.term, 'appr.term'), bool(o.ok, 'appr.ok'), int(o.idx, 'appr.idx'))
      }
      case 'snap': {
        const o = record(m, 'snap', ['t', 'term', 'si', 'st', 'sh', 'sb', 'stm'])
        const tip = { height: int(o.sh, 'snap.sh', -1), hash: bytes(o.sb, 'snap.sb', 32), timeMs: int(o.stm, 'snap.stm') }
        return this.onSnapshot(from, int(o.term, 'snap.term'), int(o.si, 'snap.si'), int(o.st, 'snap.st'), tip)
      }
      default:
        throw new BetascoError('BAD_SHAPE', `unknown raft message type ${String(msg.t)}`)
    }
  }

  // ---- elections ----

  private resetTimeout (): void {
    const e = this.ctx.params.electionTicks
    this.timeoutTicks = e + (deriveSeed(this.ctx.seed, this.ctx.self, this.currentTerm, this.ticks) % e)
    this.electionElapsed = 0
  }

  private campaign (): void {
    this.currentTerm++
    this.role = 'candidate'
    this.vote = this.ctx.self
    this.votes = new Set([this.ctx.self])
    this.setLeader(null)
    this.resetTimeout()
    this.ctx.persist()
    if (this.votes.size >= this.quorum) return this.becomeLeader()
    const li = this.lastIndex()
    this.ctx.broadcast({ t: 'vote', term: this.currentTerm, li, lt: this.termAt(li) ?? 0 })
  }

  private becomeFollower (term: number, leader: string | null): void {
    if (term > this.currentTerm) {
      this.currentTerm = term
      this.vote = null
      this.ctx.persist()
    }
    this.role = 'follower'
    this.setLeader(leader)
    this.resetTimeout()
  }

  private setLeader (leader: string | null): void {
    if (leader === this.leaderId) return
    this.leaderId = leader
    this.ctx.notice({ type: 'leader', leader, term: this.currentTerm })
    if (leader !== null && leader !== this.ctx.self) this.forwardPool()
  }

  private forwardPool (): void {
    if (this.leaderId === null || this.leaderId === this.ctx.self || this.ctx.pool.size === 0) return
    const txs = this.ctx.pool.all().slice(0, this.ctx.params.maxTxsPerBlock).map((p) => p.env)
    this.ctx.send(this.leaderId, { t: 'fwd', txs: txs as unknown as Canonical })
  }

  private becomeLeader (): void {
    this.role = 'leader'
    this.setLeader(this.ctx.self)
    this.next.clear()
    this.match.clear()
    this.active.clear()
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    for (const p of this.peers) { this.next.set(p, this.lastIndex() + 1); this.match.set(p, 0) }
    this.appendEntry({ term: this.currentTerm, block: null, by: null, sig: null })
    this.propose()
    for (const p of this.peers) this.sendAppend(p)
  }

  private onVote (from: string, term: number, li: number, lt: number): void {
    // Leader lease: while a leader is heard from, a partitioned node that comes back with a
    // higher term does not depose it.
    if (term > this.currentTerm && this.leaderId !== null && this.electionElapsed < this.ctx.params.electionTicks) return
    if (term > this.currentTerm) this.becomeFollower(term, null)
    const myLast = this.lastIndex()
    const myLastTerm = this.termAt(myLast) ?? 0
    const upToDate = lt > myLastTerm || (lt === myLastTerm && li >= myLast)
    const ok = term === this.currentTerm && (this.vote === null || this.vote === from) && upToDate
    if (ok) {
      this.vote = from
      this.electionElapsed = 0
      this.ctx.persist()
    }
    this.ctx.send(from, { t: 'voter', term: this.currentTerm, ok })
  }

  private onVoteReply (from: string, term: number, ok: boolean): void {
    if (term > this.currentTerm) return this.becomeFollower(term, null)
    if (this.role !== 'candidate' || term !== this.currentTerm || !ok) return
    this.votes.add(from)
    if (this.votes.size >= this.quorum) this.becomeLeader()
  }

  // ---- replication ----

  private appendEntry (e: RaftEntry): void {
    this.log.push(e)
    this.ctx.persist()
    this.maybeCommit()
  }

  /** Leader: cut a block from the pool onto the end of the log. */
  private propose (): void {
    if (this.role !== 'leader') return
    const { ctx } = this
    let inFlight = 0
    const inLog = new Set<string>()
    for (let i = this.lastApplied + 1; i <= this.lastIndex(); i++) {
      const b = this.entry(i)?.block
      if (b === null || b === undefined) continue
      if (endsEpoch(b)) return // nothing follows the last block of an epoch
      inFlight++
      for (const e of b.txs) inLog.add(txIdOf(e.tx))
    }
    if (inFlight >= ctx.params.maxInFlightBatches || ctx.pool.size === 0) return
    const txs = ctx.pool.takeBatch(ctx.params.maxTxsPerBlock, ctx.params.maxBlockBytes, (id) => inLog.has(id) || ctx.isCommitted(id))
    if (txs.length === 0) return
    const last = this.lastBlockTip()
    const block = makeBlock(ctx.config.contract, last.height + 1, last.hash, txs, Math.max(this.nowMs, last.timeMs), ctx.config.version)
    this.appendEntry({ term: this.currentTerm, block, by: ctx.self, sig: ctx.signer.sign(blockHash(block.header)) })
    for (const p of this.peers) if ((this.next.get(p) ?? 0) === this.lastIndex()) this.sendAppend(p)
  }

  private sendAppend (to: string): void {
    const next = this.next.get(to) ?? this.lastIndex() + 1
    if (next <= this.snapIndex) {
      this.ctx.send(to, { t: 'snap', term: this.currentTerm, si: this.snapIndex, st: this.snapTerm, sh: this.snapTip.height, sb: this.snapTip.hash, stm: this.snapTip.timeMs })
      return
    }
    const pi = next - 1
    const ents = this.log.slice(pi - this.snapIndex, pi - this.snapIndex + this.ctx.params.maxEntriesPerAppend)
    this.ctx.send(to, { t: 'app', term: this.currentTerm, pi, pt: this.termAt(pi) ?? 0, ents: ents as unknown as Canonical, c: this.commitIndex })
    // Optimistic pipelining; a rejection or a heartbeat probe rewinds it.
    this.next.set(to, pi + ents.length + 1)
  }

  private onAppend (from: string, term: number, pi: number, pt: number, ents: RaftEntry[], c: number): void {
    if (term < this.currentTerm) return this.ctx.send(from, { t: 'appr', term: this.currentTerm, ok: false, idx: this.lastIndex() })
    this.becomeFollower(term, from)
    if (pi < this.snapIndex) {
      // Everything up to the snapshot is committed and therefore identical: skip that prefix.
      const skip = this.snapIndex - pi
      if (skip > ents.length) return this.ctx.send(from, { t: 'appr', term, ok: true, idx: this.snapIndex })
      ents = ents.slice(skip)
      pt = this.snapTerm
      pi = this.snapIndex
    }
    if (this.termAt(pi) !== pt) return this.ctx.send(from, { t: 'appr', term, ok: false, idx: Math.min(this.lastIndex(), pi - 1) })
    let changed = false
    ents.forEach((e, k) => {
      const i = pi + 1 + k
      const have = this.termAt(i)
      if (have === e.term) return
      if (have !== undefined) {
        invariant(i > this.commitIndex, `raft: leader overwrote committed entry ${i}`)
        this.log.length = i - this.snapIndex - 1
      }
      this.log.push(e)
      changed = true
    })
    if (changed) this.ctx.persist()
    const matched = pi + ents.length
    const newCommit = Math.min(c, matched)
    if (newCommit > this.commitIndex) {
      this.commitIndex = newCommit
      this.apply()
    }
    this.ctx.send(from, { t: 'appr', term, ok: true, idx: matched })
  }

  private onAppendReply (from: string, term: number, ok: boolean, idx: number): void {
    if (term > this.currentTerm) return this.becomeFollower(term, null)
    if (this.role !== 'leader' || term !== this.currentTerm) return
    this.active.add(from)
    if (ok) {
      const m = Math.min(idx, this.lastIndex())
      if (m > (this.match.get(from) ?? 0)) this.match.set(from, m)
      if ((this.next.get(from) ?? 0) <= m) this.next.set(from, m + 1)
      this.maybeCommit()
      if ((this.next.get(from) ?? 0) <= this.lastIndex()) this.sendAppend(from)
    } else {
      const next = Math.max(1, Math.min((this.next.get(from) ?? 1) - 1, idx + 1))
      this.next.set(from, Math.max(next, (this.match.get(from) ?? 0) + 1))
      this.sendAppend(from)
    }
  }

  private maybeCommit (): void {
    if (this.role !== 'leader') return
    const matches = [this.lastIndex(), ...this.peers.map((p) => this.match.get(p) ?? 0)].sort((a, b) => b - a)
    const n = matches[this.quorum - 1] ?? 0
    // Only entries of the current term are committed by counting (Raft §5.4.2).
    if (n > this.commitIndex && this.termAt(n) === this.currentTerm) {
      this.commitIndex = n
      this.apply()
    }
  }

  private onSnapshot (from: string, term: number, si: number, st: number, tip: ChainTip): void {
    if (term < this.currentTerm) return this.ctx.send(from, { t: 'appr', term: this.currentTerm, ok: false, idx: this.lastIndex() })
    this.becomeFollower(term, from)
    if (si <= this.commitIndex) return this.ctx.send(from, { t: 'appr', term, ok: true, idx: this.commitIndex })
    if (this.termAt(si) === st) this.log = this.log.slice(si - this.snapIndex)
    else this.log = []
    this.snapIndex = si
    this.snapTerm = st
    this.snapTip = tip
    this.commitIndex = this.lastApplied = si
    this.ctx.persist()
    if (this.ctx.tip().height < tip.height) this.ctx.needBlocks(tip.height, from)
    this.ctx.send(from, { t: 'appr', term, ok: true, idx: si })
  }

  private apply (): void {
    while (this.lastApplied < this.commitIndex) {
      const i = this.lastApplied + 1
      const e = this.entry(i)
      invariant(e !== undefined, `raft: committed entry ${i} is missing`)
      this.lastApplied = i
      if (e.block !== null) this.ctx.commit(e.block, { k: 'raft', term: e.term, by: e.by, sig: e.sig })
    }
    this.compact()
  }

  /** Snapshot at a checkpoint: drop the applied prefix once the ledger holds its blocks. */
  private compact (): void {
    if (this.lastApplied - this.snapIndex < this.ctx.params.snapshotEntries) return
    const upTo = this.durableApplied()
    if (upTo - this.snapIndex < this.ctx.params.snapshotEntries) return
    const tip = this.lastBlockTip(upTo)
    const st = this.termAt(upTo) ?? 0
    this.log = this.log.slice(upTo - this.snapIndex)
    this.snapIndex = upTo
    this.snapTerm = st
    this.snapTip = tip
    this.ctx.persist()
  }
}

function checkEntry (v: unknown, path: string): RaftEntry {
  const o = record(v, path, ['term', 'block', 'by', 'sig'])
  return {
    term: int(o.term, `${path}.term`),
    block: o.block === null ? null : checkBlock(o.block, `${path}.block`),
    by: o.by === null ? null : str(o.by, `${path}.by`, LIMITS.maxPeerIdLength),
    sig: o.sig === null ? null : bytes(o.sig, `${path}.sig`, 1, 256),
  }
}

/** A Raft certificate is the sealing leader's signature over the block hash, with its term. */
export function verifyRaftCert (config: ShardConfig, verifier: Verifier, block: Block, cert: unknown): boolean {
  const c = record(cert, 'cert', ['k', 'term', 'by', 'sig'])
  if (c.k !== 'raft' || typeof c.by !== 'string' || !(c.sig instanceof Uint8Array)) return false
  return config.members.some((m) => m.peerId === c.by) && verifier.verify(c.by, blockHash(block.header), c.sig)
}
