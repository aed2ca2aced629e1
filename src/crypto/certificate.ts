// Certificates: an organization's CA vouches for a node (its signing key, its libp2p peer ID,
// its role) or for a user (signing key). Certificates are canonical CBOR, signed by the CA
// with the network's scheme, bound to one network ID, valid for a time window, and revocable
// through the genesis. Verification always goes back to the genesis: no CA outside it counts.
import { BetascoError } from '../core/errors.ts'
import { toHex } from '../core/bytes.ts'
import { decode, encode } from '../core/encoding.ts'
import { idOf, sha256 } from '../core/hash.ts'
import { LIMITS } from '../core/limits.ts'
import { bytes, int, oneOf, record, str } from '../core/shape.ts'
import { HEX32 } from '../core/transaction.ts'
import { findOrg, networkId, ORG_NAME } from './genesis.ts'
import type { Genesis } from './genesis.ts'
import { getScheme, verifySync } from './schemes.ts'

export type CertKind = 'node' | 'user'
/** 'tab': a node in a browser tab, whose ledger the browser may delete (not durable). */
export const NODE_ROLES = ['peer', 'relay', 'tab'] as const
export const USER_ROLES = ['client', 'admin'] as const
export type CertRole = typeof NODE_ROLES[number] | typeof USER_ROLES[number]

export interface CertBody {
  v: 1
  network: string
  kind: CertKind
  org: string
  name: string
  role: CertRole
  publicKey: Uint8Array
  /** libp2p peer ID (node certificates only). */
  peerId?: string
  notBeforeMs: number
  notAfterMs: number
  serial: string
}

export interface Certificate {
  body: CertBody
  sig: Uint8Array
}

