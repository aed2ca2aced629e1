// First-hop admission of user transactions, shard formation at deploy, the wire protocol's
// handling of malformed frames, and the "still locating" fallback, on 8 loopback peers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as lp from 'it-length-prefixed'
import { toHex } from '../../src/core/bytes.ts'
import { encode } from '../../src/core/encoding.ts'
import { txSigningBytes } from '../../src/core/transaction.ts'
import type { Envelope, TxBody } from '../../src/core/transaction.ts'
import { encodeCertificate } from '../../src/crypto/certificate.ts'
import type { CertBody, Certificate } from '../../src/crypto/certificate.ts'
import { ed25519 } from '../../src/crypto/ed25519.ts'
import { signEnvelope } from '../../src/crypto/envelope.ts'
import { networkId } from '../../src/crypto/genesis.ts'
import type { Identity, NetworkMaterial } from '../../src/crypto/identity.ts'
import { identityId } from '../../src/crypto/certificate.ts'
import { sortByDistance } from '../../src/network/distance.ts'
import { selectMembers } from '../../src/network/locator.ts'
import type { DeployResult, RouteResult } from '../../src/network/locator.ts'
import type { NetworkPeer } from '../../src/network/peer.ts'
import { makeConsortium, nodeIdentities, prng, startPeer, stopAll, userIdentities, wsAddr } from './fixtures.ts'

const N = 8
let m: NetworkMaterial
let peers: NetworkPeer[] = []
const delivered: string[] = []
const rand = prng(7)
const randomContract = (): string => toHex(Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)))

function tx (user: Identity, contract: string, kind: 'invoke' | 'deploy' = 'invoke'): TxBody {
  const body: TxBody = { v: 1, network: networkId(m.genesis), kind, contract, method: 'call', arg: 1, nonce: toHex(globalThis.crypto.getRandomValues(new Uint8Array(8))), from: identityId(user.publicKey) }
  if (kind === 'deploy') body.deploy = { code: 'contract C { export function call(a) { return a } }', shardSize: 3, consensus: 'raft', gasLimit: 1000, checkpointInterval: 10 }
  return body
}

/** A user whose certificate is signed by a CA outside the genesis, for an organization name of it. */
async function outsider (): Promise<Identity> {
  const user = userIdentities(m)[0]!
  const rogueCa = await ed25519.generateKeyPair()
  const kp = await ed25519.generateKeyPair()
  const body: CertBody = { ...user.certificate.body, name: 'outsider', publicKey: kp.publicKey }
  const certificate: Certificate = { body, sig: await ed25519.sign(encode(['betasco/cert/v1', body]), rogueCa.secretKey) }
  return { ...user, name: 'outsider', secretKey: kp.secretKey, publicKey: kp.publicKey, certificate, certBytes: encodeCertificate(certificate) }
}

function traffic (): number {
  return peers.reduce((a, p) => a + p.locator.stats.forwarded + p.locator.stats.received + p.locator.stats.delivered, 0)
}

