// Receipts (paper §2.3, execute stage): the outcome of one transaction on one member, stored by
// tx ID. Members of a shard produce identical receipts; clients compare them (1 for Raft,
// f + 1 for PBFT) before trusting a result.
import { BetascoError } from './errors.ts'
import { decode, encode } from './encoding.ts'
import { hashOf } from './hash.ts'
import { LIMITS } from './limits.ts'
import { int, json, list, oneOf, record, str, type Json } from './shape.ts'
import { HEX32 } from './transaction.ts'

export interface TxError {
  code: string
  message: string
}

export interface Receipt {
  v: 1
  txId: string
  shard: string
  height: number
  index: number
  status: 'committed' | 'failed'
  result: Json
  error: TxError | null
  gasUsed: number
  /** IDs of the async calls this execution queued (phase 1); empty when it failed. */
  calls: string[]
}

export function checkReceipt (v: unknown, path = 'receipt'): Receipt {
  const o = record(v, path, ['v', 'txId', 'shard', 'height', 'index', 'status', 'result', 'error', 'gasUsed', 'calls'])
  if (o.v !== 1) throw new BetascoError('BAD_SHAPE', `${path}.v: unsupported version ${String(o.v)}`)
  let error: TxError | null = null
  if (o.error !== null) {
    const e = record(o.error, `${path}.error`, ['code', 'message'])
    error = { code: str(e.code, `${path}.error.code`, 64), message: str(e.message, `${path}.error.message`, LIMITS.maxErrorMessageLength) }
  }
  const status = oneOf(o.status, `${path}.status`, ['committed', 'failed'] as const)
  if ((status === 'failed') !== (error !== null)) throw new BetascoError('BAD_SHAPE', `${path}.error: present exactly when the status is failed`)
  return {
    v: 1,
    txId: str(o.txId, `${path}.txId`, 64, HEX32),
    shard: str(o.shard, `${path}.shard`, 64, HEX32),
    height: int(o.height, `${path}.height`),
    index: int(o.index, `${path}.index`, 0, LIMITS.maxTxsPerBlock),
    status,
    result: json(o.result, `${path}.result`),
    error,
    gasUsed: int(o.gasUsed, `${path}.gasUsed`),
    calls: list(o.calls, `${path}.calls`, LIMITS.maxCallsPerTx, (c, p) => str(c, p, 64, HEX32)),
  }
}

/** Digest that members compare: two receipts agree exactly when their digests are equal. */
export function receiptDigest (r: Receipt): Uint8Array {
  return hashOf(r)
}

export function encodeReceipt (r: Receipt): Uint8Array { return encode(r) }
export function decodeReceipt (data: Uint8Array): Receipt { return checkReceipt(decode(data, 1024 * 1024)) }
