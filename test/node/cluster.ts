// A cluster of real BetascoNodes in one process for tests: real consensus, real SES contract
// workers, real stores (memory or LevelDB), an in-memory network with admission.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { identityId, createNetwork, networkId, signEnvelope, type Identity, type NetworkMaterial, type SchemeName } from '../../src/crypto/index.ts'
import { contractIdFor, type Envelope, type TxBody } from '../../src/core/transaction.ts'
import type { ConsensusKind } from '../../src/core/shard-config.ts'
import type { OrdererParams } from '../../src/consensus/index.ts'
import type { Json } from '../../src/core/shape.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { MemoryLedgerStore } from '../../src/storage/memory.ts'
import { LevelLedgerStore } from '../../src/storage/level.ts'
import type { LedgerStore } from '../../src/storage/ledger-store.ts'
import { BetascoNode } from '../../src/node/node.ts'
import { MemoryHub } from '../../src/node/memory-transport.ts'
import { Libp2pTransport } from '../../src/node/libp2p-transport.ts'
import type { NodeTransport } from '../../src/node/transport.ts'
import { createNetworkPeer, type NetworkPeer } from '../../src/network/peer.ts'

export const FAST_PARAMS = { tickMs: 20, electionTicks: 8, heartbeatTicks: 2, viewChangeTicks: 40, maxTxsPerBlock: 64 }

export async function example (name: string): Promise<string> {
  return await readFile(new URL(`../../examples/contracts/${name}.js`, import.meta.url), 'utf8')
}

export interface ClusterOptions {
  nodes: number
  orgs?: number
  scheme?: SchemeName
  store?: 'memory' | 'level'
  reconfigure?: boolean
  /** 'libp2p': real libp2p on loopback (WebSockets, noise, yamux, certificate admission), full mesh. */
  transport?: 'memory' | 'libp2p'
  /** Extra node identities issued beyond `nodes` (not started), for nodes that join later. */
  spareNodes?: number
  /** Orderer parameters over FAST_PARAMS. */
  params?: Partial<OrdererParams>
}

export class TestCluster {
  readonly material: NetworkMaterial
  readonly hub: MemoryHub
  readonly nodes: BetascoNode[] = []
  readonly nodeIdentities: Identity[]
  readonly users: Identity[]
  spares: Identity[] = []
  private readonly pools: ContractPool[] = []
  private readonly stores: LedgerStore[] = []
  private readonly dirs: string[] = []
  private nonce = 0
  private readonly storeKind: 'memory' | 'level'
  memberTimeoutMs = 1_500
  transportKind: 'memory' | 'libp2p' = 'memory'
  private readonly peers = new Map<string, NetworkPeer>()
  /** Churn handling is off unless a test turns it on (other tests want fixed memberships). */
  reconfigure = false
  params: Partial<OrdererParams> = FAST_PARAMS

  private constructor (material: NetworkMaterial, storeKind: 'memory' | 'level') {
    this.material = material
    this.hub = new MemoryHub(material.genesis)
    // round-robin over organizations (org1-node1, org2-node1, …) so any prefix spans them
    const nodes = material.identities.filter(i => i.kind === 'node')
    const rank = (i: Identity): number => Number(/node(\d+)$/.exec(i.name)?.[1] ?? 0)
    this.nodeIdentities = [...nodes].sort((a, b) => rank(a) - rank(b) || a.org.localeCompare(b.org))
    this.users = material.identities.filter(i => i.kind === 'user')
    this.storeKind = storeKind
  }

  static async create (opts: ClusterOptions): Promise<TestCluster> {
    const orgCount = opts.orgs ?? 3
    const orgs = Array.from({ length: orgCount }, (_, i) => `org${i + 1}`)
    const material = await createNetwork({ name: 'cluster', orgs, scheme: opts.scheme ?? 'ed25519', nodesPerOrg: Math.ceil((opts.nodes + (opts.spareNodes ?? 0)) / orgCount), usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
    const c = new TestCluster(material, opts.store ?? 'memory')
    c.reconfigure = opts.reconfigure ?? false
    c.params = { ...FAST_PARAMS, ...opts.params }
    c.transportKind = opts.transport ?? 'memory'
    c.spares = c.nodeIdentities.splice(opts.nodes)
    for (const id of c.nodeIdentities) await c.startNode(id)
    return c
  }

  /** Starts (or restarts, over the same store directory) the node of an identity. */
  async startNode (identity: Identity, storeDir?: string): Promise<BetascoNode> {
    let store: LedgerStore
    if (this.storeKind === 'level') {
      const dir = storeDir ?? await mkdtemp(join(tmpdir(), 'betasco-node-'))
      if (storeDir === undefined) this.dirs.push(dir)
      store = await LevelLedgerStore.open(dir)
    } else {
      store = new MemoryLedgerStore()
    }
    const pool = new ContractPool({ spawn: nodeContractWorkers(), workers: 1 })
    let transport: NodeTransport
    if (this.transportKind === 'libp2p') {
      const old = this.peers.get(identity.peerId!)
      if (old !== undefined) await old.stop()
      const peer = await createNetworkPeer({ genesis: this.material.genesis, identity, listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dhtServer: false })
      for (const other of this.peers.values()) {
        if (other.node.status !== 'started') continue
        await peer.connect(other.node.getMultiaddrs()[0]!).catch(() => {})
      }
      this.peers.set(identity.peerId!, peer)
      transport = await Libp2pTransport.create(peer, this.material.genesis)
    } else {
      transport = await this.hub.join(identity)
    }
    const node = new BetascoNode({ genesis: this.material.genesis, identity, store, host: pool, transport, params: this.params, memberTimeoutMs: this.memberTimeoutMs, reconfigure: this.reconfigure })
    await node.start()
    this.pools.push(pool)
    this.stores.push(store)
    let i = this.nodeIdentities.indexOf(identity)
    if (i < 0) { this.nodeIdentities.push(identity); i = this.nodeIdentities.length - 1 }
    this.nodes[i] = node
    return node
  }

  get network (): string { return networkId(this.material.genesis) }

  async deployTx (code: string, consensus: ConsensusKind, shardSize: number, user = this.users[0]!, checkpointInterval = 100): Promise<Envelope> {
    const from = identityId(user.publicKey)
    const nonce = `deploy-${++this.nonce}`
    const tx: TxBody = {
      v: 1, network: this.network, kind: 'deploy', contract: contractIdFor(this.network, from, nonce, code), method: 'onCreate', arg: null, nonce, from,
      deploy: { code, shardSize, consensus, gasLimit: 1_000_000, checkpointInterval }
    }
    return await signEnvelope(tx, user)
  }

  async invokeTx (contract: string, method: string, arg: Json, user = this.users[0]!): Promise<Envelope> {
    const tx: TxBody = { v: 1, network: this.network, kind: 'invoke', contract, method, arg, nonce: `n-${++this.nonce}`, from: identityId(user.publicKey) }
    return await signEnvelope(tx, user)
  }

  peersList (): NetworkPeer[] { return [...this.peers.values()] }

  /** Stops a node as if its process died: its network goes away with it. */
  async kill (node: BetascoNode): Promise<void> {
    await node.close()
    await this.peers.get(node.id)?.stop()
  }

  async close (): Promise<void> {
    for (const n of this.nodes) await n?.close()
    for (const p of this.peers.values()) await p.stop().catch(() => {})
    for (const p of this.pools) await p.close()
    for (const s of this.stores) await s.close().catch(() => {})
    for (const d of this.dirs) await rm(d, { recursive: true, force: true })
  }
}
