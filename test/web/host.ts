// A minimal web host for the browser tests: three Node peers on loopback (the first one a
// circuit relay listening on WebSockets), each a BetascoNode with a memory ledger and
// worker-thread contracts, and one HTTP server with node-host/web.ts's routes serving a fresh
// build of web/. The real host (node-host/) mounts the same routes.
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { createNetwork, type NetworkMaterial } from '../../src/crypto/index.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { MemoryLedgerStore } from '../../src/storage/memory.ts'
import { createNetworkPeer, type NetworkPeer } from '../../src/network/peer.ts'
import { BetascoNode } from '../../src/node/node.ts'
import { Libp2pTransport } from '../../src/node/libp2p-transport.ts'
import { createWebRoutes } from '../../node-host/web-routes.ts'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Background tabs must keep their timers (consensus ticks) and WebRTC must offer host ICE candidates (no mDNS names). */
export const TAB_FLAGS = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows', '--disable-features=WebRtcHideLocalIpsWithMdns']

/** Consensus parameters of the test network (tabs get them through web/config.json). */
export const WEB_PARAMS = { tickMs: 20, electionTicks: 25, heartbeatTicks: 3, viewChangeTicks: 60, maxTxsPerBlock: 64 }

/** Builds web/ (the production build: what the host serves) into a temporary directory. */
export async function buildWebApp (): Promise<{ dir: string, cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'betasco-web-'))
  await build({
    configFile: join(REPO, 'vite.config.ts'),
    root: join(REPO, 'web'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, minify: false, reportCompressedSize: false },
  })
  return { dir, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export interface WebTestHost {
  url: string
  material: NetworkMaterial
  peers: NetworkPeer[]
  nodes: BetascoNode[]
  close: () => Promise<void>
}

export async function startWebTestHost (webRoot: string, nodeCount = 3): Promise<WebTestHost> {
  const material = await createNetwork({ name: 'web', orgs: ['org1', 'org2', 'org3'], scheme: 'ed25519', nodesPerOrg: 1, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
  const ids = material.identities.filter(i => i.kind === 'node').slice(0, nodeCount)
  const peers: NetworkPeer[] = []
  const nodes: BetascoNode[] = []
  const pools: ContractPool[] = []
  let server: Server | undefined
  const close = async (): Promise<void> => {
    if (server !== undefined) { server.closeAllConnections(); await new Promise<void>((ok) => { server!.close(() => { ok() }) }) }
    for (const n of nodes) await n.close().catch(() => {})
    for (const p of peers) await p.stop().catch(() => {})
    for (const p of pools) await p.close().catch(() => {})
  }
  try {
    for (const [i, identity] of ids.entries()) {
      peers.push(await createNetworkPeer({ genesis: material.genesis, identity, listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dhtServer: true, relayServer: i === 0 }))
    }
    for (let i = 0; i < peers.length; i++) {
      for (let j = 0; j < i; j++) await peers[i]!.connect(peers[j]!.node.getMultiaddrs()[0]!)
    }
    for (const [i, peer] of peers.entries()) {
      const pool = new ContractPool({ spawn: nodeContractWorkers(), workers: 1 })
      pools.push(pool)
      const node = new BetascoNode({ genesis: material.genesis, identity: ids[i]!, store: new MemoryLedgerStore(), host: pool, transport: await Libp2pTransport.create(peer, material.genesis), params: WEB_PARAMS })
      await node.start()
      nodes.push(node)
    }
    const web = createWebRoutes({ webRoot, genesis: material.genesis, cas: material.cas, relay: peers[0]!, node: nodes[0]!, relayOrg: ids[0]!.org, params: WEB_PARAMS, iceServers: [] })
    server = createServer((req, res) => {
      if (web(req, res)) return
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such route' } }))
    })
    const srv = server
    await new Promise<void>((ok, fail) => { srv.once('error', fail); srv.listen(0, '127.0.0.1', () => { ok() }) })
    const address = srv.address()
    if (address === null || typeof address === 'string') throw new Error('web host has no TCP address')
    return { url: `http://127.0.0.1:${address.port}/`, material, peers, nodes, close }
  } catch (err) {
    await close()
    throw err
  }
}
