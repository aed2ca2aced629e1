// PBFT (Castro & Liskov, OSDI '99) for Byzantine faults, as a pure state machine over one
// configuration epoch: pre-prepare / prepare / commit with quorums of ⌈(n+f+1)/2⌉ (2f+1 when
// n = 3f+1), checkpoints every K sequence numbers with low/high watermarks (h, h+2K], view
// change whose new-view carries prepared certificates, request relay and de-duplication.
// A pre-prepare carries a whole block built on the executed tip, so the commit certificate
// kept with a block is q signatures over the block hash itself, checkable by anyone.
import { blockHash, makeBlock, ZERO_HASH, type Block } from '../../core/block.ts'
import { equalBytes } from '../../core/bytes.ts'
import { encode, type Canonical } from '../../core/encoding.ts'
import { hashOf } from '../../core/hash.ts'
import { BetascoError } from '../../core/errors.ts'
import { LIMITS } from '../../core/limits.ts'
import { bytes, int, list, record, str } from '../../core/shape.ts'
import type { ShardConfig } from '../../core/shard-config.ts'
import { checkEnvelope, isContractIssued, type Envelope } from '../../core/transaction.ts'
import type { Engine, EngineContext } from '../engine.ts'
import type { Verifier } from '../signer.ts'
import { checkBlockCached as checkBlock, txIdOf } from '../tx-id.ts'

export interface PrePrepare { t: 'pp', e: number, v: number, s: number, d: Uint8Array, b: Block | null, r: string, sig: Uint8Array }
export interface Vote { t: 'prep' | 'com', e: number, v: number, s: number, d: Uint8Array, r: string, sig: Uint8Array }
export interface CheckpointVote { t: 'ckpt', e: number, s: number, bh: number, bb: Uint8Array, r: string, sig: Uint8Array }
export interface PreparedCert { pp: PrePrepare, ps: Vote[] }
export interface ViewChange { t: 'vc', e: number, v: number, h: number, C: CheckpointVote[], P: PreparedCert[], r: string, sig: Uint8Array }
export interface NewView { t: 'nv', e: number, v: number, V: ViewChange[], O: PrePrepare[], r: string, sig: Uint8Array }

interface Slot {
  pp: PrePrepare | null
  prepares: Map<string, Vote>
  commits: Map<string, Vote>
  valid: boolean | null
  sentPrepare: boolean
  sentCommit: boolean
  /** The highest-view prepared certificate this replica holds for the slot (kept across views). */
  prepared: PreparedCert | null
}

interface Stable { s: number, bh: number, bb: Uint8Array, proof: CheckpointVote[] }

export function pbftQuorum (n: number): number {
  const f = Math.floor((n - 1) / 3)
  return Math.ceil((n + f + 1) / 2)
}

function nullDigest (e: number, s: number): Uint8Array { return hashOf({ null: s, e }) }
function ppCore (pp: PrePrepare): Canonical { return { t: 'pp', e: pp.e, v: pp.v, s: pp.s, d: pp.d, r: pp.r } }
function voteCore (x: Vote): Canonical { return { t: x.t, e: x.e, v: x.v, s: x.s, d: x.d, r: x.r } }
function ckptCore (c: CheckpointVote): Canonical { return { t: 'ckpt', e: c.e, s: c.s, bh: c.bh, bb: c.bb, r: c.r } }
function withoutSig (m: { sig: Uint8Array }): Canonical {
  const { sig: _sig, ...rest } = m
  return rest as unknown as Canonical
}

export class PbftEngine implements Engine {
  private readonly ctx: EngineContext
  private readonly members: string[]
  private readonly n: number
  private readonly f: number
  private readonly q: number
  private readonly e: number
  private readonly window: number
  private view = 0
  private lastExec = 0
  private stable: Stable = { s: 0, bh: -1, bb: new Uint8Array(32), proof: [] }
  private readonly slots = new Map<number, Slot>()
  private readonly ckpts = new Map<number, Map<string, CheckpointVote>>()
  private readonly myCkpts = new Map<number, CheckpointVote>()
  // view change
  private inViewChange = false
  private vcView = 0
  private vcStartTick = 0
  private vcAttempts = 0
  private myVc: ViewChange | null = null
  private readonly vcs = new Map<number, Map<string, ViewChange>>()
  private lastNv: NewView | null = null
  // timers
  private ticks = 0
  private nowMs = 0
  private lastProgressTick = 0

  constructor (ctx: EngineContext, hard: unknown) {
    this.ctx = ctx
    this.members = ctx.config.members.map((m) => m.peerId)
    this.n = this.members.length
    this.f = Math.floor((this.n - 1) / 3)
    this.q = pbftQuorum(this.n)
    this.e = ctx.config.version
    this.window = 2 * ctx.params.checkpointPeriod
    const tip = ctx.tip()
    this.stable = { s: 0, bh: tip.height, bb: tip.hash, proof: [] }
    if (hard !== null && hard !== undefined) this.restore(hard)
    this.catchUpFromTip()
  }

