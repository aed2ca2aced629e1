// The composition root of a node in a browser tab: the same BetascoNode as a Node peer, with the
// browser's choices — a dial-only libp2p node (WebSockets to Node peers and the host's relay,
// WebRTC to other tabs, signalled through the relay where it holds a reservation), the ledger in
// IndexedDB and contracts in Web Workers. It also finds the other peers through the host's
// directory (web/peers) and keeps a bounded set of connections to them.
import { multiaddr } from '@multiformats/multiaddr'
import { identityId, signEnvelope, type Genesis, type Identity } from '../src/crypto/index.ts'
import { networkId } from '../src/crypto/genesis.ts'
import { contractIdFor, txId, type Envelope, type TxBody } from '../src/core/transaction.ts'
import type { ConsensusKind } from '../src/core/shard-config.ts'
import type { Json } from '../src/core/shape.ts'
import type { Receipt } from '../src/core/receipt.ts'
import { ContractPool } from '../src/contract/pool.ts'
import { IndexedDbLedgerStore } from '../src/storage/indexeddb.ts'
import { BetascoError } from '../src/core/index.ts'
import { createNetworkPeer, type NetworkPeer } from '../src/network/peer.ts'
import { BetascoNode, type HostedContract, type NodeEvent, type ReceiptAnswer } from '../src/node/node.ts'
import { Libp2pTransport } from '../src/node/libp2p-transport.ts'
import type { OrdererParams } from '../src/consensus/index.ts'
import { webContractWorkers } from './contract-workers.ts'

export interface DirectoryEntry {
  peerId: string
  org: string
  name: string
  /** Dialable addresses: WebSockets for Node peers, relay circuits with /webrtc for tabs. */
  addrs: string[]
  tab: boolean
}

/** A contract the host's node hosts, as web/contracts lists it. */
export type HostContract = HostedContract

export interface TabNodeOptions {
  genesis: Genesis
  node: Identity
  user: Identity
  /** The host's relay, `/ip4/…/tcp/…/ws/p2p/<relay>`. */
  relayAddrs: string[]
  /** Where the host lists the network's peers (GET → DirectoryEntry[]); none: relays only. */
  directoryUrl?: string
  /** Where the host lists the contracts its node hosts (GET → { contracts }), for the views. */
  contractsUrl?: string
  params?: Partial<OrdererParams>
  /** ICE servers for WebRTC (the host's choice; [] on a LAN or loopback network). */
  iceServers?: RTCIceServer[]
  /** Upper bound on peer connections (Chrome allows ~500 RTCPeerConnections per tab's life). */
  maxPeers?: number
  directoryEveryMs?: number
  /**
   * This identity's node opened its ledger in this browser before. If the ledger is gone
   * (Chromium deletes an origin's IndexedDB it finds corrupt), start refuses with LEDGER_LOST
   * rather than come back as a shard member that holds nothing.
   */
  ledgerExisted?: boolean
}

export interface ConnectionInfo {
  peerId: string
  addr: string
  /** 'webrtc' (tab to tab), 'websockets' (to a Node peer), 'circuit' (relayed, limited). */
  transport: 'webrtc' | 'websockets' | 'circuit' | 'other'
  direction: 'inbound' | 'outbound'
  admitted: boolean
  /** Protocols of the streams open on this connection (the shard protocol carries consensus). */
  protocols: string[]
}

export interface DeployOptions {
  shardSize: number
  consensus: ConsensusKind
  gasLimit?: number
  checkpointInterval?: number
  nonce?: string
}

/** A peer whose dial failed is not dialled again for this long. */
const RETRY_DIAL_MS = 3_000
const DIAL_TIMEOUT_MS = 8_000

export function transportOf (addr: string): ConnectionInfo['transport'] {
  if (addr.includes('/webrtc')) return 'webrtc'
  if (addr.includes('/p2p-circuit')) return 'circuit'
  if (addr.includes('/ws') || addr.includes('/wss')) return 'websockets'
  return 'other'
}

export class TabNode {
  readonly node: BetascoNode
  readonly peer: NetworkPeer
  readonly store: IndexedDbLedgerStore
  readonly pool: ContractPool
  readonly genesis: Genesis
  readonly user: Identity
  readonly identity: Identity
  readonly network: string
  directory: DirectoryEntry[] = []
  /** Contracts the host's node hosts (refreshed with the directory). */
  hostContracts: HostContract[] = []
  /** The latest failed dials (bounded), for the network view and diagnostics. */
  readonly dialErrors: Array<{ atMs: number, peerId: string, addr: string, error: string }> = []
  private readonly opts: TabNodeOptions
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly failedDials = new Map<string, number>()
  private readonly dialling = new Set<string>()
  private nonceCounter = 0
  private closed = false

