// Done-when of issue 5: 20 peers on loopback in a sparse random topology (each dials 3 others);
// 200 random contracts reached at a member of their k-closest set from a random entry peer,
// mean hops within log2(N) + 2; after stopping 30% of the peers, every contract with a live
// member is still reached. Each is a user-signed transaction submitted to the entry peer
// (verified there, then located). Run twice: with kad-dht (the product) and without (Algorithm 1 over
// the sparse neighbour graph alone), from locate.test.ts and locate-sparse.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../src/core/bytes.ts'
import { decodeEnvelope, txId } from '../../src/core/transaction.ts'
import type { Envelope } from '../../src/core/transaction.ts'
import { identityId } from '../../src/crypto/certificate.ts'
import { signEnvelope } from '../../src/crypto/envelope.ts'
import { networkId } from '../../src/crypto/genesis.ts'
import { selectMembers } from '../../src/network/locator.ts'
import type { Member, RouteResult } from '../../src/network/locator.ts'
import type { NetworkPeer } from '../../src/network/peer.ts'
import { makeConsortium, nodeIdentities, prng, startPeer, stopAll, userIdentities, wsAddr } from './fixtures.ts'

const N = 20
const DIALS = 3
const K = 4
const CONTRACTS = 200
const SEED = 20261126

export function locateSuite (withDht: boolean): void {
const rand = prng(SEED)
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!
const randomContract = (): string => toHex(Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)))

let peers: NetworkPeer[] = []
const delivered = new Map<string, number>()
const truth = new Map<string, string[]>()
const contracts: string[] = []
/** One signed user transaction (invoke) per contract: what a client hands its entry node. */
const txs = new Map<string, Envelope>()

function summary (hops: number[]): string {
  const sorted = [...hops].sort((a, b) => a - b)
  const mean = hops.reduce((a, b) => a + b, 0) / hops.length
  const hist = new Map<number, number>()
  for (const h of hops) hist.set(h, (hist.get(h) ?? 0) + 1)
  return `mean ${mean.toFixed(2)}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted[sorted.length - 1]}, histogram ${[...hist].sort((a, b) => a[0] - b[0]).map(([h, c]) => `${h}:${c}`).join(' ')}`
}

const latencies: number[] = []

async function routeAll (entries: NetworkPeer[], list: string[], live: Set<string>): Promise<number[]> {
  const hops: number[] = []
  latencies.length = 0
  const queue = [...list]
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      const entry = pick(entries)
      const t0 = performance.now()
      const env = txs.get(c)!
      const res = await entry.locator.submit(env) as RouteResult
      latencies.push(performance.now() - t0)
      expect(truth.get(c)!.filter(p => live.has(p))).toContain(res.deliveredBy)
      expect(new TextDecoder().decode(res.response)).toBe(`${res.deliveredBy}:${txId(env.tx)}`)
      hops.push(res.hops)
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  const l = [...latencies].sort((a, b) => a - b)
  console.log(`[locate] latency ms (4 routes in parallel): p50 ${l[Math.floor(l.length / 2)]!.toFixed(0)}, p90 ${l[Math.floor(l.length * 0.9)]!.toFixed(0)}, max ${l[l.length - 1]!.toFixed(0)}`)
  return hops
}

describe(`locator on ${N} loopback peers, each dialling ${DIALS} others, ${withDht ? 'with kad-dht' : 'neighbours only (no DHT)'} (seed ${SEED})`, () => {
  beforeAll(async () => {
    const m = await makeConsortium(Math.ceil(N / 3))
    const ids = nodeIdentities(m).slice(0, N)
    peers = await Promise.all(ids.map(async id => await startPeer(m.genesis, id, { locator: { minOrgs: 2 }, dht: withDht })))
    for (const p of peers) {
      p.locator.handle(async d => {
        delivered.set(p.peerId, (delivered.get(p.peerId) ?? 0) + 1)
        const env = decodeEnvelope(d.payload)
        if (env.tx.contract !== d.contract) throw new Error('delivered to the wrong contract')
        return new TextEncoder().encode(`${p.peerId}:${txId(env.tx)}`)
      })
    }
    for (const [i, p] of peers.entries()) {
      const others = peers.filter((_, j) => j !== i)
      const targets = new Set<NetworkPeer>()
      while (targets.size < DIALS) targets.add(pick(others))
      for (const t of targets) await p.connect(wsAddr(t))
    }
    // the shards of 200 contracts, as the shard layer would have recorded them at deploy
    const all = peers.map(p => ({ peerId: p.peerId, org: p.admission.ownOrg }))
    const info = new Map<string, Member>(peers.map(p => [p.peerId, { peerId: p.peerId, org: p.admission.ownOrg, addrs: [] }]))
    const users = userIdentities(m)
    for (let i = 0; i < CONTRACTS; i++) {
      const c = randomContract()
      contracts.push(c)
      const user = users[i % users.length]!
      txs.set(c, await signEnvelope({ v: 1, network: networkId(m.genesis), kind: 'invoke', contract: c, method: 'call', arg: i, nonce: String(i), from: identityId(user.publicKey) }, user))
      const members = selectMembers(c, all, K, 2)
      truth.set(c, members)
      for (const p of peers) if (members.includes(p.peerId)) p.locator.membership.record(c, members.map(id => info.get(id)!))
    }
  })
  afterAll(async () => { await stopAll(peers) })

  it('reaches a member of the right k-closest set for 200 random contracts, mean hops ≤ log2(N) + 2', async () => {
    const degree = peers.reduce((a, p) => a + p.locator.neighbours().length, 0) / N
    const hops = await routeAll(peers, contracts, new Set(peers.map(p => p.peerId)))
    const mean = hops.reduce((a, b) => a + b, 0) / hops.length
    const degreeAfter = peers.reduce((a, p) => a + p.locator.neighbours().length, 0) / N
    console.log(`[locate${withDht ? '' : ' no-dht'}] N=${N} k=${K} contracts=${CONTRACTS}: hops ${summary(hops)}; mean neighbours ${degree.toFixed(1)} at start, ${degreeAfter.toFixed(1)} at end; DHT lookups ${peers.reduce((a, p) => a + p.locator.stats.dhtLookups, 0)}, floods ${peers.reduce((a, p) => a + p.locator.stats.floods, 0)}`)
    expect(hops).toHaveLength(CONTRACTS)
    expect(mean).toBeLessThanOrEqual(Math.log2(N) + 2)
    expect([...delivered.values()].reduce((a, b) => a + b, 0)).toBe(CONTRACTS)
  })

  it('after stopping 30% of the peers at random, reaches every contract that has a live member', async () => {
    const stopped = new Set<NetworkPeer>()
    while (stopped.size < Math.round(0.3 * N)) stopped.add(pick(peers))
    await Promise.all([...stopped].map(async p => await p.stop()))
    const live = peers.filter(p => !stopped.has(p))
    const liveIds = new Set(live.map(p => p.peerId))
    const reachable = contracts.filter(c => truth.get(c)!.some(p => liveIds.has(p)))
    const dead = contracts.filter(c => !reachable.includes(c))
    const hops = await routeAll(live, reachable, liveIds)
    console.log(`[locate${withDht ? '' : ' no-dht'}] after stopping ${stopped.size}/${N}: ${reachable.length} contracts with a live member all reached, hops ${summary(hops)}; ${dead.length} contracts lost every member; floods ${live.reduce((a, p) => a + p.locator.stats.floods, 0)}`)
    expect(hops).toHaveLength(reachable.length)
    expect(reachable.length).toBeGreaterThan(CONTRACTS / 2)
  })
})
}
