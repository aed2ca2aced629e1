// The locator (paper §2.2, Algorithm 1): brings a message for contract X to a member of X's
// shard. Each node forwards to the admitted neighbour closest to X (XOR over SHA-256, the
// kad-dht key space). When the node itself is the closest it knows but is not a member, it asks
// the DHT for closer peers beyond its neighbours, then tries the next-closest ones; if the
// whole search fails, the origin tells its client "still locating" and floods with a hop limit.
// Every message carries a TTL, a visited set and a time budget, so nothing loops or waits
// forever. Deploys use the same search to reach the closest node, which forms the shard.
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, Stream } from '@libp2p/interface'
import { BetascoError, isBetascoError } from '../core/errors.ts'
import type { ErrorCode } from '../core/errors.ts'
import { toHex } from '../core/bytes.ts'
import { LIMITS } from '../core/limits.ts'
import { bytes, int, list, oneOf, record, str } from '../core/shape.ts'
import { HEX32, decodeEnvelope, encodeEnvelope } from '../core/transaction.ts'
import type { Envelope } from '../core/transaction.ts'
import { verifyEnvelope } from '../crypto/envelope.ts'
import type { Genesis } from '../crypto/genesis.ts'
import { withTimeout } from './admission.ts'
import type { Admission } from './admission.ts'
import { compareDistance, contractDhtKey, contractKadId, sortByDistance } from './distance.ts'
import { protocolId, readFrame, writeFrame } from './frames.ts'
import type { BetascoLibp2p } from './node.ts'

/** A shard member as the locator hands it to the shard layer (ShardConfig + how to dial it). */
export interface Member {
  peerId: string
  org: string
  addrs: string[]
}

/** Which contracts this node is a member of: the shard layer's recorded configurations. */
export interface MembershipView {
  isMember (contract: string): boolean
  /** Called on every member when a deploy formed a shard (version 0 of its configuration). */
  record (contract: string, members: Member[]): void
  membersOf (contract: string): Member[] | undefined
}

/** In-memory membership (tests, and until the shard layer passes its own). */
export class MemoryMembership implements MembershipView {
  private readonly shards = new Map<string, Member[]>()
  private readonly self: () => string
  constructor (self: () => string) { this.self = self }
  isMember (contract: string): boolean { return this.shards.get(contract)?.some(m => m.peerId === this.self()) ?? false }
  record (contract: string, members: Member[]): void { this.shards.set(contract, members) }
  membersOf (contract: string): Member[] | undefined { return this.shards.get(contract) }
}

export interface Delivery {
  contract: string
  payload: Uint8Array
  /** Network hops from the entry node to this member. */
  hops: number
  /** Peers the message went through, entry node first. */
  path: string[]
  flooded: boolean
}

export type DeliveryHandler = (d: Delivery) => Promise<Uint8Array>

export interface RouteResult {
  deliveredBy: string
  hops: number
  path: string[]
  response: Uint8Array
  flooded: boolean
}

export interface DeployResult {
  members: Member[]
  /** Hops from the entry node to the first (closest) member. */
  hops: number
}

export interface LocatorOptions {
  genesis: Genesis
  node: BetascoLibp2p
  admission: Admission
  membership?: MembershipView
  nowMs?: () => number
  /** TTL of a greedy search (Algorithm 1). */
  maxHops?: number
  /** Hop limit of the fallback flood. */
  floodHops?: number
  /** Time budget of one route, end to end. */
  routeTimeoutMs?: number
  /** How many next-closest candidates one node tries before giving up (backtracking). */
  maxTriesPerNode?: number
  /** Consortium rule (DESIGN §2): members span at least min(k, minOrgs) organizations. */
  minOrgs?: number
  /** Use the DHT to find peers closer than the neighbours (off: neighbours only). */
  useDht?: boolean
  /** Time limit of one DHT lookup; what it found by then is used. */
  dhtTimeoutMs?: number
  maxPayloadBytes?: number
}

export interface LocatorStats {
  received: number
  forwarded: number
  delivered: number
  floods: number
  dhtLookups: number
}

