// The Node.js composition root of a headless peer (DESIGN §5, "the composition root decides
// the environment"): LevelDB under the data directory, the worker-thread contract pool, the
// libp2p network peer with its transport, the BetascoNode, the mesh keeper and the HTTP API.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BetascoError } from '../src/core/errors.ts'
import type { Genesis } from '../src/crypto/genesis.ts'
import type { CaKey, Identity } from '../src/crypto/identity.ts'
import type { OrdererParams } from '../src/consensus/index.ts'
import { ContractPool } from '../src/contract/pool.ts'
import { nodeContractWorkers } from '../src/contract/node-worker.ts'
import { createNetworkPeer, type NetworkPeer } from '../src/network/peer.ts'
import { BetascoNode } from '../src/node/node.ts'
import { Libp2pTransport } from '../src/node/libp2p-transport.ts'
import { LevelLedgerStore } from '../src/storage/level.ts'
import { MemoryLedgerStore } from '../src/storage/memory.ts'
import type { LedgerStore } from '../src/storage/ledger-store.ts'
import { ApiServer } from './api.ts'
import { silentLogger, type Logger } from './log.ts'
import { createWebRoutes } from './web-routes.ts'
import { webAppDir } from './web.ts'

export interface HostOptions {
  genesis: Genesis
  identity: Identity
  /** LevelDB directory; without it the ledger lives in memory (tests, throw-away demos). */
  dataDir?: string
  listen?: string[]
  /** HTTP API address; null: no API. */
  api?: { host: string, port: number } | null
  bootstrap?: string[]
  relay?: boolean
  params?: Partial<OrdererParams>
  logger?: Logger
  /** Directory of the built web app, served at / when present (default dist/web). */
  webDir?: string
  /**
   * Serve the web app's routes (config, peer directory, and enrollment of tab identities by
   * these CAs: demo networks only). Tabs reach the network through this peer, so it should
   * also be a relay (`relay: true`).
   */
  web?: { cas: CaKey[], iceServers?: Array<{ urls: string | string[] }> }
  contractWorkers?: number
}

/** How often the mesh keeper looks for peers it knows of but is not connected to. */
const MESH_INTERVAL_MS = 2_000
const MAX_DIALS_PER_ROUND = 8

export class PeerHost {
  readonly node: BetascoNode
  readonly peer: NetworkPeer
  readonly store: LedgerStore
  readonly pool: ContractPool
  readonly api: ApiServer | undefined
  readonly genesis: Genesis
  private readonly logger: Logger
  private readonly bootstrap: string[]
  private meshTimer: ReturnType<typeof setInterval> | undefined
  private closing: Promise<void> | undefined
  private readonly dialing = new Set<string>()
  /** Where the peers this one was connected to are remembered (its data directory), for restarts. */
  private readonly peersFile: string | undefined
  private savedPeers = ''
  private rounds = 0

  constructor (parts: { node: BetascoNode, peer: NetworkPeer, store: LedgerStore, pool: ContractPool, api: ApiServer | undefined, genesis: Genesis, logger: Logger, bootstrap: string[], dataDir?: string }) {
    this.peersFile = parts.dataDir === undefined ? undefined : join(parts.dataDir, 'peers.json')
    this.node = parts.node
    this.peer = parts.peer
    this.store = parts.store
    this.pool = parts.pool
    this.api = parts.api
    this.genesis = parts.genesis
    this.logger = parts.logger
    this.bootstrap = parts.bootstrap
  }

  get peerId (): string { return this.peer.peerId }
  multiaddrs (): string[] { return this.peer.node.getMultiaddrs().map(m => m.toString()) }
  get apiUrl (): string | undefined { return this.api?.url }

  /** Dials the bootstrap peers, then keeps every known admitted-candidate peer connected. */
  startMesh (): void {
    void this.dialBootstrap()
    this.meshTimer = setInterval(() => { void this.meshRound() }, MESH_INTERVAL_MS)
    this.meshTimer.unref()
  }

