// Closeness of Algorithm 1: the Kademlia XOR metric over SHA-256 of the peer ID (its multihash
// bytes) and SHA-256 of the contract ID, the key space of @libp2p/kad-dht, so a DHT lookup of
// the contract key finds the same closest peers the locator forwards to.
import { peerIdFromString } from '@libp2p/peer-id'
import { BetascoError } from '../core/errors.ts'
import { compareBytes, fromHex } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'
import { HEX32 } from '../core/transaction.ts'

const kadIdCache = new Map<string, Uint8Array>()
const KAD_CACHE_LIMIT = 10_000

/** Position of a peer in the key space: sha256(peer ID multihash bytes). */
export function peerKadId (peerId: string): Uint8Array {
  let id = kadIdCache.get(peerId)
  if (id === undefined) {
    let bytes: Uint8Array
    try {
      bytes = peerIdFromString(peerId).toMultihash().bytes
    } catch (err) {
      throw new BetascoError('BAD_ARGUMENT', `not a peer ID: ${peerId.slice(0, 80)} (${(err as Error).message})`)
    }
    id = sha256(bytes)
    if (kadIdCache.size >= KAD_CACHE_LIMIT) kadIdCache.clear()
    kadIdCache.set(peerId, id)
  }
  return id
}

/** The DHT key of a contract: its 32 raw ID bytes (kad-dht hashes keys with SHA-256 itself). */
export function contractDhtKey (contractId: string): Uint8Array {
  if (!HEX32.test(contractId)) throw new BetascoError('BAD_ARGUMENT', `contract ID must be 64 hex digits, got "${contractId.slice(0, 80)}"`)
  return fromHex(contractId)
}

/** Position of a contract in the key space: sha256(contract ID bytes). */
export function contractKadId (contractId: string): Uint8Array {
  return sha256(contractDhtKey(contractId))
}

export function xor (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** Negative when peer a is closer to the target than peer b. */
export function compareDistance (target: Uint8Array, a: string, b: string): number {
  return compareBytes(xor(peerKadId(a), target), xor(peerKadId(b), target))
}

/** Peers sorted by XOR distance to a contract, closest first (ties impossible: distinct IDs). */
export function sortByDistance (contractId: string, peers: Iterable<string>): string[] {
  const target = contractKadId(contractId)
  return [...new Set(peers)].sort((a, b) => compareDistance(target, a, b))
}

/** The n peers closest to a contract. */
export function closestPeers (contractId: string, peers: Iterable<string>, n: number): string[] {
  return sortByDistance(contractId, peers).slice(0, n)
}