  // ---- persistence: view, execution point, stable checkpoint and prepared certificates, so a
  // restarted replica neither forgets what it prepared nor votes twice in one view ----

  hardState (): Canonical {
    const prepared: PreparedCert[] = []
    // Prepared certificates of executed slots are written without their block, which is in the
    // ledger already (written with this state): a write then costs the unexecuted blocks only.
    const executed: Canonical[] = []
    const voted: Canonical[] = []
    for (const [s, slot] of this.slots) {
      const pc = slot.prepared
      if (pc !== null) {
        if (s <= this.lastExec && pc.pp.b !== null && this.ctx.durableTip().height >= pc.pp.b.header.height) {
          executed.push({ pc: { pp: { ...pc.pp, b: null }, ps: pc.ps } as unknown as Canonical, h: pc.pp.b.header.height })
        } else {
          prepared.push(pc)
        }
      }
      if (slot.sentPrepare && slot.pp !== null) voted.push({ v: slot.pp.v, s, d: slot.pp.d })
    }
    return {
      view: this.view, vcView: this.vcView, lastExec: this.lastExec,
      stable: this.stable as unknown as Canonical, prepared: prepared as unknown as Canonical, executed, voted,
    }
  }

  private restore (hard: unknown): void {
    const h = record(hard, 'pbft', ['view', 'vcView', 'lastExec', 'stable', 'prepared', 'executed', 'voted'])
    this.view = int(h.view, 'pbft.view')
    this.vcView = int(h.vcView, 'pbft.vcView')
    this.lastExec = int(h.lastExec, 'pbft.lastExec')
    const st = record(h.stable, 'pbft.stable', ['s', 'bh', 'bb', 'proof'])
    this.stable = { s: int(st.s, 's'), bh: int(st.bh, 'bh', -1), bb: bytes(st.bb, 'bb', 32), proof: list(st.proof, 'proof', LIMITS.maxShardMembers, (c, p) => checkCkpt(c, p)) }
    for (const pc of list(h.prepared, 'pbft.prepared', 10_000, (x, p) => checkPrepared(x, p))) this.slot(pc.pp.s).prepared = pc
    for (const x of list(h.executed, 'pbft.executed', 10_000, (x, p) => record(x, p, ['pc', 'h']))) {
      const pc = checkPrepared(x.pc, 'pbft.executed.pc')
      const cb = this.ctx.blockAt(int(x.h, 'pbft.executed.h', 0))
      // The block comes back from the ledger. Only a driver that broke its contract (lost a
      // committed block) finds it missing; the slot then has no certificate here.
      if (cb !== undefined && equalBytes(blockHash(cb.block.header), pc.pp.d)) this.slot(pc.pp.s).prepared = { pp: { ...pc.pp, b: cb.block }, ps: pc.ps }
    }
    for (const x of list(h.voted, 'pbft.voted', 10_000, (x, p) => record(x, p, ['v', 's', 'd']))) {
      // A vote already cast in this view: never prepare a different digest for that slot.
      if (int(x.v, 'v') === this.view) {
        const slot = this.slot(int(x.s, 's'))
        slot.sentPrepare = true
        slot.pp = { t: 'pp', e: this.e, v: this.view, s: int(x.s, 's'), d: bytes(x.d, 'd', 32), b: null, r: this.primary(this.view), sig: new Uint8Array(0) }
        slot.valid = false
      }
    }
    if (this.vcView > this.view) {
      // We had asked for a view change before the crash: ask again.
      this.startViewChange(this.vcView)
    }
  }

  // ---- helpers ----

  private primary (v: number): string { return this.members[v % this.n]! }
  private isPrimary (): boolean { return this.primary(this.view) === this.ctx.self }
  leader (): string { return this.primary(this.view) }
  term (): number { return this.view }

  private slot (s: number): Slot {
    let slot = this.slots.get(s)
    if (slot === undefined) {
      slot = { pp: null, prepares: new Map(), commits: new Map(), valid: null, sentPrepare: false, sentCommit: false, prepared: null }
      this.slots.set(s, slot)
    }
    return slot
  }

  private inWindow (s: number): boolean { return s > this.stable.s && s <= this.stable.s + this.window }

  private sign<T extends { sig: Uint8Array }> (core: Canonical, m: T): T {
    m.sig = this.ctx.signer.sign(encode(core))
    return m
  }

  private verifySig (r: string, core: Canonical, sig: Uint8Array): boolean {
    return this.members.includes(r) && this.ctx.verifier.verify(r, encode(core), sig)
  }

