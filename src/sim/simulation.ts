// Deterministic simulation of one shard (TigerBeetle's VOPR, FoundationDB's simulator): the
// real orderers run over a virtual network and clock driven by one seed, with drops,
// duplicates, reordering, delays, partitions that heal, crashes with restart from the
// persisted "disk", and (PBFT) Byzantine members. Invariants are checked after every step.
import { blockHash, makeBlock, type CommittedBlock } from '../core/block.ts'
import { equalBytes, toHex } from '../core/bytes.ts'
import { decode, type Canonical } from '../core/encoding.ts'
import { sha256 } from '../core/hash.ts'
import { isContractIssued, type Envelope, type TxBody } from '../core/transaction.ts'
import type { ConsensusKind, ShardConfig } from '../core/shard-config.ts'
import { createOrderer } from '../consensus/shard-orderer.ts'
import type { Orderer, OrdererParams, OutMessage, Ready } from '../consensus/orderer.ts'
import { deriveSeed, Prng } from '../consensus/prng.ts'
import { keyedHashSigners, type Signer, type Verifier } from '../consensus/signer.ts'
import { txIdOf } from '../consensus/tx-id.ts'
import { concatBytes, utf8 } from '../core/bytes.ts'
import { ByzantineActor, BYZANTINE_BEHAVIOURS, type ByzantineBehaviour } from './byzantine.ts'
import { EventQueue } from './event-queue.ts'
import { DEFAULT_RATES, zeroFaults, type FaultCounts, type FaultRates } from './faults.ts'

export interface SimOptions {
  consensus: 'raft' | 'pbft'
  seed: number
  /** Members; default raft 3..5, pbft 4..7, chosen by the seed. */
  nodes?: number
  txs?: number
  /** Faults are injected until this virtual time; then partitions heal and crashed nodes restart. */
  healAtMs?: number
  /** Every submitted transaction must be committed by healAtMs + livenessBoundMs. */
  livenessBoundMs?: number
  rates?: Partial<FaultRates>
  /** Submit a switchConsensus config transaction mid-run (default: on one seed in four). */
  switchConsensus?: boolean
  params?: Partial<OrdererParams>
  traceLength?: number
  /**
   * Add a spare node as a member, then (once that is committed) remove one of the original
   * members, through config transactions under faults (default: on one seed in four).
   */
  membership?: boolean
  /**
   * Mutation checks of the simulator itself, which must make runs fail (tests prove the
   * invariant checks bite): 'fork' has the driver swap the block the last member commits at
   * height 1 for a different one; 'forget-hard-state' restarts members without their hard
   * state (term, vote, log forgotten, blocks kept), a driver bug Raft cannot survive.
   */
  sabotage?: 'fork' | 'forget-hard-state'
  /** PBFT: Byzantine members (default f, the most the protocol tolerates; more is for demonstrating violations). */
  byzantine?: number
}

export interface Violation {
  invariant: 'agreement' | 'validity' | 'at-most-once' | 'durability' | 'chain' | 'lanes' | 'liveness' | 'crash'
  message: string
  node?: string
}

export interface SimResult {
  seed: number
  consensus: ConsensusKind
  nodes: number
  byzantine: number
  ok: boolean
  violation: Violation | null
  trace: string[]
  /** Highest committed height + 1 (blocks ordered). */
  blocks: number
  txsSubmitted: number
  txsCommitted: number
  faults: FaultCounts
  /** Rejections honest members counted: malformed and forged messages they dropped. */
  observed: { malformed: number, forged: number, viewChanges: number, elections: number, blocksFetched: number, switches: number }
  virtualMs: number
  steps: number
  repro: string
  /** The configuration of the honest member that got furthest (shows switches and member changes). */
  finalConfig: { version: number, consensus: ConsensusKind, members: string[] } | null
}

export const SIM_PARAMS: Partial<OrdererParams> = {
  tickMs: 10, electionTicks: 10, heartbeatTicks: 2, viewChangeTicks: 30, checkpointPeriod: 4,
  snapshotEntries: 8, maxTxsPerBlock: 8, tipGossipTicks: 20, maxInFlightBatches: 4,
}

type Event =
  | { type: 'tick', node: number }
  | { type: 'deliver', to: number, from: string, data: Uint8Array }
  | { type: 'submit', tx: number }
  | { type: 'restart', node: number }
  | { type: 'heal' }
  | { type: 'chaos' }