  private constructor (opts: TabNodeOptions, peer: NetworkPeer, store: IndexedDbLedgerStore, pool: ContractPool, node: BetascoNode) {
    this.opts = opts
    this.peer = peer
    this.store = store
    this.pool = pool
    this.node = node
    this.genesis = opts.genesis
    this.user = opts.user
    this.identity = opts.node
    this.network = networkId(opts.genesis)
  }

  static async start (opts: TabNodeOptions): Promise<TabNode> {
    const network = networkId(opts.genesis)
    const ledgerName = `betasco-${network.slice(0, 16)}-${opts.node.peerId!}`
    const store = await IndexedDbLedgerStore.open(ledgerName)
    if (store.created && opts.ledgerExisted === true) {
      await store.close()
      await IndexedDbLedgerStore.destroy(ledgerName)
      throw new BetascoError('LEDGER_LOST', `the ledger of peer ${opts.node.peerId!} is no longer in this browser's storage (the browser deleted it)`)
    }
    // Passed through only when set (older network layers take no ICE option).
    const ice: Record<string, unknown> = opts.iceServers !== undefined ? { iceServers: opts.iceServers } : {}
    const peer = await createNetworkPeer({
      ...ice,
      genesis: opts.genesis,
      identity: opts.node,
      dialOnly: true,
      webrtc: true,
      reserveOnRelays: true,
      allowPrivateAddresses: true,
      dhtServer: false,
      maxConnections: (opts.maxPeers ?? 64) + 8,
    })
    const pool = new ContractPool({ spawn: webContractWorkers(), workers: 1 })
    let node: BetascoNode
    try {
      const transport = await Libp2pTransport.create(peer, opts.genesis)
      node = new BetascoNode({ genesis: opts.genesis, identity: opts.node, store, host: pool, transport, ...(opts.params !== undefined ? { params: opts.params } : {}) })
    } catch (err) {
      await peer.stop(); await pool.close(); await store.close()
      throw err
    }
    const tab = new TabNode(opts, peer, store, pool, node)
    // Relays first: they carry the WebRTC signalling and our reservation.
    for (const addr of opts.relayAddrs) await tab.peer.connect(addr).catch((err: Error) => { console.warn(`relay ${addr}: ${err.message}`) })
    await tab.refreshDirectory()
    await node.start()
    tab.timer = setInterval(() => { void tab.refreshDirectory() }, opts.directoryEveryMs ?? 1_500)
    return tab
  }

  get peerId (): string { return this.peer.peerId }

  on (listener: (e: NodeEvent) => void): () => void { return this.node.on(listener) }

  connections (): ConnectionInfo[] {
    const admitted = this.peer.admission.peers()
    return this.peer.node.getConnections().map((c) => {
      const addr = c.remoteAddr.toString()
      return { peerId: c.remotePeer.toString(), addr, transport: transportOf(addr), direction: c.direction, admitted: admitted.has(c.remotePeer.toString()), protocols: c.streams.map(s => s.protocol ?? '') }
    })
  }

