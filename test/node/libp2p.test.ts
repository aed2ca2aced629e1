// Shards over real libp2p on loopback: WebSockets, noise, yamux, certificate admission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNetwork, identityId, signEnvelope, type NetworkMaterial, networkId } from '../../src/crypto/index.ts'
import { contractIdFor, type TxBody } from '../../src/core/transaction.ts'
import type { Json } from '../../src/core/shape.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { MemoryLedgerStore } from '../../src/storage/memory.ts'
import { createNetworkPeer, type NetworkPeer } from '../../src/network/peer.ts'
import { BetascoNode } from '../../src/node/node.ts'
import { Libp2pTransport } from '../../src/node/libp2p-transport.ts'
import { example, FAST_PARAMS } from './cluster.ts'

describe('shards over libp2p on loopback (5 peers)', () => {
  let material: NetworkMaterial
  const peers: NetworkPeer[] = []
  const nodes: BetascoNode[] = []
  const pools: ContractPool[] = []
  let nonce = 0

  beforeAll(async () => {
    material = await createNetwork({ name: 'p2p', orgs: ['org1', 'org2', 'org3'], scheme: 'ed25519', nodesPerOrg: 2, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
    const ids = material.identities.filter(i => i.kind === 'node').slice(0, 5)
    for (const identity of ids) {
      peers.push(await createNetworkPeer({ genesis: material.genesis, identity, listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dhtServer: true }))
    }
    // full mesh: each peer dials the ones started before it
    for (let i = 0; i < peers.length; i++) {
      for (let j = 0; j < i; j++) await peers[i]!.connect(peers[j]!.node.getMultiaddrs()[0]!)
    }
    for (const [i, peer] of peers.entries()) {
      const pool = new ContractPool({ spawn: nodeContractWorkers(), workers: 1 })
      pools.push(pool)
      const node = new BetascoNode({ genesis: material.genesis, identity: ids[i]!, store: new MemoryLedgerStore(), host: pool, transport: await Libp2pTransport.create(peer, material.genesis), params: FAST_PARAMS })
      await node.start()
      nodes.push(node)
    }
    for (const n of nodes) expect(n.peers().size).toBe(4)
  }, 60_000)

  afterAll(async () => {
    for (const n of nodes) await n.close()
    for (const p of peers) await p.stop()
    for (const p of pools) await p.close()
  })

  const user = (): ReturnType<typeof material.identities.find> => material.identities.find(i => i.kind === 'user')!
  async function deploy (code: string, consensus: 'raft' | 'pbft', k: number): Promise<TxBody> {
    const u = user()!
    const from = identityId(u.publicKey)
    const net = networkId(material.genesis)
    const n = `d-${++nonce}`
    return { v: 1, network: net, kind: 'deploy', contract: contractIdFor(net, from, n, code), method: 'onCreate', arg: null, nonce: n, from, deploy: { code, shardSize: k, consensus, gasLimit: 1_000_000, checkpointInterval: 100 } }
  }
  function invoke (contract: string, method: string, arg: Json): TxBody {
    const u = user()!
    return { v: 1, network: networkId(material.genesis), kind: 'invoke', contract, method, arg, nonce: `i-${++nonce}`, from: identityId(u.publicKey) }
  }

  for (const consensus of ['raft', 'pbft'] as const) {
    it(`deploys and invokes through every peer, and MainService logs to Logger (${consensus})`, async () => {
      const counter = await deploy(await example('Counter'), consensus, 4)
      expect((await nodes[0]!.execute(await signEnvelope(counter, user()!))).receipt.status).toBe('committed')
      for (let i = 0; i < nodes.length; i++) {
        const r = await nodes[i]!.execute(await signEnvelope(invoke(counter.contract, 'call', null), user()!))
        expect(r.receipt.result).toBe(i + 1)
      }
      const logger = await deploy(await example('Logger'), consensus, 3)
      const main = await deploy(await example('MainService'), consensus, 4)
      await nodes[1]!.execute(await signEnvelope(logger, user()!))
      await nodes[2]!.execute(await signEnvelope(main, user()!))
      await nodes[3]!.execute(await signEnvelope(invoke(main.contract, 'registerLogger', logger.contract), user()!))
      for (let i = 0; i < 4; i++) await nodes[4 - i]!.execute(await signEnvelope(invoke(main.contract, 'call', null), user()!))
      await expect.poll(async () => (await nodes[0]!.execute(await signEnvelope(invoke(logger.contract, 'analyze', null), user()!))).receipt.result, { timeout: 20_000, interval: 300 }).toBe(4)
    }, 60_000)
  }
})