describe(`locator protocol on ${N} loopback peers`, () => {
  beforeAll(async () => {
    m = await makeConsortium(3)
    peers = await Promise.all(nodeIdentities(m).slice(0, N).map(async id => await startPeer(m.genesis, id, { locator: { minOrgs: 2, dhtTimeoutMs: 1000 }, dhtQuerySelfIntervalMs: 3_600_000 })))
    for (const p of peers) p.locator.handle(async d => { delivered.push(p.peerId); return d.payload.slice(0, 4) })
    // a ring plus one chord per peer
    for (let i = 0; i < N; i++) {
      await peers[i]!.connect(wsAddr(peers[(i + 1) % N]!))
      await peers[i]!.connect(wsAddr(peers[(i + 3) % N]!))
    }
  })
  afterAll(async () => { await stopAll(peers) })

  it('refuses at the first hop a tx signed by a user outside the genesis organizations; nothing is sent', async () => {
    const who = await outsider()
    const body = tx(who, randomContract())
    const env: Envelope = { tx: body, proofs: [{ cert: who.certBytes, sig: await ed25519.sign(txSigningBytes(body), who.secretKey) }] }
    const before = traffic()
    await expect(peers[0]!.locator.submit(env)).rejects.toMatchObject({ code: 'CERT_INVALID', message: expect.stringMatching(/refused at the first hop/) })
    expect(traffic()).toBe(before)
  })

  it('refuses at the first hop a tx whose signature does not match its body', async () => {
    const user = userIdentities(m)[1]!
    const env = await signEnvelope(tx(user, randomContract()), user)
    const tampered: Envelope = { ...env, tx: { ...env.tx, arg: 2 } }
    const before = traffic()
    await expect(peers[1]!.locator.submit(tampered)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
    expect(traffic()).toBe(before)
  })

  it('forms a shard at deploy: the k closest peers (spanning 2 organizations) become members, connected to each other', async () => {
    const user = userIdentities(m)[0]!
    const contract = randomContract()
    const env = await signEnvelope(tx(user, contract, 'deploy'), user)
    const res = await peers[5]!.locator.submit(env) as DeployResult
    const expected = selectMembers(contract, peers.map(p => ({ peerId: p.peerId, org: p.admission.ownOrg })), 3, 2)
    expect(res.members.map(x => x.peerId).sort()).toEqual([...expected].sort())
    expect(res.members[0]!.peerId).toBe(expected[0])
    expect(new Set(res.members.map(x => x.org)).size).toBeGreaterThanOrEqual(2)
    for (const member of res.members) {
      const p = peers.find(x => x.peerId === member.peerId)!
      expect(p.locator.membership.isMember(contract)).toBe(true)
      for (const other of res.members) if (other.peerId !== member.peerId) expect(p.admission.isAdmitted(other.peerId)).toBe(true)
      expect(member.addrs.length).toBeGreaterThan(0)
    }
    for (const p of peers) if (!expected.includes(p.peerId)) expect(p.locator.membership.isMember(contract)).toBe(false)
    // an invoke from anywhere now reaches a member
    const invoke = await signEnvelope(tx(user, contract), user)
    const routed = await peers[2]!.locator.submit(invoke) as RouteResult
    expect(expected).toContain(routed.deliveredBy)
    // deploying again finds the existing shard instead of forming another
    const again = await peers[3]!.locator.deploy(contract, 3, new Uint8Array(1))
    expect(again.members.map(x => x.peerId).sort()).toEqual([...expected].sort())
  })

  it('reaches a member that is far from the contract (re-configured shard) by search or by flood', async () => {
    const contract = randomContract()
    const far = sortByDistance(contract, peers.map(p => p.peerId)).at(-1)!
    const member = peers.find(p => p.peerId === far)!
    member.locator.membership.record(contract, [{ peerId: far, org: member.admission.ownOrg, addrs: [] }])
    const entry = peers.find(p => p !== member)!
    const statuses: string[] = []
    const res = await entry.locator.route(contract, new Uint8Array(5), { onStatus: s => statuses.push(s) })
    expect(res.deliveredBy).toBe(far)
    expect(statuses).toEqual(res.flooded ? ['STILL_LOCATING'] : [])
  })

  it('tells the client "still locating", floods, and fails with UNREACHABLE when no member exists', async () => {
    const statuses: string[] = []
    const before = peers.reduce((a, p) => a + p.locator.stats.floods, 0)
    await expect(peers[4]!.locator.route(randomContract(), new Uint8Array(3), { onStatus: s => statuses.push(s) })).rejects.toMatchObject({ code: 'UNREACHABLE' })
    expect(statuses).toEqual(['STILL_LOCATING'])
    expect(peers.reduce((a, p) => a + p.locator.stats.floods, 0)).toBe(before + 1)
  })

  it('closes a stream that sends a malformed or oversized frame, and the node keeps serving', async () => {
    const [a, b] = [peers[0]!, peers[1]!]
    const garbage = await a.node.dialProtocol(b.node.peerId, b.locator.protocol)
    garbage.send(lp.encode.single(new Uint8Array([0xff, 0x00, 0x13])))
    const oversized = await a.node.dialProtocol(b.node.peerId, b.locator.protocol)
    oversized.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f])) // a length prefix of ~4 GiB
    for (const s of [garbage, oversized]) {
      let got = 0
      try { for await (const chunk of s) got += chunk.byteLength } catch { /* reset by the remote: what we expect */ }
      expect(got).toBe(0) // no answer, the stream just ends
    }
    expect(b.node.status).toBe('started')
    expect(a.admission.isAdmitted(b.peerId)).toBe(true)
    const contract = randomContract()
    b.locator.membership.record(contract, [{ peerId: b.peerId, org: b.admission.ownOrg, addrs: [] }])
    const res = await a.locator.route(contract, new Uint8Array([9, 9]))
    expect(res.deliveredBy).toBe(b.peerId)
  })

  it('finds through the DHT the same closest peers as the XOR metric (one key space)', async () => {
    const contract = randomContract()
    const lookup = await peers[6]!.locator.closestPeers(contract, N, 5000)
    const others = peers.filter(p => p !== peers[6]).map(p => p.peerId)
    expect(lookup).toEqual(sortByDistance(contract, others))
  })

  it('rejects bad arguments with typed errors before anything is sent', async () => {
    const before = traffic()
    await expect(peers[0]!.locator.route('not-a-contract', new Uint8Array(1))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(peers[0]!.locator.route(randomContract(), new Uint8Array(400 * 1024))).rejects.toMatchObject({ code: 'TOO_LARGE' })
    await expect(peers[0]!.locator.deploy(randomContract(), 0, new Uint8Array(1))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    expect(traffic()).toBe(before)
  })
})

describe('flood fallback on a line of 5 peers with a 1-hop search limit (no DHT)', () => {
  const line: NetworkPeer[] = []
  afterAll(async () => { await stopAll(line) })

  it('tells the client "still locating", then the flood reaches the member 4 hops away', async () => {
    const mat = await makeConsortium(2)
    for (const id of nodeIdentities(mat).slice(0, 5)) line.push(await startPeer(mat.genesis, id, { dht: false, locator: { maxHops: 1, floodHops: 4 } }))
    for (let i = 0; i < 4; i++) await line[i]!.connect(wsAddr(line[i + 1]!))
    const last = line[4]!
    const contract = randomContract()
    last.locator.membership.record(contract, [{ peerId: last.peerId, org: last.admission.ownOrg, addrs: [] }])
    last.locator.handle(async d => new Uint8Array([d.hops]))
    const statuses: string[] = []
    const res = await line[0]!.locator.route(contract, new Uint8Array(2), { onStatus: s => statuses.push(s) })
    expect(statuses).toEqual(['STILL_LOCATING'])
    expect(res.flooded).toBe(true)
    expect(res.deliveredBy).toBe(last.peerId)
    expect(res.path).toEqual(line.map(p => p.peerId))
    expect([...res.response]).toEqual([4])
  })
})
