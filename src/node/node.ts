// BetascoNode: the composition root of one peer (DESIGN §5). It admits client transactions,
// forms shards at deploy, routes transactions to their shard (paper Algorithm 1 over the peers
// it knows), hosts the replicas of the shards it is a member of (node virtualization, one
// contract host for all of them), carries async calls between shards and collects matching
// receipts for clients. The network and the store come in through interfaces.
import { BetascoError } from '../core/errors.ts'
import { toHex, utf8 } from '../core/bytes.ts'
import type { CommittedBlock } from '../core/block.ts'
import { sha256 } from '../core/hash.ts'
import { decode, encode, type Canonical } from '../core/encoding.ts'
import { list, record, str } from '../core/shape.ts'
import { LIMITS } from '../core/limits.ts'
import { receiptDigest, type Receipt } from '../core/receipt.ts'
import { matchingResultsNeeded, type ShardConfig } from '../core/shard-config.ts'
import { contractIdFor, decodeEnvelope, encodeEnvelope, isContractIssued, txId, type Envelope, type TxBody } from '../core/transaction.ts'
import { tipMessage, type Notice, type OrdererParams, type Signer, type Verifier } from '../consensus/index.ts'
import type { ContractHost } from '../contract/types.ts'
import { verifyCertificate, type VerifiedIdentity } from '../crypto/certificate.ts'
import { signEnvelope, verifyEnvelope, verifyEnvelopeSync } from '../crypto/envelope.ts'
import { networkId, type Genesis } from '../crypto/genesis.ts'
import type { Identity } from '../crypto/identity.ts'
import { signSync, verifySync } from '../crypto/schemes.ts'
import { ShardReplica } from '../shard/replica.ts'
import { checkpointTx } from '../shard/checkpoints.ts'
import { identityId } from '../crypto/certificate.ts'
import type { LedgerStore } from '../storage/ledger-store.ts'
import { closestPeers } from '../network/distance.ts'
import { selectMembers } from '../network/locator.ts'
import type { ContractRouter, MembershipSource, NodeTransport } from './transport.ts'
import { decodeNodeMessage, encodeNodeMessage, type NodeMessage } from './wire.ts'

export interface NodeOptions {
  genesis: Genesis
  identity: Identity
  store: LedgerStore
  host: ContractHost
  transport: NodeTransport
  /** Consensus parameters (tickMs drives the node's clock). */
  params?: Partial<OrdererParams>
  /** Minimum number of organizations a shard spans when it can (DESIGN §2; default 2). */
  minOrgs?: number
  /** Hop limit of forwarded transactions. */
  maxHops?: number
  now?: () => number
  seed?: number
  /** Routes transactions and forms shards beyond the known peers (src/network's Locator). */
  router?: ContractRouter
  /** A member unreachable for this long is replaced in its shards (churn; default 15 s). */
  memberTimeoutMs?: number
  /** Re-configure shards towards the k closest live nodes (default true). */
  reconfigure?: boolean
}

export interface NodeCounters {
  received: number
  forwarded: number
  committed: number
  failed: number
  blocks: number
  malformed: number
  refused: number
  callsSent: number
  callsAccepted: number
  callsRejected: number
  reconfigurations: number
  /** Transactions the router could not bring to a member (the entry re-routes them). */
  unrouted: number
}

export type NodeEvent =
  | { type: 'block', shard: string, height: number, txs: number }
  | { type: 'receipt', receipt: Receipt }
  | { type: 'shard', shard: string, config: ShardConfig }
  | { type: 'notice', shard: string, notice: Notice }
  | { type: 'repaired', shard: string, height: number }

/** A shard this node hosts, with its recorded configuration (what dashboards draw as groups). */
export interface HostedContract {
  contract: string
  name: string | null
  consensus: string
  shardSize: number
  configVersion: number
  members: Array<{ peerId: string, org: string }>
  height: number
  leader: string | null
}

export interface ReceiptAnswer {
  receipt: Receipt
  /** How many members reported this same receipt, and how many were needed. */
  matching: number
  needed: number
}

interface Collector {
  shard: string
  answers: Map<string, { receipt: Receipt, from: Set<string> }>
  needed: number
  done: (answer: ReceiptAnswer) => void
}

/** What a contract's shard says of itself (lookupContract). */
export interface ContractLookup {
  config: ShardConfig
  /** The highest chain height among the matching answers. */
  height: number
  name: string | null
  methods: string[]
  /** Members whose answers matched (this node alone when it is a member). */
  answeredBy: string[]
  /** Matching answers needed: 1, or f + 1 when the shard runs PBFT. */
  needed: number
}

interface Lookup {
  asked: Set<string>
  /** Peers that answered that they are not members. */
  notMembers: Set<string>
  groups: Map<string, { answer: ContractLookup, from: Set<string> }>
  ask: (peers: string[]) => void
  done: (answer: ContractLookup | undefined) => void
}

interface Inbound {
  env: Envelope
  signers: Set<string>
  needed: number
  submitted: boolean
}

const QUERY_FANOUT = 8

/** A node whose ledger lasts: not a browser tab (certificate role 'tab'), whose storage the browser may delete. */
const isDurable = (who: { role: string } | undefined): boolean => who?.role !== 'tab'
/** Peers asked where a transaction committed (findTxShard). */
const MAX_TX_FIND_PEERS = 64

function checkMember (m: unknown): { peerId: string, org: string, addrs: string[] } {
  const o = record(m, 'member', ['peerId', 'org', 'addrs'])
  return {
    peerId: str(o.peerId, 'member.peerId', LIMITS.maxPeerIdLength),
    org: str(o.org, 'member.org', LIMITS.maxOrgNameLength),
    addrs: list(o.addrs, 'member.addrs', 16, (a, p) => str(a, p, 512))
  }
}
const DEFAULT_TICK_MS = 20