  /** Authenticates a direct message: signed by the member it names, and that member sent it. */
  private authentic (from: string, r: string, core: Canonical, sig: Uint8Array): boolean {
    if (r !== from || !this.verifySig(r, core, sig)) {
      this.ctx.forged()
      return false
    }
    return true
  }

  // ---- Engine ----

  tick (nowMs: number): void {
    this.ticks++
    this.nowMs = Math.max(this.nowMs, nowMs)
    const p = this.ctx.params
    if (this.inViewChange) {
      const wait = p.viewChangeTicks * 2 ** Math.min(this.vcAttempts, 4)
      if (this.ticks - this.vcStartTick >= wait) this.startViewChange(this.vcView + 1)
    } else {
      const next = this.slots.get(this.lastExec + 1)
      const waiting = this.ctx.pool.size > 0 || (next?.pp ?? null) !== null
      if (!waiting) this.lastProgressTick = this.ticks
      else if (this.ticks - this.lastProgressTick >= p.viewChangeTicks) this.startViewChange(this.view + 1)
      else if (this.isPrimary()) this.propose()
    }
    if (this.ticks % (p.heartbeatTicks * 2) === 0) this.retransmit()
    if (!this.isPrimary() && this.ctx.pool.size > 0 && this.ticks % Math.max(1, Math.floor(p.viewChangeTicks / 3)) === 0) {
      // Backups keep handing waiting requests to the primary, whose loss would look like censorship.
      const txs = this.ctx.pool.all().slice(0, p.maxTxsPerBlock).map((x) => x.env)
      this.ctx.send(this.primary(this.view), { t: 'req', txs: txs as unknown as Canonical })
    }
  }

  onSubmit (tx: Envelope, _id: string): void {
    // Relay to every replica, so a primary that censors is noticed by all and replaced.
    this.ctx.broadcast({ t: 'req', txs: [tx as unknown as Canonical] })
    if (this.isPrimary() && this.ctx.pool.size >= this.ctx.params.maxTxsPerBlock) this.propose()
  }

  onTipAdvanced (): void {
    this.catchUpFromTip()
    this.progress()
  }

  /** After blocks arrived by state transfer, skip the sequence numbers they cover. */
  private catchUpFromTip (): void {
    const tip = this.ctx.tip()
    const cert = this.ctx.tipCert() as Record<string, unknown> | null
    if (cert !== null && typeof cert === 'object' && cert.k === 'pbft' && cert.e === this.e && typeof cert.s === 'number' && cert.s > this.lastExec) {
      this.setExecuted(cert.s)
    }
    if (this.stable.s > this.lastExec && tip.height === this.stable.bh && equalBytes(tip.hash, this.stable.bb)) this.setExecuted(this.stable.s)
  }

  private setExecuted (s: number): void {
    this.lastExec = s
    this.lastProgressTick = this.ticks
    for (const k of this.slots.keys()) if (k <= s && k <= this.stable.s) this.slots.delete(k)
    this.ctx.persist()
  }

  onMessage (from: string, m: unknown): void {
    if (!this.members.includes(from)) throw new BetascoError('NOT_MEMBER', `pbft message from ${from}, not a member of configuration ${this.e}`)
    const t = (m as Record<string, unknown>).t
    switch (t) {
      case 'req': {
        const o = record(m, 'req', ['t', 'txs'])
        for (const tx of list(o.txs, 'req.txs', this.ctx.params.maxTxsPerBlock, (x, p) => checkEnvelope(x, p))) {
          const id = txIdOf(tx.tx)
          if (!this.ctx.isCommitted(id) && this.ctx.checkTx(tx)) this.ctx.pool.add(tx, id)
        }
        return
      }
      case 'pp': return this.onPrePrepare(from, checkPP(m, 'pp', this.e))
      case 'prep':
      case 'com': return this.onVote(from, checkVote(m, t, this.e))
      case 'ckpt': return this.onCheckpoint(from, checkCkpt(m, 'ckpt', this.e))
      case 'vc': {
        const vc = checkVC(m, 'vc', this.e)
        if (!this.authentic(from, vc.r, withoutSig(vc), vc.sig)) return
        return this.onViewChange(vc)
      }
      case 'nv': return this.onNewView(from, checkNV(m, 'nv', this.e))
      default: throw new BetascoError('BAD_SHAPE', `unknown pbft message type ${String(t)}`)
    }
  }

  // ---- normal case ----

