import { beforeAll, describe, expect, it } from 'vitest'
import {
  createNetwork, decodeCertificate, encodeCertificate, genesisToJson, identityToJson, issueIdentity, networkId,
  parseGenesis, parseIdentity, signEnvelope, verifyCertificate, verifyEnvelope, identityId, signAsNode, verifyNodeSignature
} from '../../src/crypto/index.ts'
import type { NetworkMaterial, SchemeName } from '../../src/crypto/index.ts'
import type { TxBody } from '../../src/core/transaction.ts'

const NOW = Date.UTC(2026, 10, 1)

async function network (scheme: SchemeName, orgs = ['org1', 'org2']): Promise<NetworkMaterial> {
  return await createNetwork({ name: 'test', orgs, scheme, nodesPerOrg: 2, usersPerOrg: 1, validityDays: 30, nowMs: NOW })
}

function invoke (net: NetworkMaterial, from: string): TxBody {
  return { v: 1, network: networkId(net.genesis), kind: 'invoke', contract: 'c'.repeat(64), method: 'call', arg: { n: 1 }, nonce: 'n1', from }
}

for (const scheme of ['ed25519', 'sm2'] as const) {
  describe(`certificates and identities (${scheme})`, () => {
    let net: NetworkMaterial
    let other: NetworkMaterial
    beforeAll(async () => {
      net = await network(scheme)
      other = await network(scheme)
    })

    it('makes CAs, a genesis and verifiable node and user identities', async () => {
      expect(net.identities.map(i => i.name)).toEqual(['org1-node1', 'org1-node2', 'org1-user1', 'org1-admin', 'org2-node1', 'org2-node2', 'org2-user1', 'org2-admin'])
      expect(net.identities.filter(i => i.role === 'admin').map(i => i.org)).toEqual(['org1', 'org2'])
      for (const id of net.identities) {
        const who = await verifyCertificate(net.genesis, id.certBytes, { nowMs: NOW, kind: id.kind })
        expect(who.org).toBe(id.org)
        expect(who.id).toBe(identityId(id.publicKey))
        if (id.kind === 'node') expect(who.peerId).toBe(id.peerId)
      }
    })

    it('round-trips genesis and identity files, and checks they belong together', async () => {
      const genesis = parseGenesis(JSON.parse(JSON.stringify(genesisToJson(net.genesis))))
      expect(networkId(genesis)).toBe(networkId(net.genesis))
      const node = net.identities[0]!
      const back = await parseIdentity(JSON.parse(JSON.stringify(identityToJson(node))), genesis, NOW)
      expect(back.peerId).toBe(node.peerId)
      const json = identityToJson(node)
      // Someone else's secret key in the file.
      await expect(parseIdentity({ ...json, secretKey: identityToJson(net.identities[1]!).secretKey }, genesis, NOW)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
      // Someone else's libp2p key.
      await expect(parseIdentity({ ...json, peerPrivateKey: identityToJson(net.identities[1]!).peerPrivateKey }, genesis, NOW)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
      // The right file against another network's genesis.
      await expect(parseIdentity(json, other.genesis, NOW)).rejects.toMatchObject({ code: 'WRONG_NETWORK' })
      await expect(parseIdentity({ ...json, extra: 1 }, genesis, NOW)).rejects.toMatchObject({ code: 'BAD_SHAPE' })
    })

    it('refuses expired, not-yet-valid, revoked, foreign, forged and unknown-organization certificates', async () => {
      const user = net.identities.find(i => i.kind === 'user')!
      await expect(verifyCertificate(net.genesis, user.certBytes, { nowMs: NOW + 31 * 86_400_000 })).rejects.toMatchObject({ code: 'CERT_EXPIRED' })
      await expect(verifyCertificate(net.genesis, user.certBytes, { nowMs: NOW - 3_600_000 })).rejects.toMatchObject({ code: 'CERT_INVALID' })
      await expect(verifyCertificate(net.genesis, user.certBytes, { nowMs: NOW, kind: 'node' })).rejects.toMatchObject({ code: 'CERT_INVALID' })
      const revokedGenesis = { ...net.genesis, revoked: [decodeCertificateId(user.certBytes)] }
      await expect(verifyCertificate(revokedGenesis, user.certBytes, { nowMs: NOW })).rejects.toMatchObject({ code: 'CERT_REVOKED' })
      await expect(verifyCertificate(other.genesis, user.certBytes, { nowMs: NOW })).rejects.toMatchObject({ code: 'WRONG_NETWORK' })
      // A certificate claiming org2 but signed by org1's CA.
      const cert = decodeCertificate(user.certBytes)
      const forged = encodeCertificate({ ...cert, body: { ...cert.body, org: 'org2' } })
      await expect(verifyCertificate(net.genesis, forged, { nowMs: NOW })).rejects.toMatchObject({ code: 'CERT_INVALID' })
      const stretched = encodeCertificate({ ...cert, body: { ...cert.body, notAfterMs: cert.body.notAfterMs + 1 } })
      await expect(verifyCertificate(net.genesis, stretched, { nowMs: NOW })).rejects.toMatchObject({ code: 'CERT_INVALID' })
      const stranger = await network(scheme, ['org9'])
      await expect(verifyCertificate(net.genesis, stranger.identities[2]!.certBytes, { nowMs: NOW })).rejects.toMatchObject({ code: 'UNKNOWN_ORG' })
      // An org's CA cannot issue under another network's genesis.
      await expect(issueIdentity(net.genesis, stranger.cas[0]!, 'user', 'x', { validityDays: 1, nowMs: NOW })).rejects.toMatchObject({ code: 'UNKNOWN_ORG' })
      await expect(issueIdentity(net.genesis, { ...net.cas[1]!, org: 'org1' }, 'user', 'x', { validityDays: 1, nowMs: NOW })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
      await expect(verifyCertificate(net.genesis, new Uint8Array([0xa1, 0x61]), { nowMs: NOW })).rejects.toMatchObject({ code: 'DECODE_ERROR' })
    })

    it('signs and verifies client transactions; refuses tampering, impostors and other networks', async () => {
      const user = net.identities.find(i => i.kind === 'user')!
      const user2 = net.identities.filter(i => i.kind === 'user')[1]!
      const env = await signEnvelope(invoke(net, identityId(user.publicKey)), user)
      const signers = await verifyEnvelope(net.genesis, env, NOW)
      expect(signers.map(s => s.name)).toEqual(['org1-user1'])
      await expect(verifyEnvelope(net.genesis, { ...env, tx: { ...env.tx, arg: { n: 2 } } }, NOW)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
      // Signed by user2 while claiming to be from user1.
      const impostor = await signEnvelope(invoke(net, identityId(user.publicKey)), user2)
      await expect(verifyEnvelope(net.genesis, impostor, NOW)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
      await expect(verifyEnvelope(net.genesis, { ...env, proofs: [] }, NOW)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
      await expect(verifyEnvelope(other.genesis, env, NOW)).rejects.toMatchObject({ code: 'WRONG_NETWORK' })
      // A node certificate cannot sign a client transaction.
      const node = net.identities[0]!
      const byNode = await signEnvelope(invoke(net, identityId(node.publicKey)), node)
      await expect(verifyEnvelope(net.genesis, byNode, NOW)).rejects.toMatchObject({ code: 'CERT_INVALID' })
      await expect(signEnvelope(invoke(other, identityId(user.publicKey)), user)).rejects.toMatchObject({ code: 'WRONG_NETWORK' })
    })

    it('node message signatures are domain-separated', async () => {
      const node = net.identities[0]!
      const sig = await signAsNode(node, 'vote', { height: 3 })
      expect(await verifyNodeSignature(net.genesis, node.publicKey, 'vote', { height: 3 }, sig)).toBe(true)
      expect(await verifyNodeSignature(net.genesis, node.publicKey, 'checkpoint', { height: 3 }, sig)).toBe(false)
      expect(await verifyNodeSignature(net.genesis, node.publicKey, 'vote', { height: 4 }, sig)).toBe(false)
    })
  })
}

function decodeCertificateId (bytes: Uint8Array): string {
  return certIdOf(decodeCertificate(bytes))
}
import { certId as certIdOf } from '../../src/crypto/index.ts'

describe('genesis parsing', () => {
  it('names the defective field', async () => {
    const net = await network('ed25519')
    const json = genesisToJson(net.genesis)
    expect(() => parseGenesis({ ...json, scheme: 'rsa' })).toThrow(/genesis.scheme/)
    expect(() => parseGenesis({ ...json, orgs: [] })).toThrow(/genesis.orgs/)
    expect(() => parseGenesis({ ...json, orgs: [...(json.orgs as object[]), (json.orgs as object[])[0]] })).toThrow(/duplicate/)
    expect(() => parseGenesis({ ...json, params: { checkpointInterval: 0, defaultShardSize: 4, defaultGasLimit: 1 } })).toThrow(/checkpointInterval/)
  })
})