  private async dialBootstrap (): Promise<void> {
    // peers remembered from the last run first (a restarted bootstrap peer finds the others)
    for (const addr of await this.rememberedPeers()) {
      void this.peer.connect(addr).then((id) => { this.logger.info('reconnected to a known peer', { peer: id }) }, () => {})
    }
    for (const addr of this.bootstrap) {
      for (let attempt = 1; attempt <= 5 && this.closing === undefined; attempt++) {
        try {
          const id = await this.peer.connect(addr)
          this.logger.info('connected to bootstrap peer', { peer: id })
          break
        } catch (err) {
          this.logger.warn('bootstrap dial failed', { addr, attempt, error: (err as Error).message })
          await new Promise(resolve => setTimeout(resolve, 1000 * attempt))
        }
      }
    }
  }

  private async rememberedPeers (): Promise<string[]> {
    if (this.peersFile === undefined) return []
    try {
      const list = JSON.parse(await readFile(this.peersFile, 'utf8')) as unknown
      return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string').slice(0, 64) : []
    } catch { return [] }
  }

  /** Writes the dialable addresses of the admitted peers (atomically: temp file, rename). */
  private async rememberPeers (): Promise<void> {
    if (this.peersFile === undefined) return
    const addrs: string[] = []
    for (const conn of this.peer.node.getConnections()) {
      const id = conn.remotePeer.toString()
      if (!this.peer.admission.isAdmitted(id)) continue
      try {
        const known = await this.peer.node.peerStore.get(conn.remotePeer)
        for (const a of known.addresses) {
          const s = a.multiaddr.toString()
          if (/\/wss?(\/|$)/.test(s) && !s.includes('/p2p-circuit')) addrs.push(s.includes('/p2p/') ? s : `${s}/p2p/${id}`)
        }
      } catch { /* not in the peer store */ }
    }
    const text = JSON.stringify([...new Set(addrs)].sort().slice(0, 64))
    if (addrs.length === 0 || text === this.savedPeers) return
    await writeFile(this.peersFile + '.tmp', text)
    await rename(this.peersFile + '.tmp', this.peersFile)
    this.savedPeers = text
  }

  private async meshRound (): Promise<void> {
    if (this.closing !== undefined) return
    if (this.rounds++ % 5 === 1) await this.rememberPeers().catch(() => {})
    const lib = this.peer.node
    const connected = new Set(lib.getPeers().map(p => p.toString()))
    let dials = 0
    try {
      for (const p of await lib.peerStore.all()) {
        const id = p.id.toString()
        if (id === this.peerId || connected.has(id) || this.dialing.has(id) || p.addresses.length === 0) continue
        if (this.peer.admission.rejectionOf(id) !== undefined) continue
        if (dials++ >= MAX_DIALS_PER_ROUND) break
        this.dialing.add(id)
        void lib.dial(p.id, { signal: AbortSignal.timeout(5_000) })
          .then(() => { this.logger.debug('mesh: dialled known peer', { peer: id }) })
          .catch(() => {})
          .finally(() => this.dialing.delete(id))
      }
      // Ask the DHT for peers near this one: it is how peers learn of peers they never met.
      // Often while this peer has few connections, then twice a minute (a lookup costs CPU).
      if (this.node.peers().size >= 3 && this.rounds % 15 !== 0) return
      const signal = AbortSignal.timeout(MESH_INTERVAL_MS)
      for await (const _ of lib.peerRouting.getClosestPeers(lib.peerId.toMultihash().bytes, { signal })) { /* fills the peer store */ }
    } catch { /* a round that fails is retried by the next */ }
  }