  private propose (): void {
    const { ctx } = this
    const s = this.lastExec + 1
    if (!this.isPrimary() || this.inViewChange || !this.inWindow(s) || ctx.pool.size === 0) return
    for (const [k, slot] of this.slots) if (k >= s && slot.pp !== null && slot.pp.v === this.view) return
    const txs = ctx.pool.takeBatch(ctx.params.maxTxsPerBlock, ctx.params.maxBlockBytes, (id) => ctx.isCommitted(id))
    if (txs.length === 0) return
    const tip = ctx.tip()
    const b = makeBlock(ctx.config.contract, tip.height + 1, tip.hash, txs, Math.max(this.nowMs, tip.timeMs), this.e)
    const pp: PrePrepare = { t: 'pp', e: this.e, v: this.view, s, d: blockHash(b.header), b, r: ctx.self, sig: new Uint8Array(0) }
    this.sign(ppCore(pp), pp)
    ctx.broadcast(pp as unknown as Canonical)
    this.acceptPrePrepare(pp)
  }

  private onPrePrepare (from: string, pp: PrePrepare): void {
    if (!this.authentic(from, pp.r, ppCore(pp), pp.sig)) return
    if (pp.r !== this.primary(pp.v) || pp.v !== this.view || this.inViewChange || !this.inWindow(pp.s) || pp.s <= this.lastExec) return
    this.acceptPrePrepare(pp)
  }

  private acceptPrePrepare (pp: PrePrepare): void {
    const slot = this.slot(pp.s)
    if (slot.pp !== null && slot.pp.v === pp.v) return // first pre-prepare of a view wins; an equivocation is ignored
    if (!(pp.b === null ? equalBytes(pp.d, nullDigest(this.e, pp.s)) : equalBytes(pp.d, blockHash(pp.b.header)))) return
    slot.pp = pp
    slot.valid = null
    this.progress()
  }

  private onVote (from: string, x: Vote): void {
    if (!this.authentic(from, x.r, voteCore(x), x.sig)) return
    if (x.v !== this.view || this.inViewChange || !this.inWindow(x.s) || x.s <= this.lastExec) return
    if (x.t === 'prep' && x.r === this.primary(x.v)) return
    const slot = this.slot(x.s);
    (x.t === 'prep' ? slot.prepares : slot.commits).set(x.r, x)
    this.progress()
  }

  /** Checks a proposed block against the executed tip (link, time, transactions). */
  private validate (pp: PrePrepare): boolean {
    const b = pp.b
    if (b === null) return true
    const tip = this.ctx.tip()
    const h = b.header
    if (h.height !== tip.height + 1 || !equalBytes(h.prev, tip.hash) || h.configVersion !== this.e || h.shard !== this.ctx.config.contract) return false
    if (h.timeMs < tip.timeMs || h.timeMs > this.nowMs + this.ctx.params.maxClockSkewMs) return false
    if (b.txs.length === 0 || b.txs.length > this.ctx.params.maxTxsPerBlock) return false
    const ids = new Set<string>()
    let clientSeen = false
    for (const tx of b.txs) {
      // Lanes: contract-issued transactions come before client ones (paper §2.4).
      if (isContractIssued(tx.tx.kind) ? clientSeen : (clientSeen = true, false)) return false
      if (tx.tx.kind === 'config' && tx !== b.txs[b.txs.length - 1]) return false
      const id = txIdOf(tx.tx)
      if (ids.has(id) || this.ctx.isCommitted(id) || !this.ctx.checkTx(tx)) return false
      ids.add(id)
    }
    return true
  }

  /** Drives the slot after the executed one through prepare, commit and execution. */
  private progress (): void {
    for (let guard = 0; guard < this.window + 1; guard++) {
      const s = this.lastExec + 1
      const slot = this.slots.get(s)
      if (slot === undefined || slot.pp === null || slot.pp.v !== this.view || this.inViewChange) return
      const pp = slot.pp
      if (slot.valid === null) slot.valid = this.validate(pp)
      if (!slot.valid) return
      if (!slot.sentPrepare && pp.r !== this.ctx.self) {
        slot.sentPrepare = true
        const x = this.sign(voteCore({ t: 'prep', e: this.e, v: pp.v, s, d: pp.d, r: this.ctx.self, sig: new Uint8Array(0) }), { t: 'prep', e: this.e, v: pp.v, s, d: pp.d, r: this.ctx.self, sig: new Uint8Array(0) } as Vote)
        slot.prepares.set(this.ctx.self, x)
        this.ctx.broadcast(x as unknown as Canonical)
        this.ctx.persist()
      }
      const prepares = [...slot.prepares.values()].filter((x) => equalBytes(x.d, pp.d))
      if (prepares.length < this.q - 1) return
      if (slot.prepared === null || slot.prepared.pp.v < pp.v) {
        slot.prepared = { pp, ps: prepares.slice(0, this.q - 1) }
        this.ctx.persist()
      }
      if (!slot.sentCommit) {
        slot.sentCommit = true
        const x = { t: 'com', e: this.e, v: pp.v, s, d: pp.d, r: this.ctx.self, sig: new Uint8Array(0) } as Vote
        this.sign(voteCore(x), x)
        slot.commits.set(this.ctx.self, x)
        this.ctx.broadcast(x as unknown as Canonical)
      }
      const commits = [...slot.commits.values()].filter((x) => equalBytes(x.d, pp.d))
      if (commits.length < this.q) return
      this.execute(s, pp, commits)
    }
  }

