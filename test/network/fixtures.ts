// Test consortium and loopback peers for the network tests.
import { createNetwork } from '../../src/crypto/identity.ts'
import type { Identity, NetworkMaterial } from '../../src/crypto/identity.ts'
import { createNetworkPeer } from '../../src/network/peer.ts'
import type { NetworkPeer, NetworkPeerOptions } from '../../src/network/peer.ts'
import type { Genesis } from '../../src/crypto/genesis.ts'
import { seededRandom } from '../random.ts'

/** Deterministic PRNG (mulberry32) so a failing topology is reproducible from its seed. */
export const prng = seededRandom

export const LOOPBACK_WS = '/ip4/127.0.0.1/tcp/0/ws'

export async function makeConsortium (nodesPerOrg: number, orgs = ['org1', 'org2', 'org3']): Promise<NetworkMaterial> {
  return await createNetwork({ name: 'nettest', orgs, scheme: 'ed25519', nodesPerOrg, usersPerOrg: 1, validityDays: 30, nowMs: Date.now() })
}

export function nodeIdentities (m: NetworkMaterial): Identity[] {
  return m.identities.filter(i => i.kind === 'node')
}

export function userIdentities (m: NetworkMaterial): Identity[] {
  return m.identities.filter(i => i.kind === 'user')
}

export async function startPeer (genesis: Genesis, identity: Identity, extra: Partial<NetworkPeerOptions> = {}): Promise<NetworkPeer> {
  return await createNetworkPeer({ genesis, identity, listen: [LOOPBACK_WS], allowPrivateAddresses: true, dhtServer: true, ...extra })
}

export function wsAddr (peer: NetworkPeer): string {
  const a = peer.node.getMultiaddrs().find(m => m.toString().includes('/ws'))
  if (a === undefined) throw new Error(`peer ${peer.peerId} has no ws address`)
  return a.toString()
}


export async function stopAll (peers: Array<NetworkPeer | undefined>): Promise<void> {
  await Promise.allSettled(peers.map(async p => await p?.stop()))
}