export class BetascoNode {
  readonly id: string
  readonly network: string
  readonly counters: NodeCounters = { received: 0, forwarded: 0, committed: 0, failed: 0, blocks: 0, malformed: 0, refused: 0, callsSent: 0, callsAccepted: 0, callsRejected: 0, reconfigurations: 0, unrouted: 0 }
  private readonly opts: NodeOptions
  private readonly params: Partial<OrdererParams>
  private readonly replicas = new Map<string, ShardReplica>()
  private readonly opening = new Map<string, Promise<ShardReplica>>()
  private readonly collectors = new Map<string, Collector[]>()
  private readonly receiptWaiters = new Map<string, Set<string>>()
  private readonly lookups = new Map<string, Lookup[]>()
  private readonly txFinds = new Map<string, Array<(from: string, shard: string | null) => void>>()
  private readonly inbound = new Map<string, Inbound>()
  private readonly verifiedTxs = new Set<string>()
  private readonly certCache = new Map<string, VerifiedIdentity>()
  /** Node identities seen (peer ID → identity), kept after disconnects to verify old signatures. */
  private readonly known = new Map<string, VerifiedIdentity>()
  private readonly listeners = new Set<(e: NodeEvent) => void>()
  private readonly signer: Signer
  private readonly verifier: Verifier
  private timer: ReturnType<typeof setInterval> | undefined
  private closed = false
  private readonly lastSeen = new Map<string, number>()
  /** Shards this node was told to join and is catching up (since when). */
  private readonly joining = new Map<string, number>()
  private readonly formed = new Map<string, Array<{ peerId: string, org: string, addrs: string[] }>>()
  private readonly pendingConfig = new Map<string, { version: number, atMs: number }>()
  private lastChurnCheck = 0
  private readonly startedMs = Date.now()

  constructor (opts: NodeOptions) {
    if (opts.identity.kind !== 'node' || opts.identity.peerId === undefined) throw new BetascoError('BAD_ARGUMENT', 'a node runs with a node identity')
    if (opts.identity.peerId !== opts.transport.self) throw new BetascoError('BAD_ARGUMENT', 'the transport runs under another peer ID than the identity')
    this.opts = opts
    this.id = opts.identity.peerId
    this.network = networkId(opts.genesis)
    this.params = { tickMs: DEFAULT_TICK_MS, ...opts.params }
    const scheme = opts.genesis.scheme
    const sk = opts.identity.secretKey
    this.signer = { id: this.id, sign: (m) => signSync(scheme, m, sk) }
    this.verifier = {
      verify: (id, m, sig) => {
        const pk = id === this.id ? opts.identity.publicKey : this.identityOf(id)?.publicKey
        return pk !== undefined && verifySync(scheme, sig, m, pk)
      }
    }
    opts.transport.onMessage((from, data) => { this.onMessage(from, data) })
    opts.router?.handle(async (d) => await this.onRouted(d.contract, d.payload))
    opts.router?.onDeploy((contract, members, payload) => { void this.onLocatedDeploy(contract, members, payload).catch(() => { this.counters.refused++ }) })
  }

  /** The membership a router consults: shards this node is a member of, as recorded. */
  readonly membership: MembershipSource = {
    isMember: (contract) => this.isMemberOf(contract) || (this.formed.get(contract)?.some(m => m.peerId === this.id) ?? false),
    membersOf: (contract) => {
      const config = this.replicas.get(contract)?.config()
      const known = this.formed.get(contract)
      if (config !== undefined) return config.members.map(m => ({ ...m, addrs: known?.find(k => k.peerId === m.peerId)?.addrs ?? [] }))
      return known
    },
    record: (contract, members) => {
      if (this.formed.size > 10_000) this.formed.clear()
      const before = this.formed.get(contract)
      this.formed.set(contract, members.map(m => ({ ...m, addrs: m.addrs.length > 0 ? m.addrs : before?.find(b => b.peerId === m.peerId)?.addrs ?? [] })))
      for (const m of members) if (m.addrs.length > 0) this.opts.transport.learn?.(m.peerId, m.addrs)
    }
  }

  private isMemberOf (contract: string): boolean {
    return this.replicas.get(contract)?.config().members.some(m => m.peerId === this.id) ?? false
  }

  /** Reopens every shard hosted in the store and starts the clock. */
  async start (): Promise<void> {
    for (const shard of await this.opts.store.listHostedShards()) await this.replica(shard)
    const tickMs = this.params.tickMs ?? DEFAULT_TICK_MS
    this.timer = setInterval(() => { this.tick() }, tickMs)
    ;(this.timer as { unref?: () => void }).unref?.()
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    for (const list of this.collectors.values()) list.length = 0
    await Promise.allSettled([...this.opening.values()])
    for (const r of this.replicas.values()) await r.close()
    await this.opts.transport.close()
  }

