import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { compareBytes, fromHex, toHex } from '../../src/core/bytes.ts'
import { sha256 } from '../../src/core/hash.ts'
import { closestPeers, contractKadId, peerKadId, sortByDistance, xor } from '../../src/network/distance.ts'
import { selectMembers } from '../../src/network/locator.ts'
import { prng } from './fixtures.ts'

const rand = prng(42)
const contract = (): string => toHex(Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)))

async function peerIds (n: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

describe('XOR distance over SHA-256', () => {
  it('places peers at sha256(peer ID multihash) and contracts at sha256(contract ID bytes)', async () => {
    const [p] = await peerIds(1)
    const c = contract()
    expect(toHex(contractKadId(c))).toBe(toHex(sha256(fromHex(c))))
    expect(peerKadId(p!)).toHaveLength(32)
    expect(() => contractKadId('xyz')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
    expect(() => peerKadId('not-a-peer-id')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
  })

  it('sorts peers by XOR distance to the contract, the same order as a brute-force check', async () => {
    const ids = await peerIds(30)
    for (let t = 0; t < 20; t++) {
      const c = contract()
      const target = contractKadId(c)
      const brute = [...ids].sort((a, b) => compareBytes(xor(peerKadId(a), target), xor(peerKadId(b), target)))
      expect(sortByDistance(c, ids)).toEqual(brute)
      expect(closestPeers(c, ids, 4)).toEqual(brute.slice(0, 4))
    }
  })

  it('selects the k closest members, swapping in a second organization when all k share one', async () => {
    const ids = await peerIds(12)
    for (let t = 0; t < 20; t++) {
      const c = contract()
      const sorted = sortByDistance(c, ids)
      // the 6 closest are org a, the rest org b
      const peers = sorted.map((peerId, i) => ({ peerId, org: i < 6 ? 'a' : 'b' }))
      const chosen = selectMembers(c, peers, 4, 2)
      expect(chosen).toEqual([sorted[0], sorted[1], sorted[2], sorted[6]])
      // with orgs already mixed, it is just the k closest
      const mixed = sorted.map((peerId, i) => ({ peerId, org: i % 2 === 0 ? 'a' : 'b' }))
      expect(selectMembers(c, mixed, 4, 2)).toEqual(sorted.slice(0, 4))
      // a single organization in the network: nothing to swap in
      expect(selectMembers(c, sorted.map(peerId => ({ peerId, org: 'a' })), 4, 2)).toEqual(sorted.slice(0, 4))
    }
  })

  it('keeps a durable peer among the members when the closest are all tabs, without losing an organization', async () => {
    const ids = await peerIds(12)
    for (let t = 0; t < 20; t++) {
      const c = contract()
      const sorted = sortByDistance(c, ids)
      // the 6 closest are tabs (orgs alternating), the rest durable Node peers
      const peers = sorted.map((peerId, i) => ({ peerId, org: i % 2 === 0 ? 'a' : 'b', durable: i >= 6 }))
      const chosen = selectMembers(c, peers, 4, 2)
      // the farthest of the 4 closest gives way to the closest durable peer, orgs still a and b
      expect(chosen).toEqual(sortByDistance(c, [sorted[0]!, sorted[1]!, sorted[2]!, sorted[6]!]))
      expect(new Set(chosen.map(p => peers.find(x => x.peerId === p)!.org)).size).toBe(2)
      // the only org b peer is a tab and the only durable peer is of org a: a tab of org a makes way
      const strict = sorted.map((peerId, i) => ({ peerId, org: i === 1 ? 'b' : 'a', durable: i === 5 }))
      const k3 = selectMembers(c, strict, 3, 2)
      expect(k3).toContain(sorted[1]) // the only org b peer stays
      expect(k3).toContain(sorted[5]) // and the durable one replaced a tab of org a
      // durable peers already among the closest: unchanged
      expect(selectMembers(c, sorted.map((peerId, i) => ({ peerId, org: i % 2 === 0 ? 'a' : 'b', durable: i === 2 })), 4, 2)).toEqual(sorted.slice(0, 4))
      // no durable peer anywhere: the closest tabs
      expect(selectMembers(c, sorted.map((peerId, i) => ({ peerId, org: i % 2 === 0 ? 'a' : 'b', durable: false })), 4, 2)).toEqual(sorted.slice(0, 4))
    }
  })
})