  private execute (s: number, pp: PrePrepare, commits: Vote[]): void {
    if (pp.b !== null) {
      const com = commits.slice().sort((a, b) => (a.r < b.r ? -1 : 1)).slice(0, this.q).map((x) => ({ r: x.r, sig: x.sig }))
      this.ctx.commit(pp.b, { k: 'pbft', e: this.e, v: pp.v, s, com })
    }
    this.lastExec = s
    this.lastProgressTick = this.ticks
    this.ctx.persist()
    if (s % this.ctx.params.checkpointPeriod === 0) {
      const tip = this.ctx.tip()
      const c = { t: 'ckpt', e: this.e, s, bh: tip.height, bb: tip.hash, r: this.ctx.self, sig: new Uint8Array(0) } as CheckpointVote
      this.sign(ckptCore(c), c)
      this.myCkpts.set(s, c)
      this.ctx.broadcast(c as unknown as Canonical)
      this.addCheckpoint(c, this.ctx.self)
    }
  }

  // ---- checkpoints and watermarks ----

  private onCheckpoint (from: string, c: CheckpointVote): void {
    if (!this.authentic(from, c.r, ckptCore(c), c.sig)) return
    if (c.s <= this.stable.s || c.s > this.stable.s + 4 * this.window) return
    this.addCheckpoint(c, from)
  }

  private addCheckpoint (c: CheckpointVote, from: string): void {
    let votes = this.ckpts.get(c.s)
    if (votes === undefined) { votes = new Map(); this.ckpts.set(c.s, votes) }
    votes.set(c.r, c)
    if (!votes.has(this.ctx.self) && c.s <= this.lastExec) {
      // A replica that passed s by state transfer or a restart never voted for it; without its
      // vote a quorum may never form and the window stays shut (seed 80 found this).
      const mine = this.lateCheckpoint(c.s)
      if (mine !== null) {
        votes.set(this.ctx.self, mine)
        this.ctx.broadcast(mine as unknown as Canonical)
      }
    }
    const matching = [...votes.values()].filter((x) => x.bh === c.bh && equalBytes(x.bb, c.bb))
    if (matching.length < this.q || c.s <= this.stable.s) return
    this.stable = { s: c.s, bh: c.bh, bb: c.bb, proof: matching.slice(0, this.q) }
    for (const k of this.slots.keys()) if (k <= c.s) this.slots.delete(k)
    for (const k of this.ckpts.keys()) if (k <= c.s) this.ckpts.delete(k)
    for (const k of this.myCkpts.keys()) if (k < c.s) this.myCkpts.delete(k)
    this.ctx.persist()
    if (c.s > this.lastExec) {
      // State transfer: the others are ahead by a whole checkpoint.
      if (this.ctx.tip().height >= c.bh) this.catchUpFromTip()
      else this.ctx.needBlocks(c.bh, from === this.ctx.self ? c.r : from)
    }
    this.progress()
  }

  /** This replica's checkpoint vote for an executed s, from the sequence numbers in its blocks' certificates. */
  private lateCheckpoint (s: number): CheckpointVote | null {
    if (s % this.ctx.params.checkpointPeriod !== 0 || s > this.lastExec) return null
    let h = this.ctx.tip().height
    let at: { bh: number, bb: Uint8Array } | null = null
    for (let guard = 0; guard < this.ctx.params.retainBlocks && at === null; guard++) {
      if (h < 0) { at = { bh: -1, bb: ZERO_HASH }; break }
      const cb = this.ctx.blockAt(h)
      if (cb === undefined) return null
      const cert = cb.cert as Record<string, unknown> | null
      const inEpoch = cert !== null && typeof cert === 'object' && cert.k === 'pbft' && cert.e === this.e && typeof cert.s === 'number'
      // The tip at s is the newest block ordered at or before s (or from before this epoch).
      if (!inEpoch || (cert.s as number) <= s) at = { bh: h, bb: blockHash(cb.block.header) }
      else h--
    }
    if (at === null) return null
    const c = { t: 'ckpt', e: this.e, s, bh: at.bh, bb: at.bb, r: this.ctx.self, sig: new Uint8Array(0) } as CheckpointVote
    this.sign(ckptCore(c), c)
    this.myCkpts.set(s, c)
    return c
  }