  on (listener: (e: NodeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  hostedShards (): string[] {
    return [...this.replicas.keys()].sort()
  }

  shardStatus (shard: string): ReturnType<ShardReplica['status']> & { config: ShardConfig } | undefined {
    const r = this.replicas.get(shard)
    return r === undefined ? undefined : { ...r.status(), config: r.config() }
  }

  /** Every shard hosted here, with its configuration, height and leader. */
  hostedContracts (): HostedContract[] {
    const out: HostedContract[] = []
    for (const shard of this.hostedShards()) {
      const s = this.shardStatus(shard)
      if (s === undefined) continue
      out.push({ contract: shard, name: s.contract?.name ?? null, consensus: s.config.consensus, shardSize: s.config.shardSize, configVersion: s.config.version, members: s.config.members.map(m => ({ peerId: m.peerId, org: m.org })), height: s.height, leader: s.leader })
    }
    return out
  }

  /** This member's Global of a hosted contract (JSON text). */
  contractState (shard: string): string | undefined {
    return this.replicas.get(shard)?.currentState()
  }

  peers (): ReadonlyMap<string, VerifiedIdentity> {
    return this.opts.transport.peers()
  }

  // ── client entry ─────────────────────────────────────────────────────────────────────────

  /**
   * Admits a client transaction (deploy or invoke) at this entry node and sends it on its way.
   * Refuses, changing nothing, anything malformed, oversized, badly signed or from outsiders.
   */
  async submit (env: Envelope): Promise<{ txId: string, contract: string }> {
    if (this.closed) throw new BetascoError('CLOSED', 'this node is shutting down; submit to another node')
    this.counters.received++
    try {
      await this.admitClient(env)
    } catch (err) {
      this.counters.refused++
      throw err
    }
    const id = txId(env.tx)
    if (env.tx.kind === 'deploy') {
      if (this.opts.router !== undefined) {
        const { members } = await this.opts.router.deploy(env.tx.contract, env.tx.deploy!.shardSize, encodeEnvelope(env))
        if (members.length !== env.tx.deploy!.shardSize) {
          throw new BetascoError('UNREACHABLE', `deploy: the locator found ${members.length} of the ${env.tx.deploy!.shardSize} members the shard needs; try a smaller shard or when more nodes are connected`)
        }
        this.membership.record(env.tx.contract, members.map(m => ({ peerId: m.peerId, org: m.org, addrs: m.addrs ?? [] })))
      } else {
        await this.form(env)
      }
    } else {
      this.route(env, this.opts.maxHops ?? 16)
    }
    return { txId: id, contract: env.tx.contract }
  }

  /**
   * Waits until enough members (1 for Raft and solo, f + 1 for PBFT) report the same receipt.
   * With `resend`, the transaction is routed again every 3 s until then: a tx whose first
   * copy was lost with a crashed member still commits, once (IDs make resubmission idempotent).
   */
  async waitReceipt (txIdHex: string, shard: string, timeoutMs = 30_000, resend?: Envelope): Promise<ReceiptAnswer> {
    return await new Promise<ReceiptAnswer>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      let ask: ReturnType<typeof setInterval> | undefined
      const collector: Collector = {
        shard,
        answers: new Map(),
        needed: 1,
        done: (a) => {
          clearTimeout(timer); clearInterval(ask)
          this.dropCollector(txIdHex, collector)
          resolve(a)
        }
      }
      const list = this.collectors.get(txIdHex) ?? []
      list.push(collector)
      this.collectors.set(txIdHex, list)
      timer = setTimeout(() => {
        clearInterval(ask)
        this.dropCollector(txIdHex, collector)
        const best = [...collector.answers.values()].sort((a, b) => b.from.size - a.from.size)[0]
        reject(new BetascoError('TIMEOUT', `no ${collector.needed} matching receipts for tx ${txIdHex.slice(0, 12)}… within ${timeoutMs} ms (best: ${best?.from.size ?? 0})`))
      }, timeoutMs)
      let rounds = 0
      const query = (): void => {
        const m: NodeMessage = { t: 'rq', txId: txIdHex, shard }
        for (const peer of this.candidates(shard)) this.sendTo(peer, m)
        // A deploy is not re-formed: its membership was fixed when it was first sent. Members
        // remember who asked and answer on commit, so asking again is only a safety net.
        if (resend !== undefined && resend.tx.kind !== 'deploy' && rounds > 0 && rounds % 3 === 0) this.route(resend, this.opts.maxHops ?? 16, rounds / 3)
        rounds++
      }
      query()
      ask = setInterval(query, 1_000)
    })
  }

  /**
   * A contract's shard as its members describe it, from any node: this node's own view when it
   * is a member; otherwise it asks the peers closest to the contract (then the members they
   * name) and waits for 1 matching answer, or f + 1 under PBFT. Undefined when every peer asked
   * answered that it does not host the contract (UNREACHABLE instead when this node routes
   * through the Locator: members may be beyond its peers); TIMEOUT when too few answered alike.
   */
  async lookupContract (shard: string, timeoutMs = 5_000): Promise<ContractLookup | undefined> {
    const local = this.shardStatus(shard)
    if (local !== undefined && this.isMemberOf(shard)) {
      return { config: local.config, height: local.height, name: local.contract?.name ?? null, methods: local.contract?.methods ?? [], answeredBy: [this.id], needed: 1 }
    }
    return await new Promise<ContractLookup | undefined>((resolve, reject) => {
      const lookup: Lookup = {
        asked: new Set(),
        notMembers: new Set(),
        groups: new Map(),
        ask: (peers) => {
          for (const p of peers) {
            if (p === this.id || lookup.asked.has(p)) continue
            lookup.asked.add(p)
            this.sendTo(p, { t: 'cq', shard })
          }
        },
        done: (answer) => {
          finish()
          // Through the Locator, the members may be beyond the peers this node knows: their
          // "not here" does not mean that no one hosts the contract.
          if (answer === undefined && this.opts.router !== undefined) reject(new BetascoError('UNREACHABLE', `none of the ${lookup.asked.size} peers asked is a member of contract ${shard.slice(0, 12)}…; its members may be further away (this node routes through the Locator)`))
          else resolve(answer)
        },
      }
      const finish = (): void => {
        clearTimeout(timer)
        const list = this.lookups.get(shard)?.filter(l => l !== lookup) ?? []
        if (list.length === 0) this.lookups.delete(shard)
        else this.lookups.set(shard, list)
      }
      const timer = setTimeout(() => {
        finish()
        const best = [...lookup.groups.values()].sort((a, b) => b.from.size - a.from.size)[0]
        if (best === undefined && lookup.notMembers.size > 0) lookup.done(undefined)
        else reject(new BetascoError('TIMEOUT', best === undefined
          ? `no answer about contract ${shard.slice(0, 12)}… from the ${lookup.asked.size} peers asked within ${timeoutMs} ms`
          : `only ${best.from.size} of ${best.answer.needed} matching answers about contract ${shard.slice(0, 12)}… within ${timeoutMs} ms`))
      }, timeoutMs)
      this.lookups.set(shard, [...(this.lookups.get(shard) ?? []), lookup])
      lookup.ask(this.candidates(shard))
      if (lookup.asked.size === 0) lookup.done(undefined) // nobody to ask: no peer hosts it that we know of
    })
  }

