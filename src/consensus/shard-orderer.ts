// The Orderer of one shard: runs the consensus engine of the current configuration epoch,
// keeps the committed chain gap-free and fork-free, switches engines at the block that ends
// an epoch (consensus switch or membership change), and lets lagging members catch up by
// fetching certified blocks from peers. Pure: no clock, timer, socket or disk in here.
import { blockHash, checkLink, ZERO_HASH, type Block, type CommittedBlock } from '../core/block.ts'
import { equalBytes } from '../core/bytes.ts'
import { decode, encode, type Canonical } from '../core/encoding.ts'
import { BetascoError, invariant } from '../core/errors.ts'
import { int, list, record } from '../core/shape.ts'
import { checkShardConfig, type ConsensusKind, type ShardConfig } from '../core/shard-config.ts'
import type { Envelope } from '../core/transaction.ts'
import { checkBlockCached as checkBlock, txIdOf as txId } from './tx-id.ts'
import { endsEpoch, nextConfig } from './config-change.ts'
import type { ChainTip, Engine, EngineContext } from './engine.ts'
import {
  DEFAULT_PARAMS, type Notice, type Orderer, type OrdererComponents, type OrdererCounters, type OrdererInput,
  type OrdererParams, type OrdererStatus, type OutMessage, type Ready, type Restored,
} from './orderer.ts'
import { PbftEngine, verifyPbftCert } from './pbft/pbft.ts'
import { RaftEngine, verifyRaftCert } from './raft/raft.ts'
import { SoloEngine, verifySoloCert } from './solo/solo.ts'
import type { Signer, Verifier } from './signer.ts'
import { TxPool } from './tx-pool.ts'

/** Largest encoded protocol message accepted from a peer. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024
const MAX_BUFFERED_BLOCKS = 256

type CertVerifier = (config: ShardConfig, verifier: Verifier, block: Block, cert: unknown) => boolean
const CERT_VERIFIERS: Record<ConsensusKind, CertVerifier> = { solo: verifySoloCert, raft: verifyRaftCert, pbft: verifyPbftCert }

/**
 * The message a member sends to tell another node how far the shard's chain is (epoch and
 * height): the receiver fetches the blocks it lacks. The shard layer sends it to members a
 * configuration removed, so they learn of their removal even if they missed that block.
 */
export function tipMessage (epoch: number, height: number): Uint8Array {
  return encode({ e: epoch, m: { t: 'tip', h: height } })
}

/**
 * The `blocks` message a driver sends in answer to a `fetch-ledger` notice: committed blocks
 * read from its ledger, from the height asked for, in order. The receiver checks each block's
 * certificate as it would a block from memory.
 */
export function ledgerBlocksMessage (epoch: number, blocks: CommittedBlock[]): Uint8Array {
  return encode({ e: epoch, m: { t: 'blocks', b: fetchBatch(blocks) as unknown as Canonical } })
}

/** The leading blocks that fit one message (half its limit; always the first block). */
function fetchBatch (blocks: CommittedBlock[]): CommittedBlock[] {
  let bytes = 0
  for (let i = 0; i < blocks.length; i++) {
    bytes += encode(blocks[i] as unknown as Canonical).length
    if (bytes > MAX_MESSAGE_BYTES / 2 && i > 0) return blocks.slice(0, i)
  }
  return blocks
}

export function createOrderer (config: ShardConfig, components: OrdererComponents, restored?: Restored): Orderer {
  return new ShardOrderer(config, components, restored)
}

/** Verifies a committed block's certificate against the configuration it was ordered under. */
export function verifyCommittedBlock (config: ShardConfig, verifier: Verifier, cb: CommittedBlock): boolean {
  if (cb.block.header.configVersion !== config.version) return false
  try {
    return CERT_VERIFIERS[config.consensus](config, verifier, cb.block, cb.cert)
  } catch {
    return false
  }
}

class ShardOrderer implements Orderer {
  readonly self: string
  private cfg: ShardConfig
  private readonly params: OrdererParams
  private readonly signer: Signer
  private readonly verifier: Verifier
  private readonly seed: number
  private readonly checkTxFn: (tx: Envelope) => boolean
  private readonly pool: TxPool
  private engine: Engine | null = null
  private tipNow: ChainTip = { height: -1, hash: ZERO_HASH, timeMs: 0 }
  private durable: ChainTip = this.tipNow
  /** Recently committed blocks (the last `retainBlocks`), to serve peers that lag. */
  private window: CommittedBlock[] = []
  private readonly committedIds = new Set<string>()
  private readonly committedOrder: string[] = []
  private readonly buffered = new Map<number, CommittedBlock>()
  private fetchTarget = -1
  private fetchPeer: string | null = null
  private fetchAskedTick = -Infinity
  private ticks = 0
  private readonly lastTipReply = new Map<string, number>()
  private dirty = true
  private out: Ready = { hardState: null, committed: [], messages: [], notices: [] }
  private readonly counters: OrdererCounters = { malformed: 0, forged: 0, staleEpoch: 0, refused: 0, blocksFetched: 0, viewChanges: 0, elections: 0 }