  private retransmit (): void {
    // Messages may be lost: resend what this replica contributed to unfinished work.
    if (this.inViewChange) {
      if (this.myVc !== null) this.ctx.broadcast(this.myVc as unknown as Canonical)
      return
    }
    if (this.lastNv !== null && this.lastNv.v === this.view && this.isPrimary() && this.ticks - this.lastProgressTick > this.ctx.params.heartbeatTicks) {
      this.ctx.broadcast(this.lastNv as unknown as Canonical)
    }
    const slot = this.slots.get(this.lastExec + 1)
    if (slot?.pp !== null && slot?.pp !== undefined && slot.pp.v === this.view) {
      if (slot.pp.r === this.ctx.self) this.ctx.broadcast(slot.pp as unknown as Canonical)
      const mine = [slot.prepares.get(this.ctx.self), slot.commits.get(this.ctx.self)]
      for (const x of mine) if (x !== undefined) this.ctx.broadcast(x as unknown as Canonical)
    }
    // Every own vote above the stable checkpoint (at most window / K of them): a lost early one
    // would otherwise keep the watermark window shut.
    for (const c of this.myCkpts.values()) if (c.s > this.stable.s) this.ctx.broadcast(c as unknown as Canonical)
  }

  // ---- view change ----

  private startViewChange (v: number): void {
    this.inViewChange = true
    this.vcView = v
    this.vcStartTick = this.ticks
    this.vcAttempts++
    const P: PreparedCert[] = []
    for (const [s, slot] of [...this.slots].sort((a, b) => a[0] - b[0])) if (s > this.stable.s && slot.prepared !== null) P.push(slot.prepared)
    const vc = { t: 'vc', e: this.e, v, h: this.stable.s, C: this.stable.proof, P, r: this.ctx.self, sig: new Uint8Array(0) } as ViewChange
    this.sign(withoutSig(vc), vc)
    this.myVc = vc
    this.ctx.persist()
    this.ctx.broadcast(vc as unknown as Canonical)
    this.onViewChange(vc)
  }

  private validVC (vc: ViewChange): boolean {
    if (vc.h > 0) {
      const c0 = vc.C[0]
      if (c0 === undefined || vc.C.length < this.q) return false
      const signers = new Set<string>()
      for (const c of vc.C) {
        if (c.s !== vc.h || c.bh !== c0.bh || !equalBytes(c.bb, c0.bb) || !this.verifySig(c.r, ckptCore(c), c.sig)) return false
        signers.add(c.r)
      }
      if (signers.size < this.q) return false
    }
    const seen = new Set<number>()
    for (const pc of vc.P) {
      const pp = pc.pp
      if (seen.has(pp.s) || pp.s <= vc.h || pp.s > vc.h + this.window || pp.v >= vc.v) return false
      seen.add(pp.s)
      if (pp.r !== this.primary(pp.v) || !this.verifySig(pp.r, ppCore(pp), pp.sig)) return false
      if (!(pp.b === null ? equalBytes(pp.d, nullDigest(this.e, pp.s)) : equalBytes(pp.d, blockHash(pp.b.header)))) return false
      const signers = new Set<string>()
      for (const x of pc.ps) {
        if (x.t !== 'prep' || x.v !== pp.v || x.s !== pp.s || !equalBytes(x.d, pp.d) || x.r === pp.r || !this.verifySig(x.r, voteCore(x), x.sig)) return false
        signers.add(x.r)
      }
      if (signers.size < this.q - 1) return false
    }
    return true
  }

  private onViewChange (vc: ViewChange): void {
    if (vc.v <= this.view || vc.v > this.view + this.n * 8 || !this.validVC(vc)) return
    let byR = this.vcs.get(vc.v)
    if (byR === undefined) { byR = new Map(); this.vcs.set(vc.v, byR) }
    byR.set(vc.r, vc)
    // Liveness rule: f+1 replicas want a later view than ours, so join the smallest of them.
    const target = this.inViewChange ? this.vcView : this.view
    const ahead = new Map<string, number>()
    for (const [v, m] of this.vcs) if (v > target) for (const r of m.keys()) if (r !== this.ctx.self) ahead.set(r, Math.min(ahead.get(r) ?? Infinity, v))
    if (ahead.size >= this.f + 1) {
      const v = Math.min(...ahead.values())
      if (v > target) return this.startViewChange(v)
    }
    if (this.primary(vc.v) === this.ctx.self && byR.size >= this.q && this.inViewChange && this.vcView === vc.v) {
      const V = [...byR.values()].sort((a, b) => (a.r < b.r ? -1 : 1)).slice(0, this.q)
      const O = this.computeO(vc.v, V).map((pp) => this.sign(ppCore(pp), pp))
      const nv = { t: 'nv', e: this.e, v: vc.v, V, O, r: this.ctx.self, sig: new Uint8Array(0) } as NewView
      this.sign(withoutSig(nv), nv)
      this.ctx.broadcast(nv as unknown as Canonical)
      this.acceptNewView(nv)
    }
  }

