// createNode: the embeddable full node of the `betasco` package (DESIGN §7). It assembles a
// network peer (libp2p with admission and the locator), the node transport, a contract pool and
// a BetascoNode (routing through the locator on request). What differs per environment comes in as
// components — the store (LevelDB in Node, IndexedDB in a tab) and how contract workers are
// spawned (worker_threads / child processes, or Web Workers) — so this file runs in both.
import { BetascoError } from '../core/errors.ts'
import { ContractPool } from '../contract/pool.ts'
import type { SpawnContractWorker } from '../contract/pool.ts'
import type { ContractHost } from '../contract/types.ts'
import { parseGenesis, type Genesis } from '../crypto/genesis.ts'
import { parseIdentity, type Identity } from '../crypto/identity.ts'
import type { OrdererParams } from '../consensus/orderer.ts'
import { createNetworkPeer, type NetworkPeer, type NetworkPeerOptions } from '../network/peer.ts'
import type { LedgerStore } from '../storage/ledger-store.ts'
import { Libp2pTransport } from './libp2p-transport.ts'
import { BetascoNode } from './node.ts'

export interface NodeConfig {
  /** The network's genesis, parsed or as its JSON file content. */
  genesis: Genesis | unknown
  /** This node's identity (a node certificate), parsed or as its JSON file content. */
  identity: Identity | unknown
  /** The ledger: `LevelLedgerStore.open(dir)` in Node, `IndexedDbLedgerStore` in a browser. */
  store: LedgerStore
  /** Contract execution: a ready host, or how to spawn contract workers (and how many). */
  contracts: ContractHost | { spawn: SpawnContractWorker, workers?: number, watchdogMs?: number }
  /** libp2p options: listen addresses, bootstrap peers, dial-only (tabs), WebRTC, relay, DHT. */
  network?: Omit<NetworkPeerOptions, 'genesis' | 'identity'>
  params?: Partial<OrdererParams>
  /**
   * Route and form shards through the locator (Algorithm 1 with DHT lookups, backtracking and
   * the flood fallback) instead of forwarding greedily over known peers. Every node of a network
   * must make the same choice: a locator only delivers to nodes whose locator knows their
   * shards. Default false (what `betasco start` and browser tabs do today).
   */
  locate?: boolean
  memberTimeoutMs?: number
}

export interface RunningNode {
  node: BetascoNode
  peer: NetworkPeer
  host: ContractHost
  /** Stops the node, the network peer and the contract workers (the store is the caller's). */
  stop: () => Promise<void>
}

function isHost (c: NodeConfig['contracts']): c is ContractHost {
  return typeof (c as ContractHost).execute === 'function'
}

export async function createNode (config: NodeConfig): Promise<RunningNode> {
  const genesis = typeof (config.genesis as Genesis).scheme === 'string' && (config.genesis as Genesis).orgs?.[0]?.caPublicKey instanceof Uint8Array
    ? config.genesis as Genesis
    : parseGenesis(config.genesis)
  const identity = (config.identity as Identity).certBytes instanceof Uint8Array ? config.identity as Identity : await parseIdentity(config.identity, genesis)
  if (identity.kind !== 'node') throw new BetascoError('BAD_ARGUMENT', `identity ${identity.name} is a ${identity.kind} identity; a node needs a node identity`)
  const ownsHost = !isHost(config.contracts)
  const host: ContractHost = isHost(config.contracts)
    ? config.contracts
    : new ContractPool({ spawn: config.contracts.spawn, workers: config.contracts.workers ?? 1, ...(config.contracts.watchdogMs !== undefined ? { watchdogMs: config.contracts.watchdogMs } : {}) })
  let node: BetascoNode | undefined
  const peer = await createNetworkPeer({
    ...config.network,
    genesis,
    identity,
    locator: {
      ...config.network?.locator,
      // the locator consults the node's recorded shard memberships
      membership: {
        isMember: (c) => node?.membership.isMember(c) ?? false,
        membersOf: (c) => node?.membership.membersOf(c),
        record: (c, m) => node?.membership.record(c, m)
      }
    }
  })
  try {
    node = new BetascoNode({
      genesis,
      identity,
      store: config.store,
      host,
      transport: await Libp2pTransport.create(peer, genesis),
      ...(config.params !== undefined ? { params: config.params } : {}),
      ...(config.locate === true ? { router: peer.locator } : {}),
      ...(config.memberTimeoutMs !== undefined ? { memberTimeoutMs: config.memberTimeoutMs } : {})
    })
    await node.start()
  } catch (err) {
    await peer.stop().catch(() => {})
    if (ownsHost) await host.close().catch(() => {})
    throw err
  }
  const running = node
  return {
    node: running,
    peer,
    host,
    async stop () {
      await running.close()
      await peer.stop()
      if (ownsHost) await host.close()
    }
  }
}