  constructor (config: ShardConfig, components: OrdererComponents, restored?: Restored) {
    this.cfg = checkShardConfig(config)
    this.params = { ...DEFAULT_PARAMS, ...components.params }
    this.signer = components.signer
    this.self = components.signer.id
    this.verifier = components.verifier
    this.seed = components.seed
    this.checkTxFn = components.checkTx ?? (() => true)
    this.pool = new TxPool(this.params.maxPoolTxs)
    let engineHard: unknown = null
    if (restored !== undefined) {
      for (const cb of restored.blocks.slice(-this.params.retainBlocks)) this.remember(cb)
      const last = this.window[this.window.length - 1]
      if (last !== undefined) this.tipNow = this.durable = { height: last.block.header.height, hash: blockHash(last.block.header), timeMs: last.block.header.timeMs }
      if (restored.hardState !== null) {
        const h = record(restored.hardState, 'hardState', ['config', 'engine'])
        this.cfg = checkShardConfig(h.config)
        engineHard = h.engine
      }
      if (last !== undefined && endsEpoch(last.block) && last.block.header.configVersion === this.cfg.version) {
        this.cfg = nextConfig(this.cfg, last.block)
        engineHard = null
      }
    }
    this.startEngine(engineHard)
  }

  kind (): ConsensusKind { return this.cfg.consensus }
  config (): ShardConfig { return this.cfg }

  step (input: OrdererInput): void {
    switch (input.type) {
      case 'tick': return this.onTick(input.nowMs)
      case 'message': return this.onMessage(input.from, input.data)
      case 'submit': return this.onSubmit(input.tx)
    }
  }

  ready (): Ready {
    if (this.dirty) {
      this.out.hardState = { config: this.cfg as unknown as Canonical, engine: this.engine?.hardState() ?? null }
      this.dirty = false
    }
    const r = this.out
    this.out = { hardState: null, committed: [], messages: [], notices: [] }
    // Once the driver asks again, everything handed out up to now is durable.
    this.durable = this.tipNow
    return r
  }

  status (): OrdererStatus {
    return {
      kind: this.cfg.consensus,
      self: this.self,
      configVersion: this.cfg.version,
      member: this.engine !== null,
      height: this.tipNow.height,
      leader: this.engine?.leader() ?? null,
      term: this.engine?.term() ?? 0,
      pendingTxs: this.pool.size,
      counters: { ...this.counters },
    }
  }

  private startEngine (hard: unknown): void {
    this.engine = null
    if (!this.cfg.members.some((m) => m.peerId === this.self)) return
    const ctx = this.context()
    const kind = this.cfg.consensus
    this.engine = kind === 'solo' ? new SoloEngine(ctx, hard) : kind === 'raft' ? new RaftEngine(ctx, hard) : new PbftEngine(ctx, hard)
    // Transactions waiting from the previous epoch are proposed again under the new one.
    for (const p of this.pool.all()) this.engine.onSubmit(p.env, p.id)
  }

  private context (): EngineContext {
    const epoch = this.cfg.version
    const live = (): boolean => this.cfg.version === epoch
    return {
      self: this.self,
      config: this.cfg,
      params: this.params,
      signer: this.signer,
      verifier: this.verifier,
      seed: this.seed,
      pool: this.pool,
      tip: () => this.tipNow,
      durableTip: () => this.durable,
      tipCert: () => this.window[this.window.length - 1]?.cert ?? null,
      blockAt: (height) => {
        const first = this.window[0]
        return first === undefined ? undefined : this.window[height - first.block.header.height]
      },
      isCommitted: (id) => this.committedIds.has(id),
      checkTx: (tx) => this.checkTxFn(tx),
      send: (to, m) => { if (live() && to !== this.self) this.out.messages.push({ to, data: this.frame(epoch, m) }) },
      broadcast: (m) => { if (live()) this.broadcastFrame(this.frame(epoch, m)) },
      commit: (block, cert) => { if (live()) this.onEngineCommit(block, cert) },
      needBlocks: (height, peer) => { if (live()) this.requestBlocks(height, peer) },
      notice: (n) => {
        if (!live()) return
        if (n.type === 'view') this.counters.viewChanges++
        if (n.type === 'leader') this.counters.elections++
        this.out.notices.push(n)
      },
      persist: () => { if (live()) this.dirty = true },
      forged: () => { this.counters.forged++ },
    }
  }

