// Signing and verifying transactions and node messages. A client-issued transaction (deploy,
// invoke) carries exactly one proof, by a user whose identity ID is the tx's `from`.
// Contract-issued ones carry proofs by members of the calling shard (checked for membership
// by the shard layer). Every signature is over domain-separated canonical bytes.
import { BetascoError } from '../core/errors.ts'
import { encode } from '../core/encoding.ts'
import { isContractIssued, txSigningBytes } from '../core/transaction.ts'
import type { Envelope, TxBody } from '../core/transaction.ts'
import { verifyCertificate, verifyCertificateSync } from './certificate.ts'
import type { VerifiedIdentity } from './certificate.ts'
import { networkId } from './genesis.ts'
import type { Genesis } from './genesis.ts'
import type { Identity } from './identity.ts'
import { getScheme, verifySync } from './schemes.ts'
import { toHex } from '../core/bytes.ts'

/** Adds the identity's proof to a transaction (a fresh envelope, or one with proofs already). */
export async function signEnvelope (tx: TxBody | Envelope, identity: Identity): Promise<Envelope> {
  const env: Envelope = 'proofs' in tx ? tx : { tx, proofs: [] }
  if (env.tx.network !== identity.network) throw new BetascoError('WRONG_NETWORK', `${identity.name} belongs to another network than this transaction`)
  const sig = await getScheme(identity.scheme).sign(txSigningBytes(env.tx), identity.secretKey)
  return { tx: env.tx, proofs: [...env.proofs, { cert: identity.certBytes, sig }] }
}

type SignerKind = 'node' | 'user' | 'any'

/**
 * Who signs what: contract-issued transactions are signed by members of the issuing shard (node
 * certificates, one proof each); checkpoints by one member (a node); configuration changes by
 * a member (churn) or an organization's admin (a user); deploys and invokes by one user.
 */
function signerKind (kind: Envelope['tx']['kind']): SignerKind {
  if (isContractIssued(kind) || kind === 'checkpoint') return 'node'
  if (kind === 'config') return 'any'
  return 'user'
}

function envelopeRules (genesis: Genesis, env: Envelope): { contractIssued: boolean, message: Uint8Array, signer: SignerKind } {
  if (env.tx.network !== networkId(genesis)) throw new BetascoError('WRONG_NETWORK', 'transaction is for another network')
  const contractIssued = isContractIssued(env.tx.kind)
  if (env.proofs.length === 0) throw new BetascoError('BAD_SIGNATURE', 'transaction is not signed')
  if (!contractIssued && env.proofs.length !== 1) throw new BetascoError('BAD_SIGNATURE', `a ${env.tx.kind} transaction carries exactly one signature`)
  return { contractIssued, message: txSigningBytes(env.tx), signer: signerKind(env.tx.kind) }
}

function checkKind (who: VerifiedIdentity, wanted: SignerKind): void {
  if (wanted !== 'any' && who.kind !== wanted) throw new BetascoError('CERT_INVALID', `certificate of "${who.name}" is a ${who.kind} certificate, a ${wanted} certificate is needed`)
}

function addSigner (signers: VerifiedIdentity[], who: VerifiedIdentity, ok: boolean): void {
  if (!ok) throw new BetascoError('BAD_SIGNATURE', `signature of ${who.name} does not verify`)
  if (signers.some(s => s.id === who.id)) throw new BetascoError('BAD_SIGNATURE', `${who.name} signed twice`)
  signers.push(who)
}

function checkSender (env: Envelope, contractIssued: boolean, signers: VerifiedIdentity[]): VerifiedIdentity[] {
  if (!contractIssued && signers[0]!.id !== env.tx.from) throw new BetascoError('BAD_SIGNATURE', 'the signer is not the transaction\'s sender ("from")')
  return signers
}

/**
 * Verifies every proof of an envelope against the genesis and returns the signers. Throws
 * WRONG_NETWORK, UNKNOWN_ORG, CERT_* or BAD_SIGNATURE; never returns a partial answer.
 */
export async function verifyEnvelope (genesis: Genesis, env: Envelope, nowMs: number): Promise<VerifiedIdentity[]> {
  const { contractIssued, message, signer } = envelopeRules(genesis, env)
  const scheme = getScheme(genesis.scheme)
  const signers: VerifiedIdentity[] = []
  for (const proof of env.proofs) {
    const who = await verifyCertificate(genesis, proof.cert, { nowMs })
    checkKind(who, signer)
    addSigner(signers, who, await scheme.verify(proof.sig, message, who.publicKey))
  }
  return checkSender(env, contractIssued, signers)
}

/** `verifyEnvelope`, synchronously; `certCache` remembers certificates already verified. */
export function verifyEnvelopeSync (genesis: Genesis, env: Envelope, nowMs: number, certCache?: Map<string, VerifiedIdentity>): VerifiedIdentity[] {
  const { contractIssued, message, signer } = envelopeRules(genesis, env)
  const signers: VerifiedIdentity[] = []
  for (const proof of env.proofs) {
    const key = toHex(proof.cert)
    let who = certCache?.get(key)
    if (who === undefined) {
      who = verifyCertificateSync(genesis, proof.cert, { nowMs })
      if (certCache !== undefined) {
        if (certCache.size > 10_000) certCache.clear()
        certCache.set(key, who)
      }
    }
    checkKind(who, signer)
    addSigner(signers, who, verifySync(genesis.scheme, proof.sig, message, who.publicKey))
  }
  return checkSender(env, contractIssued, signers)
}

function nodeMessageBytes (domain: string, payload: unknown): Uint8Array {
  return encode(['betasco/node/v1', domain, payload])
}

/** A node's signature over a protocol message (votes, block certificates, checkpoints). */
export async function signAsNode (identity: Identity, domain: string, payload: unknown): Promise<Uint8Array> {
  return await getScheme(identity.scheme).sign(nodeMessageBytes(domain, payload), identity.secretKey)
}

export async function verifyNodeSignature (genesis: Genesis, publicKey: Uint8Array, domain: string, payload: unknown, sig: Uint8Array): Promise<boolean> {
  return await getScheme(genesis.scheme).verify(sig, nodeMessageBytes(domain, payload), publicKey)
}