interface SimNode {
  id: string
  orderer: Orderer | null
  disk: { hard: Canonical | null, blocks: CommittedBlock[] }
  byz: ByzantineActor | null
  crashes: number
}

class SimulationFailed extends Error {
  readonly violation: Violation
  constructor (v: Violation) { super(v.message); this.violation = v }
}

export function reproCommand (consensus: string, seed: number): string {
  return `npm run sim -- --consensus ${consensus} --seeds 1 --seed-base ${seed}`
}

export function runSimulation (opts: SimOptions): SimResult {
  const sim = new Simulation(opts)
  return sim.run()
}

class Simulation {
  private readonly opts: SimOptions
  private readonly rng: Prng
  private readonly rates: FaultRates
  private readonly queue = new EventQueue<Event>()
  private readonly nodes: SimNode[] = []
  private readonly config: ShardConfig
  private readonly signers: Map<string, Signer>
  private readonly verifier: Verifier
  private readonly params: Partial<OrdererParams>
  private readonly faults = zeroFaults()
  private readonly healAtMs: number
  private readonly deadlineMs: number
  private readonly clientKey: Uint8Array
  private now = 0
  private steps = 0
  private partition: Set<number> | null = null
  private readonly txs: Envelope[] = []
  private readonly txIds: string[] = []
  private readonly submitted = new Set<string>()
  /** height → block hash, as first committed by an honest member. */
  private readonly chain = new Map<number, Uint8Array>()
  /** tx ID → height where honest members committed it. */
  private readonly committedAt = new Map<string, number>()
  private readonly trace: string[] = []
  private readonly traceLength: number
  private switches = 0
  private addMemberTx = -1
  private removeMemberTx = -1

  constructor (opts: SimOptions) {
    this.opts = opts
    this.rng = new Prng(deriveSeed(opts.seed, `sim/${opts.consensus}`))
    this.rates = { ...DEFAULT_RATES, ...opts.rates }
    this.traceLength = opts.traceLength ?? 30
    const n = opts.nodes ?? (opts.consensus === 'raft' ? 3 + this.rng.below(3) : 4 + this.rng.below(4))
    const doMembership = opts.membership ?? (opts.seed % 4 === 2)
    // The spare node (last) starts outside the shard; it joins through an addMember transaction.
    const ids = Array.from({ length: doMembership ? n + 1 : n }, (_, i) => `n${i}`)
    const contract = toHex(sha256(utf8.encode(`sim-contract-${opts.seed}`)))
    this.config = {
      v: 1, contract, version: 0, fromHeight: 0, consensus: opts.consensus, shardSize: n,
      members: ids.slice(0, n).map((peerId, i) => ({ peerId, org: `org${i % 3}` })), gasLimit: 1_000_000, checkpointInterval: 10, codeHash: new Uint8Array(32),
    }
    const keys = keyedHashSigners(ids, opts.seed)
    this.signers = keys.signers
    this.verifier = keys.verifier
    this.clientKey = sha256(utf8.encode(`sim-client-${opts.seed}`))
    this.params = { ...SIM_PARAMS, ...opts.params }
    this.healAtMs = opts.healAtMs ?? 1500 + this.rng.below(1500)
    this.deadlineMs = this.healAtMs + (opts.livenessBoundMs ?? (opts.consensus === 'pbft' ? 20_000 : 8_000))
    const f = Math.floor((n - 1) / 3)
    const byzantine = new Set<number>()
    const byzTarget = opts.consensus === 'pbft' ? Math.min(n, opts.byzantine ?? f) : 0
    if (byzTarget > 0 && this.rng.chance(0.5)) byzantine.add(0) // often the first primary
    while (byzantine.size < byzTarget) byzantine.add(this.rng.below(n))
    for (let i = 0; i < ids.length; i++) {
      let byz: ByzantineActor | null = null
      if (byzantine.has(i)) {
        const behaviours = BYZANTINE_BEHAVIOURS.filter(() => this.rng.chance(0.6))
        if (behaviours.length === 0) behaviours.push(BYZANTINE_BEHAVIOURS[this.rng.below(BYZANTINE_BEHAVIOURS.length)]!)
        byz = new ByzantineActor(ids[i]!, ids, contract, behaviours as ByzantineBehaviour[], this.signers.get(ids[i]!)!, new Prng(deriveSeed(opts.seed, `byz/${i}`)), this.faults)
      }
      this.nodes.push({ id: ids[i]!, orderer: null, disk: { hard: null, blocks: [] }, byz, crashes: 0 })
      this.start(i)
      this.queue.push(1 + this.rng.below(this.tickMs()), { type: 'tick', node: i })
    }
    const txCount = opts.txs ?? 15 + this.rng.below(25)
    const doSwitch = opts.switchConsensus ?? (opts.seed % 4 === 3)
    const switchAt = doSwitch ? this.rng.below(txCount) : -1
    for (let i = 0; i < txCount; i++) {
      const env = i === switchAt ? this.makeSwitchTx(i) : this.makeTx(i)
      this.txs.push(env)
      this.txIds.push(txIdOf(env.tx))
      this.queue.push(this.rng.below(this.healAtMs), { type: 'submit', tx: i })
    }
    if (doMembership) {
      const spare = ids[n]!
      const removed = ids[this.rng.below(n)]!
      this.addMemberTx = this.txs.length
      this.removeMemberTx = this.txs.length + 1
      for (const env of [this.makeConfigTx(txCount, 'addMember', { peerId: spare, org: 'org-spare' }), this.makeConfigTx(txCount + 1, 'removeMember', { peerId: removed })]) {
        this.queue.push(this.rng.below(this.healAtMs), { type: 'submit', tx: this.txs.length })
        this.txs.push(env)
        this.txIds.push(txIdOf(env.tx))
      }
    }
    this.queue.push(this.healAtMs, { type: 'heal' })
    for (let t = 100; t < this.healAtMs; t += 100) this.queue.push(t, { type: 'chaos' })
  }