  /**
   * The shard that committed a transaction, for a node that did not submit it: asks its peers
   * (up to 64) which of them holds the receipt. Undefined when all answered no, or on timeout.
   * The answer only says where to ask: waitReceipt then collects the members' receipts.
   */
  async findTxShard (txIdHex: string, timeoutMs = 3_000): Promise<string | undefined> {
    const local = await this.opts.store.getReceipt(txIdHex)
    if (local !== undefined) return local.shard
    const peers = [...this.opts.transport.peers().keys()].slice(0, MAX_TX_FIND_PEERS)
    if (peers.length === 0) return undefined
    return await new Promise<string | undefined>((resolve) => {
      const noes = new Set<string>()
      const finish = (shard: string | undefined): void => {
        clearTimeout(timer)
        const list = this.txFinds.get(txIdHex)?.filter(f => f !== onAnswer) ?? []
        if (list.length === 0) this.txFinds.delete(txIdHex)
        else this.txFinds.set(txIdHex, list)
        resolve(shard)
      }
      const onAnswer = (from: string, shard: string | null): void => {
        if (!peers.includes(from)) return
        if (shard !== null) { finish(shard); return }
        noes.add(from)
        if (noes.size === peers.length) finish(undefined)
      }
      const timer = setTimeout(() => { finish(undefined) }, timeoutMs)
      this.txFinds.set(txIdHex, [...(this.txFinds.get(txIdHex) ?? []), onAnswer])
      for (const p of peers) this.sendTo(p, { t: 'tq', txId: txIdHex })
    })
  }

  private onContractAnswer (from: string, m: Extract<NodeMessage, { t: 'ca' }>): void {
    for (const lookup of this.lookups.get(m.shard) ?? []) {
      if (!lookup.asked.has(from)) continue // unsolicited
      const config = m.config
      if (config === null || config.contract !== m.shard || !config.members.some(x => x.peerId === from)) {
        lookup.notMembers.add(from)
        if (lookup.groups.size === 0 && lookup.notMembers.size === lookup.asked.size) lookup.done(undefined)
        continue
      }
      const key = toHex(encode(config as unknown as Canonical))
      let group = lookup.groups.get(key)
      if (group === undefined) {
        group = { answer: { config, height: m.height, name: m.name, methods: m.methods, answeredBy: [], needed: matchingResultsNeeded(config) }, from: new Set() }
        lookup.groups.set(key, group)
      }
      group.from.add(from)
      group.answer.height = Math.max(group.answer.height, m.height)
      if (group.from.size >= group.answer.needed) { lookup.done({ ...group.answer, answeredBy: [...group.from] }); continue }
      lookup.ask(config.members.map(x => x.peerId)) // the other members, for the matching answers still needed
    }
  }

  /** submit + waitReceipt. */
  async execute (env: Envelope, timeoutMs = 30_000): Promise<ReceiptAnswer> {
    const { txId: id, contract } = await this.submit(env)
    return await this.waitReceipt(id, contract, timeoutMs, env)
  }

  /** A receipt this node stores itself (as a member of the tx's shard). */
  async localReceipt (txIdHex: string): Promise<Receipt | undefined> {
    return await this.opts.store.getReceipt(txIdHex)
  }

  // ── admission ────────────────────────────────────────────────────────────────────────────

  private async admitClient (env: Envelope): Promise<void> {
    const tx = env.tx
    if (tx.kind !== 'deploy' && tx.kind !== 'invoke' && tx.kind !== 'config') throw new BetascoError('BAD_ARGUMENT', `clients submit deploy, invoke or config transactions, not ${tx.kind}`)
    if (encodeEnvelope(env).length > LIMITS.maxTxBytes) throw new BetascoError('TX_TOO_LARGE', `transaction larger than ${LIMITS.maxTxBytes} bytes`)
    const [signer] = await verifyEnvelope(this.opts.genesis, env, this.now())
    if (tx.kind === 'config' && (signer?.kind !== 'user' || signer.role !== 'admin')) {
      throw new BetascoError('NOT_ADMITTED', 'configuration transactions from clients must be signed by an organization admin')
    }
    if (tx.kind === 'deploy' && tx.contract !== contractIdFor(tx.network, tx.from, tx.nonce, tx.deploy!.code)) {
      throw new BetascoError('BAD_ARGUMENT', 'deploy: contract ID must be contractIdFor(network, from, nonce, code)')
    }
    this.rememberVerified(txId(tx))
  }

  private rememberVerified (id: string): void {
    if (this.verifiedTxs.size > 100_000) this.verifiedTxs.clear()
    this.verifiedTxs.add(id)
  }

  /** Synchronous validity check of a tx relayed by another member (consensus calls it). */
  private checkTx (env: Envelope, shard: string): boolean {
    if (env.tx.contract !== shard) return false
    const id = txId(env.tx)
    if (this.verifiedTxs.has(id)) return true
    try {
      const [signer] = verifyEnvelopeSync(this.opts.genesis, env, this.now(), this.certCache)
      if (env.tx.kind === 'deploy' && env.tx.contract !== contractIdFor(env.tx.network, env.tx.from, env.tx.nonce, env.tx.deploy!.code)) return false
      if ((env.tx.kind === 'config' || env.tx.kind === 'checkpoint') && !this.memberOrAdmin(signer, shard, env.tx.kind)) return false
      this.rememberVerified(id)
      return true
    } catch {
      return false
    }
  }

  /**
   * Configuration changes come from an organization's admin (consensus switch) or from a member
   * of the shard (churn); checkpoints from members only.
   */
  private memberOrAdmin (who: VerifiedIdentity | undefined, shard: string, kind: 'config' | 'checkpoint'): boolean {
    if (who === undefined) return false
    if (who.kind === 'user') return kind === 'config' && who.role === 'admin'
    const config = this.replicas.get(shard)?.config()
    return config !== undefined && config.members.some(m => m.peerId === who.peerId)
  }

  // ── shard formation and routing ──────────────────────────────────────────────────────────

  private allNodes (): Map<string, VerifiedIdentity> {
    const all = new Map(this.opts.transport.peers())
    for (const [id, who] of all) this.known.set(id, who)
    all.set(this.id, { kind: 'node', org: this.opts.identity.org, name: this.opts.identity.name, role: this.opts.identity.role, publicKey: this.opts.identity.publicKey, id: '', certId: '', peerId: this.id, cert: this.opts.identity.certBytes })
    return all
  }

  private identityOf (peerId: string): VerifiedIdentity | undefined {
    const live = this.opts.transport.peers().get(peerId)
    if (live !== undefined) { this.known.set(peerId, live); return live }
    return this.known.get(peerId)
  }