  private frame (epoch: number, m: Canonical): Uint8Array {
    return encode({ e: epoch, m })
  }

  private broadcastFrame (data: Uint8Array): void {
    for (const m of this.cfg.members) if (m.peerId !== this.self) this.out.messages.push({ to: m.peerId, data })
  }

  private onTick (nowMs: number): void {
    this.ticks++
    this.engine?.tick(nowMs)
    if (this.ticks % this.params.tipGossipTicks === 0) this.broadcastFrame(this.frame(this.cfg.version, { t: 'tip', h: this.tipNow.height }))
    if (this.fetchTarget > this.tipNow.height && this.ticks - this.fetchAskedTick >= this.params.heartbeatTicks * 4) {
      // No answer in time: ask another member, round robin.
      const others = this.cfg.members.map((m) => m.peerId).filter((p) => p !== this.self)
      if (others.length > 0) {
        const i = this.fetchPeer === null ? 0 : (others.indexOf(this.fetchPeer) + 1) % others.length
        this.fetchPeer = others[i] ?? null
        this.askBlocks()
      }
    }
  }

  private onSubmit (tx: Envelope): void {
    const id = txId(tx.tx)
    if (this.committedIds.has(id)) return
    if (this.engine === null) return this.refuse(id, 'NOT_MEMBER', `this node is not a member of shard ${this.cfg.contract.slice(0, 8)} (configuration ${this.cfg.version}); submit to a member`)
    const added = this.pool.add(tx, id)
    if (added === 'full') return this.refuse(id, 'QUEUE_FULL', `${this.pool.size} transactions are pending in this shard; retry later`)
    if (added === 'added') this.engine.onSubmit(tx, id)
  }

  private refuse (txId: string, code: 'NOT_MEMBER' | 'QUEUE_FULL', message: string): void {
    this.counters.refused++
    this.out.notices.push({ type: 'refused', txId, code, message })
  }

  private onMessage (from: string, data: Uint8Array): void {
    let e: number
    let m: Record<string, unknown>
    try {
      const f = record(decode(data, MAX_MESSAGE_BYTES), 'frame', ['e', 'm'])
      e = int(f.e, 'frame.e')
      m = message(f.m)
    } catch (err) {
      return this.drop(from, err)
    }
    try {
      if (m.t === 'tip') return this.onTip(from, e, int(m.h, 'tip.h', -1))
      if (m.t === 'fetch') return this.onFetch(from, int(m.h, 'fetch.h'))
      if (m.t === 'blocks') return this.onBlocks(from, m.b)
      if (e !== this.cfg.version || this.engine === null) {
        this.counters.staleEpoch++
        if (e < this.cfg.version) this.replyTip(from)
        else if (e > this.cfg.version) this.requestBlocks(this.tipNow.height + 1, from)
        return
      }
      this.engine.onMessage(from, m)
    } catch (err) {
      this.drop(from, err)
    }
  }

  private drop (from: string, err: unknown): void {
    if (!(err instanceof BetascoError) || err.code === 'INTERNAL') throw err
    this.counters.malformed++
    this.out.notices.push({ type: 'dropped', from, reason: `${err.code}: ${err.message}` })
  }

  private replyTip (to: string): void {
    const last = this.lastTipReply.get(to) ?? -Infinity
    if (this.ticks - last < this.params.heartbeatTicks) return
    this.lastTipReply.set(to, this.ticks)
    this.out.messages.push({ to, data: this.frame(this.cfg.version, { t: 'tip', h: this.tipNow.height }) })
  }

  private onTip (from: string, epoch: number, height: number): void {
    if (height > this.tipNow.height || epoch > this.cfg.version) this.requestBlocks(Math.max(height, this.tipNow.height + 1), from)
    else if (height < this.tipNow.height) this.replyTip(from)
  }

  private requestBlocks (height: number, peer: string): void {
    if (height <= this.tipNow.height) return
    const fresh = height > this.fetchTarget
    this.fetchTarget = Math.max(this.fetchTarget, height)
    if (fresh || this.fetchPeer === null) {
      this.fetchPeer = peer
      if (this.ticks - this.fetchAskedTick >= this.params.heartbeatTicks) this.askBlocks()
    }
  }

  private askBlocks (): void {
    if (this.fetchPeer === null) return
    this.fetchAskedTick = this.ticks
    this.out.messages.push({ to: this.fetchPeer, data: this.frame(this.cfg.version, { t: 'fetch', h: this.tipNow.height + 1 }) })
  }