  private tickMs (): number { return this.params.tickMs ?? 10 }

  private byzCount (): number { return this.nodes.filter((n) => n.byz !== null).length }

  private sign (id: string): Uint8Array { return sha256(concatBytes(this.clientKey, utf8.encode(id))) }

  private checkTx = (env: Envelope): boolean => {
    const p = env.proofs[0]
    return p !== undefined && equalBytes(p.sig, this.sign(txIdOf(env.tx)))
  }

  private makeTx (i: number): Envelope {
    const priority = this.rng.chance(0.3)
    const tx: TxBody = {
      v: 1, network: 'a'.repeat(64), kind: priority ? 'call' : 'invoke', contract: this.config.contract, method: 'call',
      arg: { i }, nonce: `${this.opts.seed}-${i}`, from: 'c'.repeat(64),
    }
    if (priority) tx.origin = { contract: 'd'.repeat(64), txId: 'e'.repeat(64), index: i % 64 }
    return { tx, proofs: [{ cert: new Uint8Array([1]), sig: this.sign(txIdOf(tx)) }] }
  }

  private makeConfigTx (i: number, method: 'addMember' | 'removeMember', arg: { peerId: string, org?: string }): Envelope {
    const tx: TxBody = { v: 1, network: 'a'.repeat(64), kind: 'config', contract: this.config.contract, method, arg, nonce: `${this.opts.seed}-${i}`, from: 'c'.repeat(64) }
    return { tx, proofs: [{ cert: new Uint8Array([1]), sig: this.sign(txIdOf(tx)) }] }
  }

  private makeSwitchTx (i: number): Envelope {
    const to = this.opts.consensus === 'raft' ? 'pbft' : 'raft'
    const tx: TxBody = {
      v: 1, network: 'a'.repeat(64), kind: 'config', contract: this.config.contract, method: 'switchConsensus',
      arg: { consensus: to }, nonce: `${this.opts.seed}-${i}`, from: 'c'.repeat(64),
    }
    return { tx, proofs: [{ cert: new Uint8Array([1]), sig: this.sign(txIdOf(tx)) }] }
  }

  private start (i: number): void {
    const node = this.nodes[i]!
    node.orderer = createOrderer(this.config, {
      signer: this.signers.get(node.id)!, verifier: this.verifier, seed: this.opts.seed, checkTx: this.checkTx, params: this.params,
    }, { hardState: this.opts.sabotage === 'forget-hard-state' ? null : node.disk.hard, blocks: node.disk.blocks.slice(-1024) })
    const last = node.disk.blocks[node.disk.blocks.length - 1]
    const h = node.orderer.status().height
    if (h !== (last?.block.header.height ?? -1)) {
      this.fail({ invariant: 'durability', node: node.id, message: `${node.id} restarted at height ${h} but its disk holds blocks up to ${last?.block.header.height ?? -1}` })
    }
  }