  /** The pre-prepares a new view re-proposes: for each sequence number above the latest stable checkpoint, the prepared batch of the highest view, or a null request. */
  private computeO (v: number, V: ViewChange[]): PrePrepare[] {
    const minS = Math.max(...V.map((x) => x.h))
    let maxS = minS
    for (const vc of V) for (const pc of vc.P) maxS = Math.max(maxS, pc.pp.s)
    const O: PrePrepare[] = []
    const primary = this.primary(v)
    for (let s = minS + 1; s <= maxS; s++) {
      let best: PrePrepare | null = null
      for (const vc of V) for (const pc of vc.P) if (pc.pp.s === s && (best === null || pc.pp.v > best.v)) best = pc.pp
      O.push(best === null
        ? { t: 'pp', e: this.e, v, s, d: nullDigest(this.e, s), b: null, r: primary, sig: new Uint8Array(0) }
        : { t: 'pp', e: this.e, v, s, d: best.d, b: best.b, r: primary, sig: new Uint8Array(0) })
    }
    return O
  }

  private onNewView (from: string, nv: NewView): void {
    if (!this.authentic(from, nv.r, withoutSig(nv), nv.sig)) return
    if (nv.r !== this.primary(nv.v) || nv.v <= this.view) return
    const signers = new Set<string>()
    for (const vc of nv.V) {
      if (vc.v !== nv.v || !this.verifySig(vc.r, withoutSig(vc), vc.sig) || !this.validVC(vc)) return this.ctx.forged()
      signers.add(vc.r)
    }
    if (signers.size < this.q || nv.V.length !== signers.size) return this.ctx.forged()
    const expected = this.computeO(nv.v, nv.V)
    if (expected.length !== nv.O.length) return this.ctx.forged()
    for (let i = 0; i < expected.length; i++) {
      const a = expected[i]!
      const b = nv.O[i]!
      if (a.s !== b.s || a.v !== b.v || !equalBytes(a.d, b.d) || b.r !== nv.r || !this.verifySig(b.r, ppCore(b), b.sig)) return this.ctx.forged()
    }
    this.acceptNewView(nv)
  }

  private acceptNewView (nv: NewView): void {
    this.view = nv.v
    this.inViewChange = false
    this.vcAttempts = 0
    this.myVc = null
    this.lastNv = nv
    this.lastProgressTick = this.ticks
    for (const v of this.vcs.keys()) if (v <= nv.v) this.vcs.delete(v)
    for (const slot of this.slots.values()) {
      slot.pp = null
      slot.prepares.clear()
      slot.commits.clear()
      slot.valid = null
      slot.sentPrepare = false
      slot.sentCommit = false
    }
    // Adopt the freshest stable checkpoint the view-change messages prove.
    for (const vc of nv.V) {
      const c0 = vc.C[0]
      if (vc.h > this.stable.s && c0 !== undefined) {
        this.stable = { s: vc.h, bh: c0.bh, bb: c0.bb, proof: vc.C }
        for (const k of this.slots.keys()) if (k <= vc.h) this.slots.delete(k)
      }
    }
    if (this.stable.s > this.lastExec) {
      if (this.ctx.tip().height >= this.stable.bh) this.catchUpFromTip()
      else this.ctx.needBlocks(this.stable.bh, nv.r === this.ctx.self ? (this.stable.proof[0]?.r ?? nv.r) : nv.r)
    }
    for (const pp of nv.O) if (pp.s > this.lastExec && this.inWindow(pp.s)) this.slot(pp.s).pp = pp
    this.ctx.persist()
    this.ctx.notice({ type: 'view', view: nv.v, primary: nv.r })
    this.progress()
  }
}

// ---- strict decoding of PBFT messages ----

function sigOf (v: unknown, p: string): Uint8Array { return bytes(v, p, 1, 256) }
function member (v: unknown, p: string): string { return str(v, p, LIMITS.maxPeerIdLength) }
function epoch (v: unknown, p: string, e: number): number {
  const x = int(v, p)
  if (x !== e) throw new BetascoError('BAD_SHAPE', `${p}: message of configuration ${x}, expected ${e}`)
  return x
}

function checkPP (m: unknown, p: string, e?: number): PrePrepare {
  const o = record(m, p, ['t', 'e', 'v', 's', 'd', 'b', 'r', 'sig'])
  if (o.t !== 'pp') throw new BetascoError('BAD_SHAPE', `${p}.t: expected pp`)
  return {
    t: 'pp', e: e === undefined ? int(o.e, `${p}.e`) : epoch(o.e, `${p}.e`, e), v: int(o.v, `${p}.v`), s: int(o.s, `${p}.s`, 1),
    d: bytes(o.d, `${p}.d`, 32), b: o.b === null ? null : checkBlock(o.b, `${p}.b`), r: member(o.r, `${p}.r`), sig: sigOf(o.sig, `${p}.sig`),
  }
}