type Kind = 'route' | 'flood' | 'deploy' | 'join'

interface Request {
  v: 1
  id: string
  kind: Kind
  contract: string
  payload: Uint8Array
  ttl: number
  budgetMs: number
  visited: string[]
  path: string[]
  /** deploy/join: shard size */
  k: number
  /** join: members so far and the remaining candidates (with addresses), closest first */
  members: Member[]
  candidates: Member[]
}

type Response =
  | { v: 1, ok: true, by: string, path: string[], result: Uint8Array, members: Member[] }
  | { v: 1, ok: false, code: ErrorCode, message: string, visited: string[] }

const MAX_VISITED = 512
const MAX_ADDRS = 16
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{1,128}$/
const SEEN_LIMIT = 4096
const MIN_HOP_BUDGET_MS = 200

export class Locator {
  readonly protocol: string
  readonly stats: LocatorStats = { received: 0, forwarded: 0, delivered: 0, floods: 0, dhtLookups: 0 }
  readonly membership: MembershipView
  private readonly genesis: Genesis
  private readonly node: BetascoLibp2p
  private readonly admission: Admission
  private readonly nowMs: () => number
  private readonly maxHops: number
  private readonly floodHops: number
  private readonly routeTimeoutMs: number
  private readonly maxTries: number
  private readonly minOrgs: number
  private readonly useDht: boolean
  private readonly dhtTimeoutMs: number
  private readonly maxFrameBytes: number
  private readonly maxPayloadBytes: number
  private readonly seenFloods = new Set<string>()
  private handler: DeliveryHandler | undefined
  private deployHandler: ((contract: string, members: Member[], payload: Uint8Array) => void) | undefined
  private started = false

  constructor (opts: LocatorOptions) {
    this.genesis = opts.genesis
    this.node = opts.node
    this.admission = opts.admission
    this.membership = opts.membership ?? new MemoryMembership(() => this.self)
    this.nowMs = opts.nowMs ?? Date.now
    this.maxHops = opts.maxHops ?? 16
    this.floodHops = opts.floodHops ?? 4
    this.routeTimeoutMs = opts.routeTimeoutMs ?? 20_000
    this.maxTries = opts.maxTriesPerNode ?? 4
    this.minOrgs = opts.minOrgs ?? 2
    this.useDht = (opts.useDht ?? true) && opts.node.services.dht !== undefined
    this.dhtTimeoutMs = opts.dhtTimeoutMs ?? 2000
    this.maxPayloadBytes = opts.maxPayloadBytes ?? LIMITS.maxTxBytes + 64 * 1024
    this.maxFrameBytes = this.maxPayloadBytes + 128 * 1024
    this.protocol = protocolId(opts.genesis, 'locate')
  }

  get self (): string { return this.node.peerId.toString() }