  private log (line: string): void {
    this.trace.push(`t=${this.now} ${line}`)
    if (this.trace.length > this.traceLength) this.trace.shift()
  }

  private fail (v: Violation): never { throw new SimulationFailed(v) }

  run (): SimResult {
    let violation: Violation | null = null
    try {
      this.loop()
    } catch (err) {
      if (err instanceof SimulationFailed) violation = err.violation
      else violation = { invariant: 'crash', message: `orderer threw: ${(err as Error).stack ?? String(err)}` }
      this.log(`VIOLATION ${violation.invariant}: ${violation.message.split('\n')[0]}`)
    }
    const honest = this.nodes.filter((n) => n.byz === null)
    const sum = (f: (c: NonNullable<ReturnType<Orderer['status']>>['counters']) => number): number => honest.reduce((a, n) => a + (n.orderer === null ? 0 : f(n.orderer.status().counters)), 0)
    return {
      seed: this.opts.seed,
      consensus: this.opts.consensus,
      nodes: this.nodes.length,
      byzantine: this.byzCount(),
      ok: violation === null,
      violation,
      trace: this.trace.slice(),
      blocks: this.chain.size,
      txsSubmitted: this.submitted.size,
      txsCommitted: this.committedAt.size,
      faults: { ...this.faults },
      observed: {
        malformed: sum((c) => c.malformed), forged: sum((c) => c.forged), viewChanges: sum((c) => c.viewChanges),
        elections: sum((c) => c.elections), blocksFetched: sum((c) => c.blocksFetched), switches: this.switches,
      },
      virtualMs: this.now,
      steps: this.steps,
      repro: reproCommand(this.opts.consensus, this.opts.seed),
      finalConfig: this.finalConfig(),
    }
  }

  private finalConfig (): SimResult['finalConfig'] {
    let best: SimNode | undefined
    for (const n of this.nodes) if (n.byz === null && n.orderer !== null && (best === undefined || n.disk.blocks.length > best.disk.blocks.length)) best = n
    const c = best?.orderer?.config()
    return c === undefined ? null : { version: c.version, consensus: c.consensus, members: c.members.map((m) => m.peerId) }
  }

  private loop (): void {
    for (let guard = 0; guard < 5_000_000; guard++) {
      const item = this.queue.pop()
      if (item === undefined) break
      this.now = item.at
      if (this.now > this.deadlineMs) { this.checkLiveness(true); return }
      this.steps++
      this.handle(item.event)
      if (this.now >= this.healAtMs && this.steps % 64 === 0 && this.checkLiveness(false)) return
    }
    this.checkLiveness(true)
  }

  private handle (ev: Event): void {
    switch (ev.type) {
      case 'tick': {
        const node = this.nodes[ev.node]!
        this.queue.push(this.now + this.tickMs(), ev)
        if (node.orderer === null) return
        this.stepNode(ev.node, { type: 'tick', nowMs: this.now })
        if (node.byz !== null) for (const m of node.byz.onTick()) this.send(ev.node, m)
        return
      }
      case 'deliver': {
        const node = this.nodes[ev.to]!
        if (node.orderer === null) return
        node.byz?.observe({ to: ev.from, data: ev.data })
        this.log(`${ev.from}→${node.id} ${describe(ev.data)}`)
        this.stepNode(ev.to, { type: 'message', from: ev.from, data: ev.data })
        return
      }
      case 'submit': {
        const id = this.txIds[ev.tx]!
        if (this.committedAt.has(id)) return
        if (ev.tx === this.removeMemberTx && !this.committedAt.has(this.txIds[this.addMemberTx]!)) {
          // One member change at a time, and never below the size the faults were sized for.
          this.queue.push(this.now + 100, ev)
          return
        }
        // The client retries until its transaction is committed, each time at a random live member.
        this.queue.push(this.now + 300 + this.rng.below(300), ev)
        const up = this.nodes.map((n, i) => i).filter((i) => this.nodes[i]!.orderer !== null && this.nodes[i]!.byz === null)
        if (up.length === 0) return
        const i = up[this.rng.below(up.length)]!
        this.submitted.add(id)
        this.log(`client→${this.nodes[i]!.id} submit ${id.slice(0, 8)}`)
        this.stepNode(i, { type: 'submit', tx: this.txs[ev.tx]! })
        return
      }
      case 'restart': {
        const node = this.nodes[ev.node]!
        if (node.orderer !== null) return
        this.faults.restart++
        this.log(`${node.id} restarts from disk (height ${node.disk.blocks.length - 1})`)
        this.start(ev.node)
        return
      }
      case 'heal': {
        this.partition = null
        this.log('faults stop: partitions heal, crashed members restart')
        this.nodes.forEach((n, i) => { if (n.orderer === null) this.queue.push(this.now + 1, { type: 'restart', node: i }) })
        return
      }
      case 'chaos': return this.chaos()
    }
  }

