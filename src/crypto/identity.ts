// Identity files, like Fabric's cryptogen output: a CA file per organization and one file per
// node or user holding its secret key, its certificate and (nodes) its libp2p peer key.
// Loading checks that the pieces belong together, so a mixed-up file fails at start, not later.
import { generateKeyPair as generatePeerKey, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { BetascoError } from '../core/errors.ts'
import { equalBytes, fromBase64, fromHex, toBase64, toHex } from '../core/bytes.ts'
import { int, oneOf, record, str } from '../core/shape.ts'
import { decodeCertificate, encodeCertificate, issueCertificate, verifyCertificate } from './certificate.ts'
import type { CertKind, CertRole, Certificate, VerifiedIdentity } from './certificate.ts'
import { DEFAULT_PARAMS, networkId, ORG_NAME } from './genesis.ts'
import type { Genesis, NetworkParams } from './genesis.ts'
import { getScheme } from './schemes.ts'
import type { SchemeName } from './scheme.ts'

export interface CaKey {
  org: string
  scheme: SchemeName
  secretKey: Uint8Array
  publicKey: Uint8Array
}

/** A node's or user's identity: its keys and its certificate. */
export interface Identity {
  kind: CertKind
  org: string
  name: string
  role: CertRole
  scheme: SchemeName
  network: string
  secretKey: Uint8Array
  publicKey: Uint8Array
  certificate: Certificate
  /** The encoded certificate, as it travels in proofs and handshakes. */
  certBytes: Uint8Array
  /** libp2p private key (protobuf bytes) and peer ID: nodes only. */
  peerPrivateKey?: Uint8Array
  peerId?: string
}

const HEX = /^[0-9a-f]+$/

export function caToJson (ca: CaKey): Record<string, unknown> {
  return { v: 1, kind: 'ca', org: ca.org, scheme: ca.scheme, secretKey: toHex(ca.secretKey), publicKey: toHex(ca.publicKey) }
}

export function parseCa (json: unknown): CaKey {
  const o = record(json, 'ca', ['v', 'kind', 'org', 'scheme', 'secretKey', 'publicKey'])
  if (o.v !== 1 || o.kind !== 'ca') throw new BetascoError('BAD_SHAPE', 'not a CA file (v 1, kind "ca")')
  return {
    org: str(o.org, 'ca.org', 64, ORG_NAME),
    scheme: oneOf(o.scheme, 'ca.scheme', ['ed25519', 'sm2'] as const),
    secretKey: fromHex(str(o.secretKey, 'ca.secretKey', 128, HEX)),
    publicKey: fromHex(str(o.publicKey, 'ca.publicKey', 256, HEX))
  }
}

export function identityToJson (id: Identity): Record<string, unknown> {
  const out: Record<string, unknown> = {
    v: 1,
    kind: id.kind,
    org: id.org,
    name: id.name,
    role: id.role,
    scheme: id.scheme,
    network: id.network,
    secretKey: toHex(id.secretKey),
    publicKey: toHex(id.publicKey),
    certificate: toBase64(id.certBytes)
  }
  if (id.peerId !== undefined && id.peerPrivateKey !== undefined) {
    out.peerId = id.peerId
    out.peerPrivateKey = toBase64(id.peerPrivateKey)
  }
  return out
}

/**
 * Parses an identity file and checks it is coherent: the secret key gives the public key, the
 * certificate is for that key and names the same organization, and (nodes) the peer key gives
 * the peer ID in the certificate. With a genesis it also verifies the certificate chain.
 */
export async function parseIdentity (json: unknown, genesis?: Genesis, nowMs = Date.now()): Promise<Identity> {
  const o = record(json, 'identity', ['v', 'kind', 'org', 'name', 'role', 'scheme', 'network', 'secretKey', 'publicKey', 'certificate'], ['peerId', 'peerPrivateKey'])
  if (int(o.v, 'identity.v', 1, 1) !== 1) throw new BetascoError('BAD_SHAPE', 'identity.v: unsupported version')
  const scheme = oneOf(o.scheme, 'identity.scheme', ['ed25519', 'sm2'] as const)
  const certBytes = fromBase64(str(o.certificate, 'identity.certificate', 8192))
  const certificate = decodeCertificate(certBytes)
  const id: Identity = {
    kind: oneOf(o.kind, 'identity.kind', ['node', 'user'] as const),
    org: str(o.org, 'identity.org', 64, ORG_NAME),
    name: str(o.name, 'identity.name', 128),
    role: certificate.body.role,
    scheme,
    network: str(o.network, 'identity.network', 64, /^[0-9a-f]{64}$/),
    secretKey: fromHex(str(o.secretKey, 'identity.secretKey', 128, HEX)),
    publicKey: fromHex(str(o.publicKey, 'identity.publicKey', 256, HEX)),
    certificate,
    certBytes
  }
  const s = getScheme(scheme)
  if (!equalBytes(await s.publicKeyOf(id.secretKey), id.publicKey)) throw new BetascoError('BAD_ARGUMENT', `identity ${id.name}: the secret key does not match the public key`)
  const b = certificate.body
  if (!equalBytes(b.publicKey, id.publicKey) || b.org !== id.org || b.kind !== id.kind || b.name !== id.name || b.network !== id.network) {
    throw new BetascoError('BAD_ARGUMENT', `identity ${id.name}: the certificate is not this identity's`)
  }
  if (id.kind === 'node') {
    if (typeof o.peerPrivateKey !== 'string' || typeof o.peerId !== 'string') throw new BetascoError('BAD_SHAPE', `identity ${id.name}: a node identity needs peerId and peerPrivateKey`)
    id.peerPrivateKey = fromBase64(o.peerPrivateKey)
    let derived: string
    try {
      derived = peerIdFromPrivateKey(privateKeyFromProtobuf(id.peerPrivateKey)).toString()
    } catch (err) {
      throw new BetascoError('BAD_ARGUMENT', `identity ${id.name}: peerPrivateKey is not a libp2p private key (${(err as Error).message})`)
    }
    if (derived !== o.peerId || derived !== b.peerId) throw new BetascoError('BAD_ARGUMENT', `identity ${id.name}: the peer key does not match the peer ID in the certificate`)
    id.peerId = derived
  }
  if (genesis !== undefined) {
    if (networkId(genesis) !== id.network) throw new BetascoError('WRONG_NETWORK', `identity ${id.name} belongs to another network than this genesis`)
    await verifyCertificate(genesis, certificate, { nowMs, kind: id.kind })
  }
  return id
}

export interface NetworkSpec {
  name: string
  orgs: string[]
  scheme: SchemeName
  nodesPerOrg: number
  usersPerOrg: number
  validityDays: number
  nowMs: number
  params?: Partial<NetworkParams>
  /** Called after each identity is made (progress for the CLI). */
  onIdentity?: (identity: Identity) => void
}

export interface NetworkMaterial {
  genesis: Genesis
  cas: CaKey[]
  identities: Identity[]
}

/** Makes a whole consortium: a CA per organization, the genesis, node and user identities. */
export async function createNetwork (spec: NetworkSpec): Promise<NetworkMaterial> {
  if (spec.orgs.length === 0) throw new BetascoError('BAD_ARGUMENT', 'at least one organization is needed')
  for (const org of spec.orgs) if (!ORG_NAME.test(org)) throw new BetascoError('BAD_ARGUMENT', `bad organization name "${org}" (letters, digits and '-', up to 64)`)
  if (new Set(spec.orgs).size !== spec.orgs.length) throw new BetascoError('BAD_ARGUMENT', 'organization names must be distinct')
  const scheme = getScheme(spec.scheme)
  const cas: CaKey[] = []
  for (const org of spec.orgs) {
    const kp = await scheme.generateKeyPair()
    cas.push({ org, scheme: spec.scheme, ...kp })
  }
  const genesis: Genesis = {
    v: 1,
    name: spec.name,
    scheme: spec.scheme,
    createdMs: spec.nowMs,
    orgs: cas.map(ca => ({ name: ca.org, caPublicKey: ca.publicKey })),
    revoked: [],
    params: { ...DEFAULT_PARAMS, ...spec.params }
  }
  const identities: Identity[] = []
  for (const ca of cas) {
    for (let i = 1; i <= spec.nodesPerOrg; i++) identities.push(await issueIdentity(genesis, ca, 'node', `${ca.org}-node${i}`, spec))
    for (let i = 1; i <= spec.usersPerOrg; i++) identities.push(await issueIdentity(genesis, ca, 'user', `${ca.org}-user${i}`, spec))
    // The organization's administrator: may sign configuration transactions (consensus switch).
    identities.push(await issueIdentity(genesis, ca, 'user', `${ca.org}-admin`, { ...spec, role: 'admin' }))
  }
  return { genesis, cas, identities }
}

/** Issues a new node or user identity under an organization's CA. */
export async function issueIdentity (genesis: Genesis, ca: CaKey, kind: CertKind, name: string, opts: { validityDays: number, nowMs: number, role?: CertRole, onIdentity?: (id: Identity) => void }): Promise<Identity> {
  const scheme = getScheme(genesis.scheme)
  const kp = await scheme.generateKeyPair()
  let peerPrivateKey: Uint8Array | undefined
  let peerId: string | undefined
  if (kind === 'node') {
    const key = await generatePeerKey('Ed25519')
    peerPrivateKey = privateKeyToProtobuf(key)
    peerId = peerIdFromPrivateKey(key).toString()
  }
  const serial = toHex(globalThis.crypto.getRandomValues(new Uint8Array(8)))
  const certificate = await issueCertificate(genesis, ca.secretKey, {
    kind,
    org: ca.org,
    name,
    role: opts.role ?? (kind === 'node' ? 'peer' : 'client'),
    publicKey: kp.publicKey,
    ...(peerId !== undefined ? { peerId } : {}),
    notBeforeMs: opts.nowMs - 60_000,
    notAfterMs: opts.nowMs + opts.validityDays * 86_400_000,
    serial
  })
  const id: Identity = {
    kind,
    org: ca.org,
    name,
    role: certificate.body.role,
    scheme: genesis.scheme,
    network: networkId(genesis),
    ...kp,
    certificate,
    certBytes: encodeCertificate(certificate),
    ...(peerId !== undefined && peerPrivateKey !== undefined ? { peerId, peerPrivateKey } : {})
  }
  opts.onIdentity?.(id)
  return id
}

export type { VerifiedIdentity }