  private ownCert (): Uint8Array {
    return this.opts.identity.certBytes
  }

  /** The k nodes closest to a contract, spanning at least min(k, minOrgs) organizations. */
  chooseMembers (contract: string, k: number): Array<{ peerId: string, org: string }> {
    const all = this.allNodes()
    if (all.size < k) throw new BetascoError('BAD_ARGUMENT', `a shard of ${k} needs ${k} nodes; ${all.size} are known to this node`)
    const chosen = selectMembers(contract, [...all.values()].map(v => ({ peerId: v.peerId!, org: v.org, durable: isDurable(v) })), k, this.opts.minOrgs ?? 2)
    return chosen.map(peerId => ({ peerId, org: all.get(peerId)!.org }))
  }

  private async form (env: Envelope): Promise<void> {
    const spec = env.tx.deploy!
    const config: ShardConfig = {
      v: 1,
      contract: env.tx.contract,
      version: 0,
      fromHeight: 0,
      consensus: spec.consensus,
      shardSize: spec.shardSize,
      members: this.chooseMembers(env.tx.contract, spec.shardSize),
      gasLimit: spec.gasLimit,
      checkpointInterval: spec.checkpointInterval,
      codeHash: sha256(utf8.encode(spec.code))
    }
    if (spec.consensus === 'solo' && spec.shardSize !== 1) throw new BetascoError('BAD_ARGUMENT', 'solo ordering is for shards of one member')
    for (const m of config.members) this.sendTo(m.peerId, { t: 'form', config, env })
  }

  private async onForm (from: string, config: ShardConfig, env: Envelope, verified = from === this.id): Promise<void> {
    const tx = env.tx
    const spec = tx.deploy
    if (tx.kind !== 'deploy' || spec === undefined) throw new BetascoError('BAD_ARGUMENT', 'form: not a deploy')
    if (!verified) await verifyEnvelope(this.opts.genesis, env, this.now())
    if (tx.contract !== contractIdFor(tx.network, tx.from, tx.nonce, spec.code) || config.contract !== tx.contract) throw new BetascoError('BAD_ARGUMENT', 'form: contract ID mismatch')
    if (config.version !== 0 || config.consensus !== spec.consensus || config.shardSize !== spec.shardSize || config.members.length !== spec.shardSize ||
      config.gasLimit !== spec.gasLimit || config.checkpointInterval !== spec.checkpointInterval || toHex(config.codeHash) !== toHex(sha256(utf8.encode(spec.code)))) {
      throw new BetascoError('BAD_ARGUMENT', 'form: configuration does not match the deploy')
    }
    if (!config.members.some(m => m.peerId === this.id)) return
    this.rememberVerified(txId(tx))
    const existing = this.replicas.get(tx.contract) ?? await this.opening.get(tx.contract)
    const replica = existing ?? await this.replica(tx.contract, config)
    this.emit({ type: 'shard', shard: tx.contract, config: replica.config() })
    await replica.step({ type: 'submit', tx: env })
  }

  /** Algorithm 1: to the member if hosted here, else to the closest known peer, hop by hop. */
  private route (env: Envelope, ttl: number, attempt = 0): void {
    const shard = env.tx.contract
    const replica = this.replicas.get(shard)
    if (replica !== undefined && replica.config().members.some(m => m.peerId === this.id)) {
      void replica.step({ type: 'submit', tx: env }).catch(() => {})
      return
    }
    if (this.opts.router !== undefined) {
      this.counters.forwarded++
      void this.opts.router.route(shard, encodeEnvelope(env)).then((r) => {
        try {
          const members = decode(r.response, 64 * 1024)
          if (Array.isArray(members)) this.membership.record(shard, members.slice(0, LIMITS.maxShardMembers).map(m => checkMember(m)))
        } catch { /* an answer without members teaches nothing */ }
      }, () => { this.counters.unrouted++ })
      return
    }
    if (ttl <= 0) { this.counters.refused++; return }
    const ordered = closestPeers(shard, [...this.opts.transport.peers().keys(), this.id], QUERY_FANOUT + 1).filter(p => p !== this.id)
    // A retry (attempt > 0) goes to the next-closest peers in turn, so a closest peer that is
    // connected but not serving (hung, shutting down) does not swallow every copy.
    const next = ordered[attempt % Math.min(ordered.length, 3)]
    if (next === undefined) return
    this.counters.forwarded++
    this.sendTo(next, { t: 'submit', env, ttl: ttl - 1 })
  }

  /** A transaction the router brought to this node as a member of its shard. */
  private async onRouted (contract: string, payload: Uint8Array): Promise<Uint8Array> {
    const env = decodeEnvelope(payload)
    if (env.tx.contract !== contract) throw new BetascoError('BAD_ARGUMENT', 'routed transaction is for another contract')
    const replica = this.replicas.get(contract)
    if (replica === undefined || !this.isMemberOf(contract)) throw new BetascoError('NOT_MEMBER', `not a member of ${contract.slice(0, 12)}…`)
    if (!this.verifiedTxs.has(txId(env.tx))) await this.admitClient(env)
    await replica.step({ type: 'submit', tx: env })
    // The answer names the members and where to reach them, so the entry node can connect and
    // ask them for receipts directly.
    return encode(this.membership.membersOf(contract) ?? [])
  }

  /** A shard the router formed with this node among its members: configuration version 0. */
  private async onLocatedDeploy (contract: string, members: Array<{ peerId: string, org: string }>, payload: Uint8Array): Promise<void> {
    const env = decodeEnvelope(payload)
    const spec = env.tx.deploy
    if (env.tx.kind !== 'deploy' || spec === undefined || env.tx.contract !== contract) return
    await this.admitClient(env)
    const config: ShardConfig = {
      v: 1,
      contract,
      version: 0,
      fromHeight: 0,
      consensus: spec.consensus,
      shardSize: spec.shardSize,
      members: members.map(m => ({ peerId: m.peerId, org: m.org })),
      gasLimit: spec.gasLimit,
      checkpointInterval: spec.checkpointInterval,
      codeHash: sha256(utf8.encode(spec.code))
    }
    await this.onForm(this.id, config, env, true)
  }