  private chaos (): void {
    const n = this.nodes.length
    if (this.partition === null && this.rng.chance(this.rates.partition)) {
      const side = new Set<number>()
      for (let i = 0; i < n; i++) if (this.rng.chance(0.5)) side.add(i)
      if (side.size > 0 && side.size < n) {
        this.partition = side
        this.faults.partition++
        this.log(`partition {${[...side].map((i) => this.nodes[i]!.id).join(',')}} | rest`)
      }
    } else if (this.partition !== null && this.rng.chance(0.3)) {
      this.partition = null
      this.log('partition heals')
    }
    const crashed = this.nodes.filter((x) => x.orderer === null).length
    // Sized for the initial shard (a membership change adds one member before it removes one).
    const k = this.config.members.length
    const maxDown = this.opts.consensus === 'raft' ? Math.floor((k - 1) / 2) : Math.max(1, Math.floor((k - 1) / 3))
    if (crashed < maxDown && this.rng.chance(this.rates.crash)) {
      const i = this.rng.below(n)
      const node = this.nodes[i]!
      if (node.orderer !== null) {
        node.orderer = null
        node.crashes++
        this.faults.crash++
        this.log(`${node.id} crashes`)
        const back = this.now + 50 + this.rng.below(600)
        if (back < this.healAtMs) this.queue.push(back, { type: 'restart', node: i })
      }
    }
  }

  private stepNode (i: number, input: Parameters<Orderer['step']>[0]): void {
    const node = this.nodes[i]!
    const o = node.orderer!
    o.step(input)
    const r = o.ready()
    this.persist(i, r)
    for (const m of r.messages) {
      if (node.byz !== null) for (const x of node.byz.tamper(m)) this.send(i, x)
      else this.send(i, m)
    }
    for (const nt of r.notices) {
      if (nt.type === 'config') {
        this.switches++
        this.log(`${node.id} configuration ${nt.config.version}: ${nt.config.consensus}`)
      }
    }
  }

  /** The driver's duty: make hard state and blocks durable before any message leaves. */
  private persist (i: number, r: Ready): void {
    const node = this.nodes[i]!
    if (r.hardState !== null) node.disk.hard = r.hardState
    for (let cb of r.committed) {
      if (this.opts.sabotage === 'fork' && i === this.nodes.length - 1 && cb.block.header.height === 1) {
        const b = cb.block
        cb = { ...cb, block: makeBlock(b.header.shard, b.header.height, b.header.prev, b.txs.slice().reverse(), b.header.timeMs + 1, b.header.configVersion) }
      }
      const h = cb.block.header
      const prev = node.disk.blocks[node.disk.blocks.length - 1]
      const expected = prev === undefined ? 0 : prev.block.header.height + 1
      if (h.height !== expected || (prev !== undefined && !equalBytes(h.prev, blockHash(prev.block.header)))) {
        this.fail({ invariant: 'chain', node: node.id, message: `${node.id} committed block ${h.height} after ${expected - 1}: the chain has a gap or a broken link` })
      }
      node.disk.blocks.push(cb)
      if (node.byz !== null) continue
      const hash = blockHash(h)
      const seen = this.chain.get(h.height)
      if (seen === undefined) this.chain.set(h.height, hash)
      else if (!equalBytes(seen, hash)) this.fail({ invariant: 'agreement', node: node.id, message: `two different blocks committed at height ${h.height} (${toHex(seen).slice(0, 12)} and ${toHex(hash).slice(0, 12)} at ${node.id})` })
      let clientSeen = false
      for (const env of cb.block.txs) {
        const id = txIdOf(env.tx)
        if (!this.submitted.has(id)) this.fail({ invariant: 'validity', node: node.id, message: `${node.id} committed transaction ${id.slice(0, 12)} at height ${h.height}, which no client submitted` })
        const at = this.committedAt.get(id)
        if (at === undefined) this.committedAt.set(id, h.height)
        else if (at !== h.height) this.fail({ invariant: 'at-most-once', node: node.id, message: `transaction ${id.slice(0, 12)} committed at heights ${at} and ${h.height}` })
        if (isContractIssued(env.tx.kind) && clientSeen) {
          this.fail({ invariant: 'lanes', node: node.id, message: `block ${h.height} orders contract-issued transaction ${id.slice(0, 12)} after a client transaction` })
        }
        if (!isContractIssued(env.tx.kind)) clientSeen = true
      }
      this.log(`${node.id} commits block ${h.height} (${cb.block.txs.length} txs) ${toHex(hash).slice(0, 8)}`)
    }
  }