  /** Asks the host who is in the network and dials those not connected yet (bounded). */
  async refreshDirectory (): Promise<void> {
    if (this.closed || this.opts.directoryUrl === undefined) return
    try {
      const res = await fetch(this.opts.directoryUrl, { signal: AbortSignal.timeout(5_000) })
      if (!res.ok) return
      this.directory = (await res.json() as { peers: DirectoryEntry[] }).peers
    } catch {
      return
    }
    if (this.opts.contractsUrl !== undefined) {
      try {
        const res = await fetch(this.opts.contractsUrl, { signal: AbortSignal.timeout(5_000) })
        if (res.ok) this.hostContracts = (await res.json() as { contracts: HostContract[] }).contracts.slice(0, 1000)
      } catch { /* the next round asks again */ }
    }
    // A relayed (limited) circuit connection does not count: it only carries signalling, and a
    // dial would return it instead of opening WebRTC, so those peers are dialled with force.
    const direct = new Set(this.peer.node.getConnections().filter(c => c.limits === undefined).map(c => c.remotePeer.toString()))
    const max = this.opts.maxPeers ?? 64
    const now = Date.now()
    for (const entry of this.directory) {
      if (direct.size >= max) break
      if (entry.peerId === this.peerId || direct.has(entry.peerId) || this.dialling.has(entry.peerId)) continue
      // Of two tabs, the one with the smaller peer ID dials: one WebRTC connection per pair.
      if (entry.tab && this.peerId > entry.peerId) continue
      if ((this.failedDials.get(entry.peerId) ?? 0) > now) continue
      const addr = entry.addrs.find(a => entry.tab ? a.includes('/webrtc') : !a.includes('/p2p-circuit')) ?? entry.addrs[0]
      if (addr === undefined) continue
      this.dialling.add(entry.peerId)
      direct.add(entry.peerId)
      void this.dial(addr, entry.peerId)
        .then(() => { this.failedDials.delete(entry.peerId) })
        .catch((err: Error) => {
          this.failedDials.set(entry.peerId, Date.now() + RETRY_DIAL_MS)
          this.dialErrors.push({ atMs: Date.now(), peerId: entry.peerId, addr, error: err.message })
          if (this.dialErrors.length > 50) this.dialErrors.shift()
        })
        .finally(() => { this.dialling.delete(entry.peerId) })
    }
  }

  /** Dials (with force: past a limited relayed connection) and waits for admission. */
  private async dial (addr: string, peerId: string): Promise<void> {
    // a WebRTC dial normally completes in about a second; one stuck in signalling is retried
    await this.peer.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS), force: true })
    await this.peer.admission.waitFor(peerId)
  }

  /** A deploy transaction for `code`, signed by the tab's user. */
  async deployTx (code: string, o: DeployOptions): Promise<Envelope> {
    const from = identityId(this.user.publicKey)
    const nonce = o.nonce ?? this.freshNonce('deploy')
    const tx: TxBody = {
      v: 1, network: this.network, kind: 'deploy', contract: contractIdFor(this.network, from, nonce, code), method: 'onCreate', arg: null, nonce, from,
      deploy: { code, shardSize: o.shardSize, consensus: o.consensus, gasLimit: o.gasLimit ?? this.genesis.params.defaultGasLimit, checkpointInterval: o.checkpointInterval ?? this.genesis.params.checkpointInterval },
    }
    return await signEnvelope(tx, this.user)
  }

  async invokeTx (contract: string, method: string, arg: Json): Promise<Envelope> {
    const tx: TxBody = { v: 1, network: this.network, kind: 'invoke', contract, method, arg, nonce: this.freshNonce('call'), from: identityId(this.user.publicKey) }
    return await signEnvelope(tx, this.user)
  }

  /**
   * A deploy nonce whose contract ID puts every peer of `want` and none of `avoid` among the
   * shard's members as this node would choose them now (the k closest peers, spanning
   * organizations): how a demo (or a test) places a contract on chosen tabs.
   */
  nonceFor (code: string, shardSize: number, want: string[], avoid: string[] = [], tries = 20_000): string | undefined {
    const from = identityId(this.user.publicKey)
    const base = this.freshNonce('deploy')
    for (let i = 0; i < tries; i++) {
      const nonce = `${base}-${i}`
      const members = this.node.chooseMembers(contractIdFor(this.network, from, nonce, code), shardSize).map(m => m.peerId)
      if (want.every(p => members.includes(p)) && !avoid.some(p => members.includes(p))) return nonce
    }
    return undefined
  }

  async deploy (code: string, o: DeployOptions, timeoutMs = 30_000): Promise<ReceiptAnswer & { contract: string, txId: string }> {
    const env = await this.deployTx(code, o)
    const answer = await this.node.execute(env, timeoutMs)
    return { ...answer, contract: env.tx.contract, txId: txId(env.tx) }
  }

  async call (contract: string, method: string, arg: Json, timeoutMs = 30_000): Promise<ReceiptAnswer & { txId: string }> {
    const env = await this.invokeTx(contract, method, arg)
    const answer = await this.node.execute(env, timeoutMs)
    return { ...answer, txId: txId(env.tx) }
  }

  async localReceipt (id: string): Promise<Receipt | undefined> { return await this.node.localReceipt(id) }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    await this.node.close().catch(() => {})
    await this.peer.stop().catch(() => {})
    await this.pool.close().catch(() => {})
    await this.store.close().catch(() => {})
  }

  private freshNonce (kind: string): string {
    return `${kind}-${this.peerId.slice(-8)}-${Date.now().toString(36)}-${++this.nonceCounter}`
  }
}