  private onFetch (from: string, height: number): void {
    if (height > this.tipNow.height) return
    const first = this.window[0]
    const start = first === undefined ? -1 : height - first.block.header.height
    if (start < 0) { // older than what we keep: the driver serves it from its ledger
      this.out.notices.push({ type: 'fetch-ledger', from, height })
      return
    }
    const blocks = fetchBatch(this.window.slice(start, start + this.params.maxBlocksPerFetch))
    this.out.messages.push({ to: from, data: this.frame(this.cfg.version, { t: 'blocks', b: blocks as unknown as Canonical }) })
  }

  private onBlocks (from: string, raw: unknown): void {
    const items = list(raw, 'blocks.b', this.params.maxBlocksPerFetch, (x, p) => {
      const o = record(x, p, ['block', 'cert'])
      return { block: checkBlock(o.block, `${p}.block`), cert: o.cert as Canonical }
    })
    let advanced = false
    for (const cb of items) {
      const h = cb.block.header.height
      if (h <= this.tipNow.height) continue
      if (h !== this.tipNow.height + 1) break
      if (!verifyCommittedBlock(this.cfg, this.verifier, cb)) {
        this.counters.forged++
        this.out.notices.push({ type: 'dropped', from, reason: `block ${h} does not carry a valid certificate for configuration ${this.cfg.version}` })
        break
      }
      this.counters.blocksFetched++
      this.append(cb)
      advanced = true
    }
    if (advanced) {
      this.engine?.onTipAdvanced()
      this.drainBuffered()
      if (this.fetchTarget > this.tipNow.height) { this.fetchPeer = from; this.askBlocks() }
    }
  }

  private onEngineCommit (block: Block, cert: Canonical): void {
    const h = block.header.height
    if (h <= this.tipNow.height) {
      const mine = this.window.find((cb) => cb.block.header.height === h)
      invariant(mine === undefined || equalBytes(blockHash(mine.block.header), blockHash(block.header)), `engine committed a different block at height ${h}`)
      return
    }
    if (h > this.tipNow.height + 1) {
      if (this.buffered.size < MAX_BUFFERED_BLOCKS) this.buffered.set(h, { block, cert })
      return
    }
    this.append({ block, cert })
    this.drainBuffered()
  }

  private drainBuffered (): void {
    for (;;) {
      const next = this.buffered.get(this.tipNow.height + 1)
      if (next === undefined) break
      this.buffered.delete(this.tipNow.height + 1)
      this.append(next)
    }
    for (const h of this.buffered.keys()) if (h <= this.tipNow.height) this.buffered.delete(h)
  }

  private append (cb: CommittedBlock): void {
    const header = cb.block.header
    if (this.tipNow.height >= 0) {
      invariant(header.height === this.tipNow.height + 1 && equalBytes(header.prev, this.tipNow.hash), `block ${header.height} does not extend the chain tip ${this.tipNow.height}`)
      const prev = this.window[this.window.length - 1]
      if (prev !== undefined) checkLink(prev.block.header, header)
    }
    invariant(header.configVersion === this.cfg.version, `block ${header.height} has configuration ${header.configVersion}, expected ${this.cfg.version}`)
    for (const e of cb.block.txs) invariant(!this.committedIds.has(txId(e.tx)), `transaction committed twice at height ${header.height}`)
    this.remember(cb)
    this.tipNow = { height: header.height, hash: blockHash(header), timeMs: header.timeMs }
    this.out.committed.push(cb)
    this.dirty = true
    for (const e of cb.block.txs) this.pool.remove(txId(e.tx))
    if (endsEpoch(cb.block)) {
      this.cfg = nextConfig(this.cfg, cb.block)
      this.buffered.clear()
      this.out.notices.push({ type: 'config', config: this.cfg })
      this.startEngine(null)
    }
  }

  private remember (cb: CommittedBlock): void {
    this.window.push(cb)
    if (this.window.length > this.params.retainBlocks) this.window.splice(0, this.window.length - this.params.retainBlocks)
    for (const e of cb.block.txs) {
      const id = txId(e.tx)
      this.committedIds.add(id)
      this.committedOrder.push(id)
    }
    if (this.committedOrder.length > this.params.maxRememberedTxs) {
      for (const id of this.committedOrder.splice(0, this.committedOrder.length - this.params.maxRememberedTxs)) this.committedIds.delete(id)
    }
  }
}

/** A protocol message: a map with a string `t`; its other fields are checked by whoever handles `t`. */
function message (v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw new BetascoError('BAD_SHAPE', 'frame.m: expected a map')
  const m = v as Record<string, unknown>
  if (typeof m.t !== 'string') throw new BetascoError('BAD_SHAPE', 'frame.m.t: expected a string')
  return m
}

export type { OutMessage, Notice }