  private send (from: number, m: OutMessage): void {
    const to = this.nodes.findIndex((n) => n.id === m.to)
    if (to < 0) return
    const faulty = this.now < this.healAtMs
    if (this.partition !== null && this.partition.has(from) !== this.partition.has(to)) return
    const fromId = this.nodes[from]!.id
    let data = m.data
    if (faulty) {
      if (this.rng.chance(this.rates.drop)) { this.faults.drop++; return }
      if (this.rng.chance(this.rates.malformed)) {
        this.faults.malformed++
        data = data.slice(0, this.rng.below(data.length))
        if (data.length > 0) { const k = this.rng.below(data.length); data[k] = data[k]! ^ (1 + this.rng.below(255)) }
      }
    }
    let delay = 1 + this.rng.below(4)
    if (faulty && this.rng.chance(this.rates.reorder)) { this.faults.reorder++; delay += this.rng.below(40) }
    if (faulty && this.rng.chance(this.rates.delay)) { this.faults.delay++; delay += 100 + this.rng.below(400) }
    this.queue.push(this.now + delay, { type: 'deliver', to, from: fromId, data })
    if (faulty && this.rng.chance(this.rates.duplicate)) {
      this.faults.duplicate++
      this.queue.push(this.now + 1 + this.rng.below(60), { type: 'deliver', to, from: fromId, data })
    }
    if (faulty && this.rng.chance(this.rates.replay)) {
      this.faults.replay++
      this.queue.push(this.now + 200 + this.rng.below(800), { type: 'deliver', to, from: fromId, data })
    }
  }

  /** Liveness once faults healed: every submitted tx committed, honest members at one height. */
  private checkLiveness (final: boolean): boolean {
    if (this.now < this.healAtMs && !final) return false
    const missing = this.txIds.filter((id) => !this.committedAt.has(id))
    const up = this.nodes.filter((n) => n.byz === null && n.orderer !== null)
    // Members of the latest configuration must converge; a removed member may stay behind.
    const ahead = up.reduce<SimNode | undefined>((a, n) => (a === undefined || n.disk.blocks.length > a.disk.blocks.length ? n : a), undefined)
    const members = new Set(ahead?.orderer?.config().members.map((m) => m.peerId) ?? [])
    const honest = up.filter((n) => members.has(n.id))
    const heights = honest.map((n) => n.disk.blocks.length - 1)
    const converged = heights.every((h) => h === heights[0])
    if (missing.length === 0 && converged) return true
    if (!final) return false
    this.fail({
      invariant: 'liveness',
      message: missing.length > 0
        ? `${missing.length} of ${this.txIds.length} transactions not committed ${this.deadlineMs - this.healAtMs} ms after faults healed (first ${missing[0]!.slice(0, 12)}); heights ${honest.map((n) => `${n.id}=${n.disk.blocks.length - 1}`).join(' ')}`
        : `honest members did not converge: heights ${honest.map((n) => `${n.id}=${n.disk.blocks.length - 1}`).join(' ')}`,
    })
  }
}

function describe (data: Uint8Array): string {
  try {
    const f = decode(data) as { e: number, m: Record<string, unknown> }
    const m = f.m
    const parts = [`e${f.e}`, String(m.t)]
    for (const k of ['term', 'v', 's', 'h', 'pi', 'idx', 'ok']) if (typeof m[k] === 'number' || typeof m[k] === 'boolean') parts.push(`${k}=${String(m[k])}`)
    if (typeof m.r === 'string') parts.push(`r=${m.r}`)
    return parts.join(' ')
  } catch {
    return `${data.length} malformed bytes`
  }
}