  /** The shard layer's entry point for messages that reached a member. */
  handle (fn: DeliveryHandler): void { this.handler = fn }
  /** Called on each member once a deploy formed the shard. */
  onDeploy (fn: (contract: string, members: Member[], payload: Uint8Array) => void): void { this.deployHandler = fn }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    await this.node.handle(this.protocol, (stream, conn) => this.onStream(stream, conn), { maxInboundStreams: 256, maxOutboundStreams: 256 })
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.node.unhandle(this.protocol).catch(() => {})
  }

  /** Admitted peers connected now: the "known peers" of Algorithm 1. */
  neighbours (): string[] {
    return [...this.admission.peers().keys()].filter(p => this.node.getConnections(peerIdFromString(p)).length > 0)
  }

  /**
   * First hop (paper §2.1): verifies a client's signed transaction (certificate chain to a
   * genesis organization, signature, sender) and refuses outsiders before anything is sent.
   * Then routes it to its contract's shard (a deploy forms the shard).
   */
  async submit (env: Envelope | Uint8Array, opts: { k?: number, onStatus?: (code: 'STILL_LOCATING') => void } = {}): Promise<RouteResult | DeployResult> {
    const envelope = env instanceof Uint8Array ? decodeEnvelope(env) : env
    try {
      await verifyEnvelope(this.genesis, envelope, this.nowMs())
    } catch (err) {
      if (isBetascoError(err)) throw new BetascoError(err.code, `transaction refused at the first hop: ${err.message}`)
      throw err
    }
    const payload = encodeEnvelope(envelope)
    if (envelope.tx.kind === 'deploy') {
      const k = opts.k ?? envelope.tx.deploy?.shardSize ?? 1
      return await this.deploy(envelope.tx.contract, k, payload)
    }
    return await this.route(envelope.tx.contract, payload, opts)
  }

  /** Routes a payload to a member of the contract's shard and returns the member's answer. */
  async route (contract: string, payload: Uint8Array, opts: { onStatus?: (code: 'STILL_LOCATING') => void } = {}): Promise<RouteResult> {
    this.checkArgs(contract, payload)
    const deadline = this.nowMs() + this.routeTimeoutMs
    // the search gets 60 % of the time, so the flood still has some when the search fails
    const req = { ...this.newRequest('route', contract, payload, 0), budgetMs: Math.floor(this.routeTimeoutMs * 0.6) }
    let res = await this.process(req)
    const searched = res.ok ? 0 : res.visited.length
    let flooded = false
    if (!res.ok && res.code === 'NOT_FOUND') {
      // Algorithm 1, last resort: tell the client and flood with a hop limit
      opts.onStatus?.('STILL_LOCATING')
      const budgetMs = deadline - this.nowMs()
      if (budgetMs > MIN_HOP_BUDGET_MS) {
        this.stats.floods++
        flooded = true
        res = await this.process({ ...this.newRequest('flood', contract, payload, 0), budgetMs, ttl: this.floodHops })
      }
    }
    if (!res.ok) {
      if (res.code === 'NOT_FOUND') throw new BetascoError('UNREACHABLE', `no member of contract ${contract.slice(0, 16)}… was reached (the search visited ${searched} peers${flooded ? `, then a ${this.floodHops}-hop flood found none` : ', no time was left to flood'})`)
      throw new BetascoError(res.code, res.message)
    }
    return { deliveredBy: res.by, hops: res.path.length - 1, path: res.path, response: res.result, flooded }
  }

  /**
   * Shard formation at deploy (paper §2.2): the deploy travels to the node closest to the
   * contract, which becomes the first member and passes it on, with the members' addresses, to
   * the next-closest, until k members know each other and are connected. Every member records
   * the membership; the entry node returns it (the shard layer writes ShardConfig version 0).
   */
  async deploy (contract: string, k: number, payload: Uint8Array): Promise<DeployResult> {
    this.checkArgs(contract, payload)
    if (!Number.isInteger(k) || k < 1 || k > LIMITS.maxShardMembers) throw new BetascoError('BAD_ARGUMENT', `shard size must be 1..${LIMITS.maxShardMembers}, got ${k}`)
    const res = await this.process(this.newRequest('deploy', contract, payload, k))
    if (!res.ok) throw new BetascoError(res.code === 'NOT_FOUND' ? 'UNREACHABLE' : res.code, res.message)
    return { members: res.members, hops: Math.max(0, res.path.indexOf(res.members[0]?.peerId ?? res.by)) }
  }

  /**
   * DHT lookup: peers closest to the contract in the whole network, closest first. Peers named
   * in intermediate answers count too, so a slow query still gives what it learnt in time.
   */
  async closestPeers (contract: string, count = 20, timeoutMs = 2000): Promise<string[]> {
    const dht = this.node.services.dht
    if (dht === undefined) throw new BetascoError('NOT_IMPLEMENTED', 'this node runs without a DHT (node option dht: false)')
    this.stats.dhtLookups++
    const found = new Set<string>()
    const signal = timeoutSignal(timeoutMs)
    try {
      for await (const ev of dht.getClosestPeers(contractDhtKey(contract), { signal })) {
        if (ev.name === 'FINAL_PEER') found.add(ev.peer.id.toString())
        else if (ev.name === 'PEER_RESPONSE') for (const p of ev.closer) found.add(p.id.toString())
      }
    } catch {
      // a failed or timed-out lookup leaves what was found so far
    }
    found.delete(this.self)
    return sortByDistance(contract, found).slice(0, count)
  }

  // ---- protocol ----

  private async onStream (stream: Stream, conn: Connection): Promise<void> {
    const remote = conn.remotePeer.toString()
    if (!this.admission.isAdmitted(remote)) {
      stream.abort(new BetascoError('NOT_ADMITTED', `peer ${remote} is not admitted`))
      return
    }
    let req: Request
    try {
      req = parseRequest(await withTimeout(readFrame(stream, this.maxFrameBytes), 10_000))
      if (req.path[req.path.length - 1] !== remote) throw new BetascoError('PROTOCOL_ERROR', 'the path does not end with the sending peer')
    } catch (err) {
      stream.abort(err as Error) // malformed: this stream closes, the node goes on
      return
    }
    this.stats.received++
    const res = await this.process(req).catch((err: unknown): Response => fail(err, req.visited))
    try {
      await writeFrame(stream, res, this.maxFrameBytes)
      await stream.close()
    } catch (err) {
      stream.abort(err as Error)
    }
  }

  private newRequest (kind: Kind, contract: string, payload: Uint8Array, k: number): Request {
    return {
      v: 1,
      id: toHex(globalThis.crypto.getRandomValues(new Uint8Array(16))),
      kind,
      contract,
      payload,
      ttl: this.maxHops,
      budgetMs: this.routeTimeoutMs,
      visited: [],
      path: [],
      k,
      members: [],
      candidates: []
    }
  }

  /** One node's step of the search, for a request that arrived (or started) here. */
  private async process (req: Request): Promise<Response> {
    const deadline = this.nowMs() + req.budgetMs
    const path = [...req.path, this.self]
    if (req.kind === 'join') return await this.join(req, path, deadline)
    if (req.kind === 'flood') return await this.flood(req, path, deadline)
    if (this.membership.isMember(req.contract)) {
      if (req.kind === 'deploy') return { v: 1, ok: true, by: this.self, path, result: new Uint8Array(0), members: this.membership.membersOf(req.contract) ?? [] }
      return await this.deliver(req, path, false)
    }
    let visited = addVisited(req.visited, this.self)
    const target = contractKadId(req.contract)
    const unvisited = (peers: Iterable<string>): string[] => sortByDistance(req.contract, [...peers].filter(p => !visited.includes(p) && p !== this.self))
    let candidates = unvisited(this.neighbours())
    const closerThanSelf = (p: string): boolean => compareDistance(target, p, this.self) < 0
    if (candidates[0] === undefined || !closerThanSelf(candidates[0])) {
      // Algorithm 1: this node is the closest it knows; look beyond the neighbours
      if (this.useDht && deadline - this.nowMs() > MIN_HOP_BUDGET_MS) {
        // a deploy waits longer: the shard's first member must really be the closest node
        const lookupMs = req.kind === 'deploy' ? 4 * this.dhtTimeoutMs : this.dhtTimeoutMs
        const beyond = (await this.closestPeers(req.contract, 20, Math.min(lookupMs, (deadline - this.nowMs()) / 2))).filter(closerThanSelf)
        candidates = unvisited([...beyond, ...candidates])
      }
      if (req.kind === 'deploy' && (candidates[0] === undefined || !closerThanSelf(candidates[0]))) {
        return await this.formShard(req, path, deadline)
      }
    }
    if (req.ttl <= 0) return { v: 1, ok: false, code: 'NOT_FOUND', message: 'hop limit reached', visited }
    // forward to the closest first; on failure the next-closest (bounded backtracking)
    let tries = 0
    for (const next of candidates) {
      if (tries >= this.maxTries || deadline - this.nowMs() < MIN_HOP_BUDGET_MS || visited.length >= MAX_VISITED) break
      if (visited.includes(next)) continue
      tries++
      visited = addVisited(visited, next)
      const res = await this.forward(next, { ...req, ttl: req.ttl - 1, visited, path, budgetMs: this.childBudget(deadline) })
      if (res.ok || res.code !== 'NOT_FOUND') return res
      for (const v of res.visited) visited = addVisited(visited, v)
    }
    return { v: 1, ok: false, code: 'NOT_FOUND', message: `no member found from ${this.self}`, visited }
  }

  private async deliver (req: Request, path: string[], flooded: boolean): Promise<Response> {
    const handler = this.handler
    if (handler === undefined) return { v: 1, ok: false, code: 'NOT_IMPLEMENTED', message: `member ${this.self} has no delivery handler`, visited: [] }
    this.stats.delivered++
    const result = await handler({ contract: req.contract, payload: req.payload, hops: path.length - 1, path, flooded })
    if (result.length > this.maxPayloadBytes) throw new BetascoError('TOO_LARGE', `answer of ${result.length} bytes exceeds ${this.maxPayloadBytes}`)
    return { v: 1, ok: true, by: this.self, path, result, members: [] }
  }

  /** Flood with a hop limit: every node passes it to all neighbours once (seen set by ID). */
  private async flood (req: Request, path: string[], deadline: number): Promise<Response> {
    const visited = addVisited(req.visited, this.self)
    if (this.seenFloods.has(req.id)) return { v: 1, ok: false, code: 'NOT_FOUND', message: 'flood seen', visited }
    if (this.seenFloods.size >= SEEN_LIMIT) this.seenFloods.clear()
    this.seenFloods.add(req.id)
    if (this.membership.isMember(req.contract)) {
      const res = await this.deliver(req, path, true)
      return res
    }
    if (req.ttl <= 0) return { v: 1, ok: false, code: 'NOT_FOUND', message: 'flood hop limit reached', visited }
    const next = this.neighbours().filter(p => !path.includes(p))
    if (next.length === 0) return { v: 1, ok: false, code: 'NOT_FOUND', message: 'flood: no neighbours left', visited }
    const budgetMs = this.childBudget(deadline)
    const attempts = next.map(async p => {
      const res = await this.forward(p, { ...req, ttl: req.ttl - 1, visited: [], path, budgetMs })
      if (!res.ok) throw new BetascoError(res.code, res.message)
      return res
    })
    try {
      return await Promise.any(attempts)
    } catch (err) {
      const errors = err instanceof AggregateError ? err.errors : []
      const real = errors.find(e => isBetascoError(e) && e.code !== 'NOT_FOUND' && e.code !== 'UNREACHABLE' && e.code !== 'TIMEOUT')
      if (real !== undefined) return fail(real, visited)
      return { v: 1, ok: false, code: 'NOT_FOUND', message: 'flood found no member', visited }
    }
  }

  /** This node is the closest to the contract: it becomes the first member and starts the chain. */
  private async formShard (req: Request, path: string[], deadline: number): Promise<Response> {
    const pool = new Set<string>([...this.neighbours()])
    if (this.useDht) for (const p of await this.closestPeers(req.contract, Math.max(20, 2 * req.k), Math.min(4 * this.dhtTimeoutMs, Math.max(MIN_HOP_BUDGET_MS, (deadline - this.nowMs()) / 3)))) pool.add(p)
    pool.delete(this.self)
    const sorted = sortByDistance(req.contract, pool).slice(0, Math.max(4 * req.k, 16))
    // the organizations of candidates are known once they are admitted
    const orgOf = new Map<string, string>([[this.self, this.admission.ownOrg]])
    for (const p of sorted) {
      if (orgOf.size > 2 * req.k + 1 || deadline - this.nowMs() < MIN_HOP_BUDGET_MS) break
      const who = await this.ensureAdmitted(p, Math.min(3000, deadline - this.nowMs())).catch(() => undefined)
      if (who !== undefined) orgOf.set(p, who)
    }
    const chosen = selectMembers(req.contract, [...orgOf].map(([peerId, org]) => ({ peerId, org })), req.k, this.minOrgs)
    if (!chosen.includes(this.self)) chosen.splice(chosen.length - 1, 1, this.self) // the closest node is always the first member
    const ordered = sortByDistance(req.contract, chosen).filter(p => p !== this.self)
    // spares: the next-closest admitted peers stand in for chosen ones that fail to join
    const spares = sortByDistance(req.contract, [...orgOf.keys()]).filter(p => p !== this.self && !ordered.includes(p))
    const candidates: Member[] = []
    for (const p of [...ordered, ...spares]) candidates.push({ peerId: p, org: orgOf.get(p)!, addrs: await this.addressesOf(p) })
    return await this.join({ ...req, kind: 'join', members: [], candidates, budgetMs: deadline - this.nowMs() }, path, deadline)
  }

  /** One link of the formation chain: join, connect to the members so far, pass it on. */
  private async join (req: Request, path: string[], deadline: number): Promise<Response> {
    const selfInfo = this.memberInfo()
    const members = req.members.filter(m => m.peerId !== this.self)
    // connect directly to the members so far (paper: the deploy carries their addresses)
    for (const m of members) {
      if (this.admission.isAdmitted(m.peerId)) continue
      await this.dialMember(m, Math.min(3000, deadline - this.nowMs())).catch(() => {})
    }
    const soFar = [...members, selfInfo]
    let candidates = req.candidates.filter(c => c.peerId !== this.self && !soFar.some(m => m.peerId === c.peerId))
    while (soFar.length < req.k && candidates.length > 0 && deadline - this.nowMs() > MIN_HOP_BUDGET_MS) {
      const next = candidates[0]!
      candidates = candidates.slice(1)
      if (!this.admission.isAdmitted(next.peerId)) {
        const reached = await this.dialMember(next, Math.min(3000, deadline - this.nowMs())).then(() => true, () => false)
        if (!reached) continue
      }
      const res = await this.forward(next.peerId, { ...req, kind: 'join', members: soFar, candidates, path, visited: [], ttl: req.ttl, budgetMs: this.childBudget(deadline) })
      if (res.ok) {
        this.recordShard(req.contract, res.members, req.payload)
        return { ...res, path: res.path }
      }
      // that candidate is gone: the next-closest takes its place
    }
    this.recordShard(req.contract, soFar, req.payload)
    return { v: 1, ok: true, by: this.self, path, result: new Uint8Array(0), members: soFar }
  }

  private recordShard (contract: string, members: Member[], payload: Uint8Array): void {
    this.membership.record(contract, members)
    this.deployHandler?.(contract, members, payload)
  }

  private memberInfo (): Member {
    return { peerId: this.self, org: this.admission.ownOrg, addrs: this.node.getMultiaddrs().map(String).slice(0, MAX_ADDRS) }
  }

  /** Dialable addresses of a peer as its identify told us, each ending in /p2p/<peer ID>. */
  private async addressesOf (peer: string): Promise<string[]> {
    try {
      const info = await this.node.peerStore.get(peerIdFromString(peer))
      return info.addresses.map(a => a.multiaddr.toString()).filter(a => !a.includes('/p2p-circuit') || a.includes('/webrtc')).slice(0, MAX_ADDRS).map(a => a.includes('/p2p/') ? a : `${a}/p2p/${peer}`)
    } catch {
      return []
    }
  }

  private async dialMember (m: Member, timeoutMs: number): Promise<void> {
    const addrs = m.addrs.map(a => multiaddr(a)).filter(a => a.getComponents().some(c => c.name === 'p2p' && c.value === m.peerId))
    const signal = timeoutSignal(Math.max(MIN_HOP_BUDGET_MS, timeoutMs))
    if (addrs.length > 0) await this.node.dial(addrs, { signal })
    else await this.node.dial(peerIdFromString(m.peerId), { signal })
    await this.admission.waitFor(m.peerId, timeoutMs)
  }

  /** Dials a peer (found through the DHT) if needed and returns its organization once admitted. */
  private async ensureAdmitted (peer: string, timeoutMs: number): Promise<string> {
    const known = this.admission.identityOf(peer)
    if (known !== undefined) return known.org
    await this.node.dial(peerIdFromString(peer), { signal: timeoutSignal(Math.max(MIN_HOP_BUDGET_MS, timeoutMs)) })
    return (await this.admission.waitFor(peer, timeoutMs)).org
  }

  private childBudget (deadline: number): number {
    // leave this node time to try the next candidate if the child fails
    return Math.max(MIN_HOP_BUDGET_MS, Math.floor((deadline - this.nowMs()) * 0.8))
  }

  /** Sends a request to one peer and waits for its answer; failures are NOT_FOUND from there. */
  private async forward (peer: string, req: Request): Promise<Response> {
    const notFound = (message: string): Response => ({ v: 1, ok: false, code: 'NOT_FOUND', message, visited: [peer] })
    let stream: Stream | undefined
    try {
      // a peer found through the DHT is dialled first; a dead or slow one must not eat the budget
      await this.ensureAdmitted(peer, Math.min(2000, req.budgetMs / 2))
      this.stats.forwarded++
      const signal = timeoutSignal(req.budgetMs)
      stream = await this.node.dialProtocol(peerIdFromString(peer), this.protocol, { signal })
      await writeFrame(stream, req, this.maxFrameBytes, { signal })
      const res = parseResponse(await withTimeout(readFrame(stream, this.maxFrameBytes), req.budgetMs))
      await stream.close().catch(() => {})
      return res
    } catch (err) {
      stream?.abort(err as Error)
      return notFound(`${peer} failed: ${(err as Error).message}`)
    }
  }

  private checkArgs (contract: string, payload: Uint8Array): void {
    if (!this.started) throw new BetascoError('CLOSED', 'the locator is not started')
    if (!HEX32.test(contract)) throw new BetascoError('BAD_ARGUMENT', 'contract ID must be 64 hex digits')
    if (!(payload instanceof Uint8Array)) throw new BetascoError('BAD_ARGUMENT', 'payload must be bytes')
    if (payload.length > this.maxPayloadBytes) throw new BetascoError('TOO_LARGE', `payload of ${payload.length} bytes exceeds ${this.maxPayloadBytes}`)
  }
}

