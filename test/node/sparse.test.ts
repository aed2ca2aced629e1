// A sparse network (a ring with chords: each peer connected to four others) where entry nodes do not know
// the members of a shard: the network layer's Locator (Algorithm 1) routes deploys and invokes
// over neighbours only (no DHT, so the ring stays sparse), and the node layer forms the shard
// the Locator found and asks its members for receipts.
import { afterAll, describe, expect, it } from 'vitest'
import { createNetwork, identityId, signEnvelope, networkId, type NetworkMaterial } from '../../src/crypto/index.ts'
import { contractIdFor, type TxBody } from '../../src/core/transaction.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { MemoryLedgerStore } from '../../src/storage/memory.ts'
import { createNetworkPeer, type NetworkPeer } from '../../src/network/peer.ts'
import { BetascoNode } from '../../src/node/node.ts'
import { Libp2pTransport } from '../../src/node/libp2p-transport.ts'
import { example, FAST_PARAMS } from './cluster.ts'

const N = 8

describe(`shards in a sparse network of ${N} peers (ring with chords), located by Algorithm 1`, () => {
  let material: NetworkMaterial
  const peers: NetworkPeer[] = []
  const nodes: BetascoNode[] = []
  const pools: ContractPool[] = []
  let nonce = 0

  async function setUp (): Promise<void> {
    material = await createNetwork({ name: 'sparse', orgs: ['org1', 'org2', 'org3'], scheme: 'ed25519', nodesPerOrg: 3, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
    const ids = material.identities.filter(i => i.kind === 'node').slice(0, N)
    const nodeOf: Array<BetascoNode | undefined> = []
    for (const [i, identity] of ids.entries()) {
      peers.push(await createNetworkPeer({
        genesis: material.genesis, identity, listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dht: false,
        // the shard layer's membership, through the node built below
        locator: { membership: { isMember: (c) => nodeOf[i]?.membership.isMember(c) ?? false, membersOf: (c) => nodeOf[i]?.membership.membersOf(c), record: (c, m) => nodeOf[i]?.membership.record(c, m) } }
      }))
    }
    // a ring with chords: each peer dials the next one and the one three further
    for (let i = 0; i < N; i++) {
      await peers[i]!.connect(peers[(i + 1) % N]!.node.getMultiaddrs()[0]!)
      await peers[i]!.connect(peers[(i + 3) % N]!.node.getMultiaddrs()[0]!)
    }
    for (const [i, peer] of peers.entries()) {
      const locator = peer.locator
      const pool = new ContractPool({ spawn: nodeContractWorkers(), workers: 1 })
      pools.push(pool)
      const node = new BetascoNode({ genesis: material.genesis, identity: ids[i]!, store: new MemoryLedgerStore(), host: pool, transport: await Libp2pTransport.create(peer, material.genesis), params: FAST_PARAMS, router: locator, reconfigure: false })
      nodeOf[i] = node
      await node.start()
      nodes.push(node)
    }
  }

  async function tearDown (): Promise<void> {
    for (const n of nodes.splice(0)) await n.close()
    for (const p of peers.splice(0)) await p.stop()
    for (const p of pools.splice(0)) await p.close()
  }
  afterAll(tearDown)

  async function sign (tx: TxBody): Promise<ReturnType<typeof signEnvelope>> {
    return await signEnvelope(tx, material.identities.find(i => i.kind === 'user')!)
  }
  function deployTx (code: string, consensus: 'raft' | 'pbft', k: number): TxBody {
    const u = material.identities.find(i => i.kind === 'user')!
    const from = identityId(u.publicKey)
    const net = networkId(material.genesis)
    const n = `d-${++nonce}`
    return { v: 1, network: net, kind: 'deploy', contract: contractIdFor(net, from, n, code), method: 'onCreate', arg: null, nonce: n, from, deploy: { code, shardSize: k, consensus, gasLimit: 1_000_000, checkpointInterval: 100 } }
  }
  function invokeTx (contract: string): TxBody {
    const u = material.identities.find(i => i.kind === 'user')!
    return { v: 1, network: networkId(material.genesis), kind: 'invoke', contract, method: 'call', arg: null, nonce: `i-${++nonce}`, from: identityId(u.publicKey) }
  }

  for (const [consensus, k] of [['raft', 3], ['pbft', 4]] as const) {
    it(`forms the shard through the Locator and serves invokes entering at every node (${consensus})`, async () => {
      await tearDown()
      await setUp()
      const deploy = deployTx(await example('Counter'), consensus, k)
      const entry = nodes[0]!
      expect(entry.peers().size).toBeLessThan(N - 1) // sparse: the entry does not know everyone
      expect((await entry.execute(await sign(deploy), 60_000)).receipt.status).toBe('committed')
      // The Locator formed the shard (greedy over neighbours: in the contract's region); every
      // member recorded the same configuration of k members.
      const hosting = nodes.filter(n => n.hostedShards().includes(deploy.contract))
      expect(hosting).toHaveLength(k)
      const configs = new Set(hosting.map(n => JSON.stringify(n.shardStatus(deploy.contract)!.config.members)))
      expect(configs.size).toBe(1)
      // Invokes enter at every node, most of which are not connected to all members.
      for (let i = 0; i < N; i++) {
        const r = await nodes[i]!.execute(await sign(invokeTx(deploy.contract)), 60_000)
        expect(r.receipt.result).toBe(i + 1)
      }
      // Through the Locator a node cannot tell "no one hosts it" from "its members are beyond my
      // peers": a lookup that finds no member among them says UNREACHABLE, never "unknown".
      await expect(entry.lookupContract('ef'.repeat(32), 3_000)).rejects.toMatchObject({ code: 'UNREACHABLE' })
    }, 180_000)
  }
})
