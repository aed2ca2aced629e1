import { afterEach, describe, expect, it } from 'vitest'
import { encode } from '../../src/core/encoding.ts'
import { certId, encodeCertificate } from '../../src/crypto/certificate.ts'
import type { CertBody, Certificate } from '../../src/crypto/certificate.ts'
import { networkId } from '../../src/crypto/genesis.ts'
import type { Genesis } from '../../src/crypto/genesis.ts'
import { issueIdentity } from '../../src/crypto/identity.ts'
import type { Identity } from '../../src/crypto/identity.ts'
import { ed25519 } from '../../src/crypto/ed25519.ts'
import type { NetworkPeer } from '../../src/network/peer.ts'
import { makeConsortium, nodeIdentities, startPeer, stopAll, wsAddr } from './fixtures.ts'

const peers: NetworkPeer[] = []
afterEach(async () => { await stopAll(peers.splice(0)) })

async function start (genesis: Genesis, id: Identity, extra = {}): Promise<NetworkPeer> {
  const p = await startPeer(genesis, id, { admissionTimeoutMs: 3000, ...extra })
  peers.push(p)
  return p
}

/** A certificate for `id`'s keys signed by a CA that is not in the genesis. */
async function forgedIdentity (genesis: Genesis, id: Identity, org: string): Promise<Identity> {
  const rogue = await ed25519.generateKeyPair()
  const body: CertBody = { ...id.certificate.body, org, network: networkId(genesis) }
  const sig = await ed25519.sign(encode(['betasco/cert/v1', body]), rogue.secretKey)
  const certificate: Certificate = { body, sig }
  return { ...id, org, certificate, certBytes: encodeCertificate(certificate) }
}

describe('admission', () => {
  it('admits two peers of the consortium to each other, with their verified identities', async () => {
    const m = await makeConsortium(1)
    const [a, b] = nodeIdentities(m)
    const pa = await start(m.genesis, a!)
    const pb = await start(m.genesis, b!)
    await pa.connect(wsAddr(pb))
    await pb.admission.waitFor(pa.peerId)
    expect(pa.admission.identityOf(pb.peerId)?.name).toBe(b!.name)
    expect(pb.admission.identityOf(pa.peerId)?.org).toBe(a!.org)
  })

  it('refuses a peer whose certificate comes from a CA outside the genesis (known org name, forged CA)', async () => {
    const m = await makeConsortium(2)
    const [a, b] = nodeIdentities(m)
    const honest = await start(m.genesis, a!)
    const forged = await start(m.genesis, await forgedIdentity(m.genesis, b!, b!.org))
    await expect(forged.connect(wsAddr(honest))).rejects.toMatchObject({ code: 'NOT_ADMITTED' })
    expect(honest.admission.rejectionOf(forged.peerId)?.code).toBe('CERT_INVALID')
    expect(honest.admission.isAdmitted(forged.peerId)).toBe(false)
    // refused for good: the gater drops its next connection right after the noise handshake
    await forged.node.dial(honest.node.getMultiaddrs()[0]!).catch(() => {})
    expect(honest.node.getConnections(forged.node.peerId)).toHaveLength(0)
  })

  it('refuses a peer whose certificate names an organization that is not in the genesis', async () => {
    const m = await makeConsortium(2)
    const [a, b] = nodeIdentities(m)
    const honest = await start(m.genesis, a!)
    const rogue = await start(m.genesis, await forgedIdentity(m.genesis, b!, 'rogue-org'))
    await expect(rogue.connect(wsAddr(honest))).rejects.toMatchObject({ code: 'NOT_ADMITTED' })
    expect(honest.admission.rejectionOf(rogue.peerId)?.code).toBe('UNKNOWN_ORG')
  })

  it('refuses a peer with an expired certificate, and a dialled peer with one is dropped too', async () => {
    const m = await makeConsortium(1)
    const [a] = nodeIdentities(m)
    const ca = m.cas[1]!
    const old = await issueIdentity(m.genesis, ca, 'node', 'old-node', { validityDays: 1, nowMs: Date.now() - 3 * 86_400_000 })
    const honest = await start(m.genesis, a!)
    const expired = await start(m.genesis, old)
    await expect(expired.connect(wsAddr(honest))).rejects.toMatchObject({ code: 'NOT_ADMITTED' })
    expect(honest.admission.rejectionOf(expired.peerId)?.code).toBe('CERT_EXPIRED')
    // the other direction: the honest peer dials the expired one and refuses its answer
    const honest2 = await start(m.genesis, nodeIdentities(m)[1]!)
    await expect(honest2.connect(wsAddr(expired))).rejects.toMatchObject({ code: 'CERT_EXPIRED' })
    expect(honest2.node.getConnections(expired.node.peerId)).toHaveLength(0)
  })

  it('drops a connected peer whose certificate expires while it is connected', async () => {
    const m = await makeConsortium(1)
    const [a] = nodeIdentities(m)
    const soon = await issueIdentity(m.genesis, m.cas[1]!, 'node', 'short-lived', { validityDays: 1, nowMs: Date.now() })
    let now = Date.now()
    const honest = await start(m.genesis, a!, { nowMs: () => now })
    const p = await start(m.genesis, soon)
    await p.connect(wsAddr(honest))
    await honest.admission.waitFor(p.peerId)
    expect(await honest.admission.recheck()).toEqual([])
    now += 2 * 86_400_000
    expect(await honest.admission.recheck()).toEqual([p.peerId])
    expect(honest.admission.isAdmitted(p.peerId)).toBe(false)
    expect(honest.admission.rejectionOf(p.peerId)?.code).toBe('CERT_EXPIRED')
    expect(honest.node.getConnections(p.node.peerId)).toHaveLength(0)
  })

  it('refuses a peer whose certificate is revoked in the genesis', async () => {
    const m = await makeConsortium(2)
    const [a, b] = nodeIdentities(m)
    const genesis: Genesis = { ...m.genesis, revoked: [certId(b!.certificate)] }
    const honest = await start(genesis, a!)
    const revoked = await start(m.genesis, b!)
    await expect(revoked.connect(wsAddr(honest))).rejects.toMatchObject({ code: 'NOT_ADMITTED' })
    expect(honest.admission.rejectionOf(revoked.peerId)?.code).toBe('CERT_REVOKED')
  })

  it('disconnects a peer that presents no certificate, and never admits it', async () => {
    const m = await makeConsortium(2)
    const [a, b] = nodeIdentities(m)
    const honest = await start(m.genesis, a!, { admissionTimeoutMs: 1500 })
    const silent = await start(m.genesis, b!)
    await silent.admission.stop() // speaks libp2p, but never presents a certificate
    await silent.node.dial(honest.node.getMultiaddrs()[0]!)
    await expect(honest.admission.waitFor(silent.peerId, 10_000)).rejects.toMatchObject({ code: 'NOT_ADMITTED' })
    expect(honest.node.getConnections(silent.node.peerId)).toHaveLength(0)
    expect(honest.admission.isAdmitted(silent.peerId)).toBe(false)
    // silence is not a verdict on a certificate: the peer is not denied for good, just dropped
    expect(honest.admission.rejectionOf(silent.peerId)).toBeUndefined()
    expect(honest.admission.failureOf(silent.peerId)?.code).toBe('NOT_ADMITTED')
  })
})