/**
 * The members of a new shard: the k peers closest to the contract, subject to spanning at least
 * min(k, minOrgs) organizations (DESIGN §2): the farthest members of over-represented
 * organizations give way to the closest peers of missing ones. Then, when none of them keeps a
 * durable ledger (`durable: false`: browser tabs, whose storage the browser may delete) and some
 * other peer does, the closest such peer replaces the farthest member it can without breaking
 * the organization rule, so a shard never lives in tabs alone while a Node peer is available.
 */
export function selectMembers (contract: string, peers: Array<{ peerId: string, org: string, durable?: boolean }>, k: number, minOrgs: number): string[] {
  const chosen = spanOrganizations(contract, peers, k, minOrgs)
  const durable = new Set(peers.filter(p => p.durable !== false).map(p => p.peerId))
  if (chosen.length === 0 || chosen.some(p => durable.has(p))) return chosen
  const orgOf = new Map(peers.map(p => [p.peerId, p.org]))
  const incoming = sortByDistance(contract, durable).find(p => !chosen.includes(p))
  if (incoming === undefined) return chosen
  const need = Math.min(k, minOrgs, new Set(orgOf.values()).size)
  for (let i = chosen.length - 1; i >= 0; i--) {
    const next = [...chosen.slice(0, i), ...chosen.slice(i + 1), incoming]
    if (new Set(next.map(p => orgOf.get(p)!)).size >= Math.min(need, new Set(chosen.map(p => orgOf.get(p)!)).size)) return sortByDistance(contract, next)
  }
  return chosen
}