  /** Peers to ask about a shard: its members if hosted here, else the closest known peers. */
  private candidates (shard: string): string[] {
    const replica = this.replicas.get(shard)
    if (replica !== undefined) return replica.config().members.map(m => m.peerId)
    const formed = this.formed.get(shard)
    if (formed !== undefined) return formed.map(m => m.peerId)
    return closestPeers(shard, [...this.opts.transport.peers().keys(), this.id], QUERY_FANOUT)
  }

  // ── replicas ─────────────────────────────────────────────────────────────────────────────

  private async replica (shard: string, initial?: ShardConfig): Promise<ShardReplica> {
    const have = this.replicas.get(shard)
    if (have !== undefined) return have
    let opening = this.opening.get(shard)
    if (opening === undefined) {
      opening = ShardReplica.open({
        self: this.id,
        network: this.network,
        store: this.opts.store,
        host: this.opts.host,
        signer: this.signer,
        verifier: this.verifier,
        seed: this.opts.seed ?? 1,
        params: this.params,
        checkTx: (tx) => this.checkTx(tx, shard),
        send: (to, s, data) => this.sendTo(to, { t: 'ord', shard: s, data }),
        outgoing: (s, txs, config) => { void this.sendCalls(s, txs, config) },
        committed: (s, block, receipts) => this.onCommitted(s, block, receipts),
        notice: (s, notice) => this.emit({ type: 'notice', shard: s, notice }),
        checkpoint: (s, height, digest) => { void this.submitCheckpoint(s, height, digest).catch(() => {}) },
        repaired: (s, height) => this.emit({ type: 'repaired', shard: s, height })
      }, shard, initial)
      this.opening.set(shard, opening)
    }
    try {
      const r = await opening
      this.replicas.set(shard, r)
      return r
    } finally {
      this.opening.delete(shard)
    }
  }

  private tick (): void {
    const nowMs = this.now()
    for (const r of this.replicas.values()) void r.step({ type: 'tick', nowMs }).catch(() => {})
    if (this.opts.reconfigure !== false && nowMs - this.lastChurnCheck >= 250) {
      this.lastChurnCheck = nowMs
      this.checkChurn(nowMs)
    }
  }

  // ── churn: re-configuration one member at a time (paper §2.5) ───────────────────────────

  /**
   * The leader (Raft) or primary (PBFT) of each shard hosted here compares the membership with
   * the live nodes: a member gone longer than the timeout is removed; otherwise the shard moves
   * towards the membership formation would pick now (the closest live nodes spanning
   * organizations): a shard below its size gets the best missing node, one above it loses the
   * farthest member that is not wanted, and a wanted non-member is added (the member it
   * displaces is removed next). One change per configuration
   * transaction; the next only after it committed. k or more closer nodes joining at once are
   * thus absorbed one at a time.
   */
  private checkChurn (nowMs: number): void {
    const live = this.opts.transport.peers()
    for (const [id, who] of live) { this.lastSeen.set(id, nowMs); this.known.set(id, who) }
    const timeout = this.opts.memberTimeoutMs ?? 15_000
    for (const [shard, replica] of this.replicas) {
      if (!replica.config().members.some(m => m.peerId === this.id)) { void this.leaveIfDone(shard, replica).catch(() => {}); continue }
      const status = replica.status()
      if (status.contract === undefined) continue
      const config = replica.config()
      // The leader (Raft) or primary (PBFT) proposes. When it is the one that is gone — PBFT
      // changes views only for pending requests — the first live member in configuration
      // order proposes instead; its proposal is the pending request that moves the view on.
      const leaderGone = status.leader === null || (status.leader !== this.id && !live.has(status.leader) && nowMs - (this.lastSeen.get(status.leader) ?? this.startedMs) > (this.opts.memberTimeoutMs ?? 15_000))
      const proposer = leaderGone ? config.members.map(m => m.peerId).find(p => p === this.id || live.has(p)) : status.leader
      if (proposer !== this.id) continue
      const pending = this.pendingConfig.get(shard)
      if (pending !== undefined && pending.version === config.version && nowMs - pending.atMs < 5_000) continue
      const members = config.members.map(m => m.peerId)
      // The size the deploy asked for; the configuration's own shardSize follows the members.
      const target = replica.initialConfig().shardSize
      const gone = members.filter(p => p !== this.id && !live.has(p) && nowMs - (this.lastSeen.get(p) ?? this.startedMs) > timeout)
      let change: { method: 'addMember' | 'removeMember', peerId: string, org: string } | undefined
      if (gone.length > 0 && members.length > 1) {
        const p = gone[0]!
        change = { method: 'removeMember', peerId: p, org: config.members.find(m => m.peerId === p)!.org }
      } else {
        // The membership the shard should have: the target number of closest live nodes,
        // spanning organizations as at formation (selectMembers, DESIGN §2). No member is gone
        // here, so every member counts as live: one briefly disconnected (a tab's WebRTC link
        // under load) must not be displaced for it; only the timeout above removes members.
        const orgOf = new Map<string, string>(config.members.map(m => [m.peerId, m.org]))
        for (const [p, who] of live) orgOf.set(p, who.org)
        orgOf.set(this.id, this.opts.identity.org)
        const alive = [...new Set([this.id, ...members, ...live.keys()])]
        const nodes = this.allNodes()
        const desired = selectMembers(shard, alive.map(p => ({ peerId: p, org: orgOf.get(p)!, durable: isDurable(nodes.get(p) ?? this.known.get(p)) })), target, this.opts.minOrgs ?? 2)
        const ranked = closestPeers(shard, alive, alive.length)
        // among the wanted non-members, one of an organization the shard lacks comes first
        const haveOrgs = new Set(members.map(p => orgOf.get(p)))
        const missing = desired.filter(p => !members.includes(p))
        const toAdd = missing.find(p => !haveOrgs.has(orgOf.get(p))) ?? missing[0]
        const toRemove = [...members].filter(p => !desired.includes(p)).sort((a, b) => ranked.indexOf(b) - ranked.indexOf(a))[0]
        if (members.length < target && toAdd !== undefined) {
          change = { method: 'addMember', peerId: toAdd, org: orgOf.get(toAdd)! }
        } else if (members.length > target && toRemove !== undefined) {
          change = { method: 'removeMember', peerId: toRemove, org: orgOf.get(toRemove)! }
        } else if (toAdd !== undefined && config.consensus !== 'solo') {
          // one better node at a time: add it now, the member it displaces goes next round
          change = { method: 'addMember', peerId: toAdd, org: orgOf.get(toAdd)! }
        }
      }
      if (change === undefined) continue
      this.pendingConfig.set(shard, { version: config.version, atMs: nowMs })
      void this.submitConfig(shard, config.version, change).catch(() => {})
    }
  }

