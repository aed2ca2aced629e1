// Stored forms of the ledger's records. Everything is canonical CBOR written with the core
// encoders and read back with the strict core decoders; a record that fails to decode is
// reported as STORE_CORRUPT (never returned as garbage).
import {
  BetascoError, decode, encode, int, bytes as bytesField, record,
  decodeCheckpoint, decodeCommittedBlock, decodeReceipt, decodeShardConfig,
  type Canonical, type Checkpoint, type CommittedBlock, type Receipt, type ShardConfig,
} from '../core/index.ts'
import type { ShardHead } from './ledger-store.ts'
import { STORE_LIMITS } from './limits.ts'

/** Per-shard bookkeeping, one record per shard, rewritten by every atomic write. */
export interface ChainRecord {
  height: number
  hash: Uint8Array
  firstHeight: number
  /** Latest stored configuration version, or null. */
  configVersion: number | null
  /** Height of the latest stable checkpoint, or null. */
  stableHeight: number | null
}

export function encodeChainRecord (r: ChainRecord): Uint8Array {
  return encode({ v: 1, height: r.height, hash: r.hash, firstHeight: r.firstHeight, configVersion: r.configVersion, stableHeight: r.stableHeight })
}

export function decodeChainRecord (data: Uint8Array, shard: string): ChainRecord {
  return corruptIfThrows(`chain record of shard ${shard}`, () => {
    const o = record(decode(data, 4096), 'chain', ['v', 'height', 'hash', 'firstHeight', 'configVersion', 'stableHeight'])
    if (o.v !== 1) throw new BetascoError('BAD_SHAPE', `chain.v: unsupported version ${String(o.v)}`)
    return {
      height: int(o.height, 'chain.height'),
      hash: bytesField(o.hash, 'chain.hash', 32),
      firstHeight: int(o.firstHeight, 'chain.firstHeight'),
      configVersion: o.configVersion === null ? null : int(o.configVersion, 'chain.configVersion'),
      stableHeight: o.stableHeight === null ? null : int(o.stableHeight, 'chain.stableHeight'),
    }
  })
}

export function headOf (r: ChainRecord): ShardHead {
  return { height: r.height, hash: r.hash.slice(), firstHeight: r.firstHeight }
}

export function encodeStateValue (value: Canonical, key: string): Uint8Array {
  const out = encode(value)
  if (out.length > STORE_LIMITS.maxStateValueBytes) {
    throw new BetascoError('TOO_LARGE', `state value of key ${JSON.stringify(key.slice(0, 40))} is ${out.length} bytes, limit is ${STORE_LIMITS.maxStateValueBytes}`)
  }
  return out
}

export const readRecord = {
  block: (data: Uint8Array, what: string): CommittedBlock => corruptIfThrows(what, () => decodeCommittedBlock(data)),
  receipt: (data: Uint8Array, what: string): Receipt => corruptIfThrows(what, () => decodeReceipt(data)),
  checkpoint: (data: Uint8Array, what: string): Checkpoint => corruptIfThrows(what, () => decodeCheckpoint(data)),
  config: (data: Uint8Array, what: string): ShardConfig => corruptIfThrows(what, () => decodeShardConfig(data)),
  state: (data: Uint8Array, what: string): Canonical => corruptIfThrows(what, () => decode(data, STORE_LIMITS.maxStateValueBytes) as Canonical),
}

function corruptIfThrows<T> (what: string, read: () => T): T {
  try {
    return read()
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new BetascoError('STORE_CORRUPT', `stored ${what} cannot be decoded (${reason}); the store is damaged: restore it from a backup or re-sync the shard from peers`, undefined, { cause: err })
  }
}
