// The JSON forms of the API (DESIGN §7): transactions, receipts, blocks and shard
// configurations as they travel over HTTP and WebSocket. Binary fields are base64 strings.
// Decoding checks shapes first, so bad input fails with BAD_SHAPE naming the field.
import { fromBase64, toBase64 } from '../core/bytes.ts'
import { BetascoError } from '../core/errors.ts'
import { LIMITS } from '../core/limits.ts'
import { checkReceipt, type Receipt } from '../core/receipt.ts'
import { list, record, str } from '../core/shape.ts'
import { checkEnvelope, type Envelope } from '../core/transaction.ts'

export interface ProofJson { cert: string, sig: string }
export interface EnvelopeJson { tx: Envelope['tx'], proofs: ProofJson[] }

export function envelopeToJson (env: Envelope): EnvelopeJson {
  return { tx: env.tx, proofs: env.proofs.map(p => ({ cert: toBase64(p.cert), sig: toBase64(p.sig) })) }
}

function b64 (v: unknown, path: string, maxBytes: number): Uint8Array {
  const s = str(v, path, Math.ceil(maxBytes / 3) * 4 + 4)
  try {
    return fromBase64(s)
  } catch (err) {
    throw new BetascoError('BAD_SHAPE', `${path}: ${(err as Error).message}`)
  }
}

/** Parses and checks the JSON form of a signed transaction (shape only; signatures are the node's job). */
export function envelopeFromJson (v: unknown, path = 'envelope'): Envelope {
  const o = record(v, path, ['tx', 'proofs'])
  const proofs = list(o.proofs, `${path}.proofs`, LIMITS.maxProofsPerTx, (p, pp) => {
    const x = record(p, pp, ['cert', 'sig'])
    return { cert: b64(x.cert, `${pp}.cert`, LIMITS.maxCertBytes), sig: b64(x.sig, `${pp}.sig`, 256) }
  })
  return checkEnvelope({ tx: o.tx, proofs }, path)
}

export function receiptFromJson (v: unknown): Receipt {
  return checkReceipt(v)
}

/** Any value with byte strings, as JSON: Uint8Array → base64 (for blocks, configs, certificates). */
export function toJsonValue (v: unknown): unknown {
  if (v instanceof Uint8Array) return toBase64(v)
  if (Array.isArray(v)) return v.map(toJsonValue)
  if (v !== null && typeof v === 'object') {
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJsonValue(x)]))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]))
  }
  if (typeof v === 'bigint') return v.toString()
  return v
}