  private async submitConfig (shard: string, version: number, change: { method: 'addMember' | 'removeMember', peerId: string, org: string }): Promise<void> {
    const replica = this.replicas.get(shard)
    if (replica === undefined) return
    const tx: TxBody = {
      v: 1,
      network: this.network,
      kind: 'config',
      contract: shard,
      method: change.method,
      arg: change.method === 'addMember' ? { peerId: change.peerId, org: change.org } : { peerId: change.peerId },
      nonce: `cfg-v${version}-${change.method}-${change.peerId.slice(-16)}`,
      from: identityId(this.opts.identity.publicKey)
    }
    const env = await signEnvelope(tx, this.opts.identity)
    this.rememberVerified(txId(tx))
    this.counters.reconfigurations++
    await replica.step({ type: 'submit', tx: env })
  }

  /**
   * A replica whose configuration does not include this node stops being hosted (its blocks
   * stay stored) — unless the node is joining that shard and still catching up through older
   * configurations (for at most a minute).
   */
  private async leaveIfDone (shard: string, replica: ShardReplica): Promise<void> {
    if (this.replicas.get(shard) !== replica || replica.config().members.some(m => m.peerId === this.id)) return
    const since = this.joining.get(shard)
    if (since !== undefined && this.now() - since < 60_000) return
    this.joining.delete(shard)
    this.replicas.delete(shard)
    await replica.close()
    await this.opts.store.removeHostedShard(shard)
  }

  /** After a configuration block: tell added members to join, let go of shards this node left. */
  private async afterConfig (shard: string, replica: ShardReplica): Promise<void> {
    const config = replica.config()
    this.emit({ type: 'shard', shard, config })
    if (!config.members.some(m => m.peerId === this.id)) {
      await this.leaveIfDone(shard, replica)
      return
    }
    this.joining.delete(shard)
    // Members this configuration removed may have missed the block that removed them: a tip
    // makes them fetch it, so they learn they left and stop hosting the shard.
    const previous = config.version > 0 ? await this.opts.store.getShardConfig(shard, config.version - 1) : undefined
    const height = replica.status().height
    const removed = (previous?.members ?? []).filter(m => m.peerId !== this.id && !config.members.some(n => n.peerId === m.peerId))
    // sent a few times: a busy or reconnecting node may miss one (delivery is best effort)
    for (const delayMs of [0, 1_000, 3_000]) {
      const timer = setTimeout(() => { for (const m of removed) this.sendTo(m.peerId, { t: 'ord', shard, data: tipMessage(config.version, height) }) }, delayMs)
      ;(timer as { unref?: () => void }).unref?.()
    }
    const first = await this.opts.store.getShardConfig(shard, 0) ?? replica.initialConfig()
    // The certificates of every node this one has known, so the newcomer can check the block
    // certificates of members that have left since.
    const certs = [...this.known.values()].map(k => k.cert).slice(0, 1024)
    certs.push(this.ownCert())
    // only the members this configuration added (a late join must not bring back a node that
    // has left since)
    // (a node still catching up may not have stored the previous configuration yet: it says nothing)
    if (previous !== undefined) {
      const added = config.members.filter(m => m.peerId !== this.id && !previous.members.some(p => p.peerId === m.peerId))
      // sent a few times, like the tips above: a join is idempotent and one copy may be lost
      for (const delayMs of [0, 1_000, 3_000]) {
        const timer = setTimeout(() => { for (const m of added) this.sendTo(m.peerId, { t: 'join', shard, config: first, certs }) }, delayMs)
        ;(timer as { unref?: () => void }).unref?.()
      }
    }
  }

  private onCommitted (shard: string, block: CommittedBlock, receipts: Receipt[]): void {
    this.counters.blocks++
    const replica0 = this.replicas.get(shard)
    if (replica0 !== undefined && block.block.txs.some(e => e.tx.kind === 'config')) {
      this.pendingConfig.delete(shard)
      void this.afterConfig(shard, replica0).catch(() => {})
    }
    this.emit({ type: 'block', shard, height: block.block.header.height, txs: block.block.txs.length })
    const replica = this.replicas.get(shard)
    const needed = replica === undefined ? 1 : matchingResultsNeeded(replica.config())
    for (const receipt of receipts) {
      if (receipt.status === 'committed') this.counters.committed++
      else this.counters.failed++
      this.emit({ type: 'receipt', receipt })
      const waiters = this.receiptWaiters.get(receipt.txId)
      if (waiters !== undefined) {
        this.receiptWaiters.delete(receipt.txId)
        for (const peer of waiters) this.sendTo(peer, { t: 'rr', txId: receipt.txId, receipt, needed })
      }
    }
  }

  private async submitCheckpoint (shard: string, height: number, digest: string): Promise<void> {
    const replica = this.replicas.get(shard)
    if (replica === undefined) return
    const tx = checkpointTx(this.network, shard, height, digest, this.id, identityId(this.opts.identity.publicKey))
    const env = await signEnvelope(tx, this.opts.identity)
    this.rememberVerified(txId(tx))
    await replica.step({ type: 'submit', tx: env })
  }

  // ── async calls between shards (DESIGN §3) ───────────────────────────────────────────────

  private async sendCalls (shard: string, txs: TxBody[], config: ShardConfig): Promise<void> {
    for (const tx of txs) {
      const env = await signEnvelope(tx, this.opts.identity)
      this.counters.callsSent++
      for (const peer of this.candidates(tx.contract)) this.sendTo(peer, { t: 'call', env, caller: config })
    }
    void shard
  }

