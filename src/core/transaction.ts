// Transactions (paper §2.1): what a client, a member node or a contract asks a shard to order.
// A transaction body is hashed for its ID; an envelope adds the proofs (signatures) that
// authorise it. Proofs are outside the ID so the copies of one async call sent by several
// members of the caller shard are one transaction with several proofs.
import { BetascoError } from './errors.ts'
import { decode, encode } from './encoding.ts'
import { hashOf } from './hash.ts'
import { toHex } from './bytes.ts'
import { LIMITS } from './limits.ts'
import { bytes, int, json, list, oneOf, record, str, type Json } from './shape.ts'

export const HEX32 = /^[0-9a-f]{64}$/

/**
 * deploy/invoke come from clients; call/callback/error are issued by contracts (paper §2.4:
 * async call, its result handler, the phase-2 error notice); checkpoint and config come from
 * shard members (state digests, membership and consensus changes).
 */
export const TX_KINDS = ['deploy', 'invoke', 'call', 'callback', 'error', 'checkpoint', 'config'] as const
export type TxKind = typeof TX_KINDS[number]

/** Contract-issued kinds are ordered in the priority lane, before client transactions. */
export function isContractIssued (kind: TxKind): boolean {
  return kind === 'call' || kind === 'callback' || kind === 'error'
}

export interface DeploySpec {
  code: string
  shardSize: number
  consensus: 'solo' | 'raft' | 'pbft'
  gasLimit: number
  checkpointInterval: number
}

/** Where a contract-issued transaction came from: the caller's tx and the call's index. */
export interface CallOrigin {
  contract: string
  txId: string
  index: number
}

export interface TxBody {
  v: 1
  network: string
  kind: TxKind
  contract: string
  method: string
  arg: Json
  nonce: string
  /** ID of the signing identity (hex SHA-256 of its public key) or of the calling contract. */
  from: string
  deploy?: DeploySpec
  origin?: CallOrigin
  handler?: string
}

export interface Proof {
  /** The signer's encoded certificate. */
  cert: Uint8Array
  sig: Uint8Array
}

export interface Envelope {
  tx: TxBody
  proofs: Proof[]
}

const METHOD = /^[A-Za-z_$][A-Za-z0-9_$]*$/

export function checkDeploySpec (v: unknown, path: string): DeploySpec {
  const o = record(v, path, ['code', 'shardSize', 'consensus', 'gasLimit', 'checkpointInterval'])
  return {
    code: str(o.code, `${path}.code`, LIMITS.maxCodeBytes),
    shardSize: int(o.shardSize, `${path}.shardSize`, 1, LIMITS.maxShardMembers),
    consensus: oneOf(o.consensus, `${path}.consensus`, ['solo', 'raft', 'pbft'] as const),
    gasLimit: int(o.gasLimit, `${path}.gasLimit`, 1, 1e12),
    checkpointInterval: int(o.checkpointInterval, `${path}.checkpointInterval`, 1, 1e6),
  }
}

export function checkTxBody (v: unknown, path = 'tx'): TxBody {
  const o = record(v, path, ['v', 'network', 'kind', 'contract', 'method', 'arg', 'nonce', 'from'], ['deploy', 'origin', 'handler'])
  if (o.v !== 1) throw new BetascoError('BAD_SHAPE', `${path}.v: unsupported version ${String(o.v)}`)
  const kind = oneOf(o.kind, `${path}.kind`, TX_KINDS)
  const body: TxBody = {
    v: 1,
    network: str(o.network, `${path}.network`, 64, HEX32),
    kind,
    contract: str(o.contract, `${path}.contract`, 64, HEX32),
    method: str(o.method, `${path}.method`, LIMITS.maxMethodLength, METHOD),
    arg: json(o.arg, `${path}.arg`),
    nonce: str(o.nonce, `${path}.nonce`, LIMITS.maxNonceLength),
    from: str(o.from, `${path}.from`, 64, HEX32),
  }
  if (kind === 'deploy') {
    if (o.deploy === undefined) throw new BetascoError('BAD_SHAPE', `${path}.deploy: required for a deploy transaction`)
    body.deploy = checkDeploySpec(o.deploy, `${path}.deploy`)
  } else if (o.deploy !== undefined) {
    throw new BetascoError('BAD_SHAPE', `${path}.deploy: only a deploy transaction carries code`)
  }
  if (o.origin !== undefined) {
    const x = record(o.origin, `${path}.origin`, ['contract', 'txId', 'index'])
    body.origin = {
      contract: str(x.contract, `${path}.origin.contract`, 64, HEX32),
      txId: str(x.txId, `${path}.origin.txId`, 64, HEX32),
      index: int(x.index, `${path}.origin.index`, 0, LIMITS.maxCallsPerTx),
    }
  }
  if (isContractIssued(kind) && body.origin === undefined) {
    throw new BetascoError('BAD_SHAPE', `${path}.origin: required for a contract-issued transaction`)
  }
  if (o.handler !== undefined) body.handler = str(o.handler, `${path}.handler`, LIMITS.maxMethodLength, METHOD)
  if (encode(body.arg).length > LIMITS.maxArgBytes) {
    throw new BetascoError('TOO_LARGE', `${path}.arg: larger than ${LIMITS.maxArgBytes} bytes`)
  }
  return body
}

export function checkEnvelope (v: unknown, path = 'envelope'): Envelope {
  const o = record(v, path, ['tx', 'proofs'])
  return {
    tx: checkTxBody(o.tx, `${path}.tx`),
    proofs: list(o.proofs, `${path}.proofs`, LIMITS.maxProofsPerTx, (p, pp) => {
      const x = record(p, pp, ['cert', 'sig'])
      return { cert: bytes(x.cert, `${pp}.cert`, 1, LIMITS.maxCertBytes), sig: bytes(x.sig, `${pp}.sig`, 1, 256) }
    }),
  }
}

/** The ID of a transaction: hex SHA-256 of its canonical body. */
export function txId (tx: TxBody): string {
  return toHex(hashOf(tx))
}

/** The bytes a signer signs: the canonical body. */
export function txSigningBytes (tx: TxBody): Uint8Array {
  return encode(tx)
}

/** The ID a deploy gives its contract: bound to the network, the deployer and its nonce. */
export function contractIdFor (network: string, from: string, nonce: string, code: string): string {
  return toHex(hashOf({ network, from, nonce, code: hashOf(code) }))
}

export function encodeEnvelope (env: Envelope): Uint8Array {
  const out = encode(env)
  if (out.length > LIMITS.maxTxBytes) throw new BetascoError('TX_TOO_LARGE', `transaction is ${out.length} bytes, limit is ${LIMITS.maxTxBytes}`)
  return out
}

export function decodeEnvelope (data: Uint8Array): Envelope {
  if (data.length > LIMITS.maxTxBytes) throw new BetascoError('TX_TOO_LARGE', `transaction is ${data.length} bytes, limit is ${LIMITS.maxTxBytes}`)
  return checkEnvelope(decode(data, LIMITS.maxTxBytes))
}