function checkVote (m: unknown, p: string, e?: number): Vote {
  const o = record(m, p, ['t', 'e', 'v', 's', 'd', 'r', 'sig'])
  if (o.t !== 'prep' && o.t !== 'com') throw new BetascoError('BAD_SHAPE', `${p}.t: expected prep or com`)
  return { t: o.t, e: e === undefined ? int(o.e, `${p}.e`) : epoch(o.e, `${p}.e`, e), v: int(o.v, `${p}.v`), s: int(o.s, `${p}.s`, 1), d: bytes(o.d, `${p}.d`, 32), r: member(o.r, `${p}.r`), sig: sigOf(o.sig, `${p}.sig`) }
}

function checkCkpt (m: unknown, p: string, e?: number): CheckpointVote {
  const o = record(m, p, ['t', 'e', 's', 'bh', 'bb', 'r', 'sig'])
  if (o.t !== 'ckpt') throw new BetascoError('BAD_SHAPE', `${p}.t: expected ckpt`)
  return { t: 'ckpt', e: e === undefined ? int(o.e, `${p}.e`) : epoch(o.e, `${p}.e`, e), s: int(o.s, `${p}.s`, 1), bh: int(o.bh, `${p}.bh`, -1), bb: bytes(o.bb, `${p}.bb`, 32), r: member(o.r, `${p}.r`), sig: sigOf(o.sig, `${p}.sig`) }
}

function checkPrepared (m: unknown, p: string, e?: number): PreparedCert {
  const o = record(m, p, ['pp', 'ps'])
  return { pp: checkPP(o.pp, `${p}.pp`, e), ps: list(o.ps, `${p}.ps`, LIMITS.maxShardMembers, (x, pp) => checkVote(x, pp, e)) }
}

function checkVC (m: unknown, p: string, e: number): ViewChange {
  const o = record(m, p, ['t', 'e', 'v', 'h', 'C', 'P', 'r', 'sig'])
  if (o.t !== 'vc') throw new BetascoError('BAD_SHAPE', `${p}.t: expected vc`)
  return {
    t: 'vc', e: epoch(o.e, `${p}.e`, e), v: int(o.v, `${p}.v`), h: int(o.h, `${p}.h`),
    C: list(o.C, `${p}.C`, LIMITS.maxShardMembers, (x, pp) => checkCkpt(x, pp, e)),
    P: list(o.P, `${p}.P`, 1024, (x, pp) => checkPrepared(x, pp, e)),
    r: member(o.r, `${p}.r`), sig: sigOf(o.sig, `${p}.sig`),
  }
}

function checkNV (m: unknown, p: string, e: number): NewView {
  const o = record(m, p, ['t', 'e', 'v', 'V', 'O', 'r', 'sig'])
  if (o.t !== 'nv') throw new BetascoError('BAD_SHAPE', `${p}.t: expected nv`)
  return {
    t: 'nv', e: epoch(o.e, `${p}.e`, e), v: int(o.v, `${p}.v`),
    V: list(o.V, `${p}.V`, LIMITS.maxShardMembers, (x, pp) => checkVC(x, pp, e)),
    O: list(o.O, `${p}.O`, 1024, (x, pp) => checkPP(x, pp, e)),
    r: member(o.r, `${p}.r`), sig: sigOf(o.sig, `${p}.sig`),
  }
}

/** A PBFT certificate: q distinct members' signed commits for this block's hash. */
export function verifyPbftCert (config: ShardConfig, verifier: Verifier, block: Block, cert: unknown): boolean {
  const c = record(cert, 'cert', ['k', 'e', 'v', 's', 'com'])
  if (c.k !== 'pbft' || c.e !== block.header.configVersion) return false
  const e = int(c.e, 'cert.e')
  const v = int(c.v, 'cert.v')
  const s = int(c.s, 'cert.s', 1)
  const d = blockHash(block.header)
  const members = new Set(config.members.map((m) => m.peerId))
  const signers = new Set<string>()
  for (const x of list(c.com, 'cert.com', LIMITS.maxShardMembers, (y, p) => record(y, p, ['r', 'sig']))) {
    const r = member(x.r, 'cert.com.r')
    if (!members.has(r) || signers.has(r)) return false
    if (!verifier.verify(r, encode({ t: 'com', e, v, s, d, r }), sigOf(x.sig, 'cert.com.sig'))) return false
    signers.add(r)
  }
  return signers.size >= pbftQuorum(config.members.length)
}

export const pbftCodec = { checkPP, checkVote, checkCkpt, checkVC, checkNV, ppCore, voteCore, ckptCore, withoutSig, nullDigest }