  /** Graceful stop: API first (no new work), then the node (finishes the block in hand), network, pool, store. */
  async close (): Promise<void> {
    this.closing ??= (async () => {
      if (this.meshTimer !== undefined) clearInterval(this.meshTimer)
      await this.api?.close().catch(() => {})
      await this.node.close().catch((err: unknown) => { this.logger.warn('node close', { error: (err as Error).message }) })
      await this.peer.stop().catch(() => {})
      await this.pool.close().catch(() => {})
      await this.store.close().catch(() => {})
    })()
    await this.closing
  }
}

/** Assembles and starts a peer; fails with one clear BetascoError on misconfiguration. */
export async function startHost (opts: HostOptions): Promise<PeerHost> {
  const logger = opts.logger ?? silentLogger
  let store: LedgerStore
  if (opts.dataDir !== undefined) {
    await mkdir(opts.dataDir, { recursive: true })
    try {
      store = await LevelLedgerStore.open(opts.dataDir)
    } catch (err) {
      // the lock error sits somewhere down the chain of causes (store → level → leveldb)
      let e: unknown = err
      for (let i = 0; i < 5 && e !== undefined && e !== null; i++) {
        if ((e as { code?: string }).code === 'LEVEL_LOCKED') throw new BetascoError('BAD_ARGUMENT', `data directory ${opts.dataDir} is in use by another running peer`)
        e = (e as { cause?: unknown }).cause
      }
      throw new BetascoError('BAD_ARGUMENT', `cannot open the ledger in ${opts.dataDir}: ${(err as Error).message}`)
    }
  } else {
    store = new MemoryLedgerStore()
  }
  const pool = new ContractPool({ spawn: nodeContractWorkers(), workers: opts.contractWorkers ?? 1 })
  let peer: NetworkPeer | undefined
  let api: ApiServer | undefined
  let node: BetascoNode | undefined
  try {
    try {
      peer = await createNetworkPeer({
        genesis: opts.genesis,
        identity: opts.identity,
        listen: opts.listen ?? ['/ip4/127.0.0.1/tcp/0/ws'],
        allowPrivateAddresses: true,
        dhtServer: true,
        relayServer: opts.relay === true,
        ...(opts.bootstrap !== undefined && opts.bootstrap.length > 0 ? { bootstrap: opts.bootstrap } : {})
      })
    } catch (err) {
      if (err instanceof BetascoError) throw err
      const msg = (err as Error).message
      if (/EADDRINUSE|address already in use/i.test(msg)) throw new BetascoError('BAD_ARGUMENT', `a --listen address is in use by another process (${msg})`)
      throw new BetascoError('BAD_ARGUMENT', `cannot start the network peer: ${msg}`)
    }
    const transport = await Libp2pTransport.create(peer, opts.genesis)
    node = new BetascoNode({ genesis: opts.genesis, identity: opts.identity, store, host: pool, transport, ...(opts.params !== undefined ? { params: opts.params } : {}) })
    await node.start()
    if (opts.api !== null) {
      const where = opts.api ?? { host: '127.0.0.1', port: 0 }
      const webRoot = opts.webDir ?? webAppDir()
      const web = opts.web === undefined
        ? undefined
        : createWebRoutes({ webRoot, genesis: opts.genesis, cas: opts.web.cas, relay: peer, relayOrg: opts.identity.org, ...(opts.params !== undefined ? { params: opts.params } : {}), ...(opts.web.iceServers !== undefined ? { iceServers: opts.web.iceServers } : {}) })
      api = new ApiServer({ node, store, peer, genesis: opts.genesis, logger, webDir: webRoot, ...(web !== undefined ? { web } : {}) })
      await api.listen(where.port, where.host)
    }
    const host = new PeerHost({ node, peer, store, pool, api, genesis: opts.genesis, logger, bootstrap: opts.bootstrap ?? [], ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}) })
    host.startMesh()
    return host
  } catch (err) {
    await api?.close().catch(() => {})
    await node?.close().catch(() => {})
    await peer?.stop().catch(() => {})
    await pool.close().catch(() => {})
    await store.close().catch(() => {})
    throw err
  }
}