  private async onCall (from: string, env: Envelope, caller: ShardConfig): Promise<void> {
    const tx = env.tx
    const replica = this.replicas.get(tx.contract)
    if (replica === undefined) return // not a member: the sender asks several candidates
    if (!isContractIssued(tx.kind) || tx.origin === undefined || tx.origin.contract !== caller.contract || tx.from !== caller.contract || env.proofs.length !== 1) {
      this.counters.callsRejected++
      return
    }
    const [signer] = await verifyEnvelope(this.opts.genesis, env, this.now())
    if (signer === undefined || signer.peerId !== from || !caller.members.some(m => m.peerId === from)) {
      this.counters.callsRejected++
      return
    }
    const id = txId(tx)
    let entry = this.inbound.get(id)
    if (entry === undefined) {
      entry = { env: { tx, proofs: [] }, signers: new Set(), needed: matchingResultsNeeded(caller), submitted: false }
      this.inbound.set(id, entry)
      if (this.inbound.size > 50_000) this.inbound.delete(this.inbound.keys().next().value as string)
    }
    if (entry.signers.has(from)) return
    entry.signers.add(from)
    entry.env = { tx, proofs: [...entry.env.proofs, env.proofs[0]!] }
    if (!entry.submitted && entry.signers.size >= entry.needed) {
      entry.submitted = true
      this.counters.callsAccepted++
      this.rememberVerified(id)
      await replica.step({ type: 'submit', tx: entry.env })
    }
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────────

  private sendTo (peer: string, m: NodeMessage): void {
    if (this.closed) return
    if (peer === this.id) {
      const data = encodeNodeMessage(m)
      queueMicrotask(() => this.onMessage(this.id, data))
      return
    }
    this.opts.transport.send(peer, encodeNodeMessage(m))
  }

  private onMessage (from: string, data: Uint8Array): void {
    if (this.closed) return
    let m: NodeMessage
    try {
      m = decodeNodeMessage(data)
    } catch {
      this.counters.malformed++
      return
    }
    void this.handle(from, m).catch(() => { this.counters.malformed++ })
  }

  private async handle (from: string, m: NodeMessage): Promise<void> {
    switch (m.t) {
      case 'ord': {
        const r = this.replicas.get(m.shard)
        if (r !== undefined) await r.step({ type: 'message', from, data: m.data })
        return
      }
      case 'form': return await this.onForm(from, m.config, m.env)
      case 'submit': {
        if (from !== this.id && !this.verifiedTxs.has(txId(m.env.tx))) {
          await this.admitClient(m.env)
        }
        this.route(m.env, m.ttl)
        return
      }
      case 'call': return await this.onCall(from, m.env, m.caller)
      case 'join': {
        // A member tells this node it was added to a shard: host it from its first
        // configuration and catch up every block (the orderer fetches them from members and
        // advances through the configuration epochs until this node is a member).
        if (this.replicas.has(m.shard) || this.opening.has(m.shard)) return
        if (m.config.contract !== m.shard || m.config.version !== 0) return
        if (this.identityOf(from) === undefined) return
        for (const cert of m.certs) {
          try {
            const who = await verifyCertificate(this.opts.genesis, cert, { nowMs: this.now(), kind: 'node' })
            if (who.peerId !== undefined && who.peerId !== this.id) this.known.set(who.peerId, who)
          } catch { /* an invalid certificate teaches nothing */ }
        }
        this.joining.set(m.shard, this.now())
        await this.replica(m.shard, m.config)
        return
      }
      case 'rq': {
        const r = this.replicas.get(m.shard)
        if (r === undefined) return
        const needed = matchingResultsNeeded(r.config())
        const receipt = await this.opts.store.getReceipt(m.txId)
        if (receipt !== undefined) { this.sendTo(from, { t: 'rr', txId: m.txId, receipt, needed }); return }
        const waiters = this.receiptWaiters.get(m.txId) ?? new Set()
        waiters.add(from)
        this.receiptWaiters.set(m.txId, waiters)
        return
      }
      case 'cq': {
        const r = this.replicas.get(m.shard)
        if (r === undefined || !this.isMemberOf(m.shard)) { this.sendTo(from, { t: 'ca', shard: m.shard, config: null, height: -1, name: null, methods: [] }); return }
        const record = r.contract()
        this.sendTo(from, { t: 'ca', shard: m.shard, config: r.config(), height: r.status().height, name: record?.name ?? null, methods: record?.methods ?? [] })
        return
      }
      case 'ca': {
        this.onContractAnswer(from, m)
        return
      }
      case 'tq': {
        const receipt = await this.opts.store.getReceipt(m.txId)
        this.sendTo(from, { t: 'ta', txId: m.txId, shard: receipt?.shard ?? null })
        return
      }
      case 'ta': {
        for (const f of this.txFinds.get(m.txId) ?? []) f(from, m.shard)
        return
      }
      case 'rr': {
        if (m.receipt === null) return
        for (const c of this.collectors.get(m.txId) ?? []) this.collect(c, from, m.receipt, m.needed)
      }
    }
  }

  private collect (c: Collector, from: string, receipt: Receipt, needed: number): void {
    if (receipt.shard !== c.shard) return
    c.needed = Math.max(c.needed, needed)
    const key = toHex(receiptDigest(receipt))
    const entry = c.answers.get(key) ?? { receipt, from: new Set<string>() }
    entry.from.add(from)
    c.answers.set(key, entry)
    for (const e of c.answers.values()) {
      if (e.from.size >= c.needed) { c.done({ receipt: e.receipt, matching: e.from.size, needed: c.needed }); return }
    }
  }

  private dropCollector (id: string, c: Collector): void {
    const list = this.collectors.get(id)
    if (list === undefined) return
    const i = list.indexOf(c)
    if (i >= 0) list.splice(i, 1)
    if (list.length === 0) this.collectors.delete(id)
  }

  private emit (e: NodeEvent): void {
    for (const l of this.listeners) {
      try { l(e) } catch { /* a listener's fault is its own */ }
    }
  }

  private now (): number {
    return this.opts.now?.() ?? Date.now()
  }
}

