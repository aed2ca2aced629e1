// Closeness (DESIGN §2): the Kademlia XOR metric over SHA-256 of the peer ID and the contract
// ID, the key space of @libp2p/kad-dht. A contract ID is already a SHA-256, used as is.
import { compareBytes, fromHex, utf8 } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'

const keyCache = new Map<string, Uint8Array>()

/** The DHT key of a peer ID (SHA-256 of its string form). */
export function peerKey (peerId: string): Uint8Array {
  let k = keyCache.get(peerId)
  if (k === undefined) {
    k = sha256(utf8.encode(peerId))
    if (keyCache.size > 100_000) keyCache.clear()
    keyCache.set(peerId, k)
  }
  return k
}

export function xorDistanceKey (contract: string, peerId: string): Uint8Array {
  const a = fromHex(contract)
  const b = peerKey(peerId)
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** The `count` peers closest to a contract, closest first (ties broken by peer ID). */
export function closestPeers (contract: string, peers: readonly string[], count: number): string[] {
  return [...new Set(peers)]
    .map(p => ({ p, d: xorDistanceKey(contract, p) }))
    .sort((x, y) => compareBytes(x.d, y.d) || (x.p < y.p ? -1 : 1))
    .slice(0, count)
    .map(x => x.p)
}
