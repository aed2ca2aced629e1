// A node in its own process, for the SIGKILL test: LevelDB under a data directory, real libp2p,
// contract pool. Reads its set-up as JSON from argv[2]; prints one JSON line when it is up.
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { parseGenesis, parseIdentity } from '../../src/crypto/index.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { LevelLedgerStore } from '../../src/storage/level.ts'
import { createNetworkPeer } from '../../src/network/peer.ts'
import { BetascoNode } from '../../src/node/node.ts'
import { Libp2pTransport } from '../../src/node/libp2p-transport.ts'

const setup = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as { genesis: unknown, identity: unknown, data: string, peers: string[], params: Record<string, number> }
const genesis = parseGenesis(setup.genesis)
const identity = await parseIdentity(setup.identity, genesis)
const store = await LevelLedgerStore.open(setup.data)
const peer = await createNetworkPeer({ genesis, identity, listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dhtServer: false })
for (const addr of setup.peers) await peer.connect(addr).catch(() => {})
const node = new BetascoNode({ genesis, identity, store, host: new ContractPool({ spawn: nodeContractWorkers(), workers: 1 }), transport: await Libp2pTransport.create(peer, genesis), params: setup.params, reconfigure: false })
await node.start()
process.stdout.write(JSON.stringify({ peerId: peer.peerId, addr: peer.node.getMultiaddrs()[0]!.toString(), shards: node.hostedShards() }) + '\n')
// Queries from the parent, one JSON line each: the member's state of a shard and which of the
// given transactions it holds a receipt for.
createInterface({ input: process.stdin }).on('line', (line) => {
  void (async () => {
    const q = JSON.parse(line) as { shard: string, txIds: string[] }
    const have: string[] = []
    for (const id of q.txIds) if ((await node.localReceipt(id)) !== undefined) have.push(id)
    process.stdout.write(JSON.stringify({ state: node.contractState(q.shard) ?? null, receipts: have }) + '\n')
  })()
})