/** What a verified certificate tells the rest of the system about its holder. */
export interface VerifiedIdentity {
  kind: CertKind
  org: string
  name: string
  role: CertRole
  publicKey: Uint8Array
  /** Identity ID: hex SHA-256 of the public key (a transaction's `from`). */
  id: string
  peerId?: string
  certId: string
  /** The encoded certificate itself, so the identity can be passed on and verified again. */
  cert: Uint8Array
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Identity ID of a public key: the `from` of the transactions it signs. */
export function identityId (publicKey: Uint8Array): string {
  return toHex(sha256(publicKey))
}

export function certId (cert: Certificate): string {
  return idOf(cert.body)
}

function certSigningBytes (body: CertBody): Uint8Array {
  return encode(['betasco/cert/v1', body])
}

export function encodeCertificate (cert: Certificate): Uint8Array {
  return encode(cert)
}

export function checkCertificate (v: unknown, path = 'certificate'): Certificate {
  const o = record(v, path, ['body', 'sig'])
  const b = record(o.body, `${path}.body`, ['v', 'network', 'kind', 'org', 'name', 'role', 'publicKey', 'notBeforeMs', 'notAfterMs', 'serial'], ['peerId'])
  if (b.v !== 1) throw new BetascoError('BAD_SHAPE', `${path}.body.v: unsupported version`)
  const kind = oneOf(b.kind, `${path}.body.kind`, ['node', 'user'] as const)
  const role = oneOf(b.role, `${path}.body.role`, kind === 'node' ? NODE_ROLES : USER_ROLES)
  const body: CertBody = {
    v: 1,
    network: str(b.network, `${path}.body.network`, 64, HEX32),
    kind,
    org: str(b.org, `${path}.body.org`, LIMITS.maxOrgNameLength, ORG_NAME),
    name: str(b.name, `${path}.body.name`, 128, NAME),
    role,
    publicKey: bytes(b.publicKey, `${path}.body.publicKey`, 32, 65),
    notBeforeMs: int(b.notBeforeMs, `${path}.body.notBeforeMs`),
    notAfterMs: int(b.notAfterMs, `${path}.body.notAfterMs`),
    serial: str(b.serial, `${path}.body.serial`, 64, /^[0-9a-f]{1,64}$/)
  }
  if (kind === 'node') {
    if (b.peerId === undefined) throw new BetascoError('BAD_SHAPE', `${path}.body.peerId: a node certificate names its peer ID`)
    body.peerId = str(b.peerId, `${path}.body.peerId`, LIMITS.maxPeerIdLength, /^[1-9A-HJ-NP-Za-km-z]+$/)
  } else if (b.peerId !== undefined) {
    throw new BetascoError('BAD_SHAPE', `${path}.body.peerId: only node certificates carry a peer ID`)
  }
  if (body.notAfterMs <= body.notBeforeMs) throw new BetascoError('BAD_SHAPE', `${path}.body: validity window is empty`)
  return { body, sig: bytes(o.sig, `${path}.sig`, 1, 128) }
}

export function decodeCertificate (data: Uint8Array): Certificate {
  return checkCertificate(decode(data, LIMITS.maxCertBytes))
}

/** Signs a certificate body with an organization's CA secret key. */
export async function issueCertificate (genesis: Genesis, caSecretKey: Uint8Array, body: Omit<CertBody, 'v' | 'network'>): Promise<Certificate> {
  const full: CertBody = { v: 1, network: networkId(genesis), ...body }
  const org = findOrg(genesis, full.org)
  if (org === undefined) throw new BetascoError('UNKNOWN_ORG', `organization "${full.org}" is not in the genesis`)
  const scheme = getScheme(genesis.scheme)
  const caPublic = await scheme.publicKeyOf(caSecretKey)
  if (toHex(caPublic) !== toHex(org.caPublicKey)) throw new BetascoError('BAD_ARGUMENT', `the CA key given is not ${full.org}'s CA key in the genesis`)
  const cert: Certificate = { body: full, sig: await scheme.sign(certSigningBytes(full), caSecretKey) }
  return checkCertificate(cert)
}

export interface VerifyOptions {
  nowMs: number
  kind?: CertKind
}

interface Checked { c: Certificate, id: string, caPublicKey: Uint8Array }

function checkAgainstGenesis (genesis: Genesis, cert: Certificate | Uint8Array, opts: VerifyOptions): Checked {
  const c = cert instanceof Uint8Array ? decodeCertificate(cert) : checkCertificate(cert)
  const b = c.body
  const org = findOrg(genesis, b.org)
  if (org === undefined) throw new BetascoError('UNKNOWN_ORG', `certificate of "${b.name}" names organization "${b.org}", which is not in the genesis`)
  if (b.network !== networkId(genesis)) throw new BetascoError('WRONG_NETWORK', `certificate of "${b.name}" belongs to another network`)
  if (opts.kind !== undefined && b.kind !== opts.kind) throw new BetascoError('CERT_INVALID', `certificate of "${b.name}" is a ${b.kind} certificate, a ${opts.kind} certificate is needed`)
  const id = certId(c)
  if (genesis.revoked.includes(id)) throw new BetascoError('CERT_REVOKED', `certificate ${id.slice(0, 16)}… of "${b.name}" is revoked`)
  if (opts.nowMs < b.notBeforeMs) throw new BetascoError('CERT_INVALID', `certificate of "${b.name}" is not valid yet`)
  if (opts.nowMs >= b.notAfterMs) throw new BetascoError('CERT_EXPIRED', `certificate of "${b.name}" expired at ${new Date(b.notAfterMs).toISOString()}`)
  const scheme = getScheme(genesis.scheme)
  if (b.publicKey.length !== scheme.publicKeyLength) throw new BetascoError('CERT_INVALID', `certificate of "${b.name}" holds a key of the wrong length for ${scheme.name}`)
  return { c, id, caPublicKey: org.caPublicKey }
}

function identityOf ({ c, id }: Checked): VerifiedIdentity {
  const b = c.body
  const out: VerifiedIdentity = { kind: b.kind, org: b.org, name: b.name, role: b.role, publicKey: b.publicKey, id: identityId(b.publicKey), certId: id, cert: encodeCertificate(c) }
  if (b.peerId !== undefined) out.peerId = b.peerId
  return out
}

function notSigned (b: CertBody): BetascoError {
  return new BetascoError('CERT_INVALID', `certificate of "${b.name}" is not signed by ${b.org}'s CA`)
}

/**
 * Verifies a certificate (object or encoded bytes) against the genesis: known organization,
 * this network, inside its validity window, not revoked, signed by the organization's CA.
 */
export async function verifyCertificate (genesis: Genesis, cert: Certificate | Uint8Array, opts: VerifyOptions): Promise<VerifiedIdentity> {
  const checked = checkAgainstGenesis(genesis, cert, opts)
  const b = checked.c.body
  if (!(await getScheme(genesis.scheme).verify(checked.c.sig, certSigningBytes(b), checked.caPublicKey))) throw notSigned(b)
  return identityOf(checked)
}

/** The same checks as `verifyCertificate`, synchronously (for the consensus state machines). */
export function verifyCertificateSync (genesis: Genesis, cert: Certificate | Uint8Array, opts: VerifyOptions): VerifiedIdentity {
  const checked = checkAgainstGenesis(genesis, cert, opts)
  const b = checked.c.body
  if (!verifySync(genesis.scheme, checked.c.sig, certSigningBytes(b), checked.caPublicKey)) throw notSigned(b)
  return identityOf(checked)
}