function spanOrganizations (contract: string, peers: Array<{ peerId: string, org: string }>, k: number, minOrgs: number): string[] {
  const orgOf = new Map(peers.map(p => [p.peerId, p.org]))
  const sorted = sortByDistance(contract, orgOf.keys())
  const chosen = sorted.slice(0, k)
  const rest = sorted.slice(k)
  const need = Math.min(k, minOrgs, new Set(orgOf.values()).size)
  const orgs = (): Set<string> => new Set(chosen.map(p => orgOf.get(p)!))
  while (orgs().size < need) {
    const have = orgs()
    const incoming = rest.find(p => !have.has(orgOf.get(p)!))
    if (incoming === undefined) break
    // the farthest chosen peer whose organization appears more than once
    const counts = new Map<string, number>()
    for (const p of chosen) counts.set(orgOf.get(p)!, (counts.get(orgOf.get(p)!) ?? 0) + 1)
    let out = -1
    for (let i = chosen.length - 1; i >= 0; i--) if ((counts.get(orgOf.get(chosen[i]!)!) ?? 0) > 1) { out = i; break }
    if (out < 0) break
    chosen.splice(out, 1)
    rest.splice(rest.indexOf(incoming), 1)
    chosen.push(incoming)
  }
  return sortByDistance(contract, chosen)
}

function timeoutSignal (ms: number): AbortSignal {
  return AbortSignal.timeout(Math.max(1, Math.floor(ms)))
}

function addVisited (visited: string[], peer: string): string[] {
  if (visited.includes(peer)) return visited
  return visited.length >= MAX_VISITED ? visited : [...visited, peer]
}

function fail (err: unknown, visited: string[]): Response {
  if (isBetascoError(err)) return { v: 1, ok: false, code: err.code, message: err.message.slice(0, LIMITS.maxErrorMessageLength), visited }
  return { v: 1, ok: false, code: 'INTERNAL', message: String((err as Error)?.message ?? err).slice(0, LIMITS.maxErrorMessageLength), visited }
}

const peerIdStr = (x: unknown, p: string): string => str(x, p, 128, PEER_ID)

function parseMember (x: unknown, p: string): Member {
  const o = record(x, p, ['peerId', 'org', 'addrs'])
  return { peerId: peerIdStr(o.peerId, `${p}.peerId`), org: str(o.org, `${p}.org`, LIMITS.maxOrgNameLength), addrs: list(o.addrs, `${p}.addrs`, MAX_ADDRS, (a, q) => str(a, q, 512)) }
}

function parseRequest (v: unknown): Request {
  const o = record(v, 'locate', ['v', 'id', 'kind', 'contract', 'payload', 'ttl', 'budgetMs', 'visited', 'path', 'k', 'members', 'candidates'])
  int(o.v, 'locate.v', 1, 1)
  return {
    v: 1,
    id: str(o.id, 'locate.id', 32, /^[0-9a-f]{32}$/),
    kind: oneOf(o.kind, 'locate.kind', ['route', 'flood', 'deploy', 'join'] as const),
    contract: str(o.contract, 'locate.contract', 64, HEX32),
    payload: bytes(o.payload, 'locate.payload', 0, LIMITS.maxTxBytes + 64 * 1024),
    ttl: int(o.ttl, 'locate.ttl', 0, 64),
    budgetMs: int(o.budgetMs, 'locate.budgetMs', 0, 120_000),
    visited: list(o.visited, 'locate.visited', MAX_VISITED, peerIdStr),
    path: list(o.path, 'locate.path', 80, peerIdStr),
    k: int(o.k, 'locate.k', 0, LIMITS.maxShardMembers),
    members: list(o.members, 'locate.members', LIMITS.maxShardMembers, parseMember),
    candidates: list(o.candidates, 'locate.candidates', 4 * LIMITS.maxShardMembers, parseMember)
  }
}

function parseResponse (v: unknown): Response {
  const o = record(v, 'locate reply', ['v', 'ok'], ['by', 'path', 'result', 'members', 'code', 'message', 'visited'])
  int(o.v, 'reply.v', 1, 1)
  if (o.ok === true) {
    return {
      v: 1,
      ok: true,
      by: peerIdStr(o.by, 'reply.by'),
      path: list(o.path, 'reply.path', 80, peerIdStr),
      result: bytes(o.result, 'reply.result', 0, LIMITS.maxTxBytes + 64 * 1024),
      members: list(o.members, 'reply.members', LIMITS.maxShardMembers, parseMember)
    }
  }
  return {
    v: 1,
    ok: false,
    code: str(o.code, 'reply.code', 64, /^[A-Z_]+$/) as ErrorCode,
    message: str(o.message, 'reply.message', LIMITS.maxErrorMessageLength + 16),
    visited: list(o.visited, 'reply.visited', MAX_VISITED, peerIdStr)
  }
}
