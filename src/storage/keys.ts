// Byte layout of the ledger's keys, shared by every engine so that heights, versions and state
// keys iterate in order: shard IDs as 64 ASCII hex bytes, heights and versions as 8-byte
// big-endian integers, state and meta keys as UTF-8 (bytewise = code point order).
import { BetascoError, HEX32, utf8, concatBytes } from '../core/index.ts'
import { STORE_LIMITS } from './limits.ts'

const ascii = (text: string): Uint8Array => utf8.encode(text)

export function checkShardId (shard: unknown): string {
  if (typeof shard !== 'string' || !HEX32.test(shard)) {
    throw new BetascoError('BAD_ARGUMENT', `shard ID must be 64 lowercase hex characters (a contract ID), got ${JSON.stringify(String(shard).slice(0, 80))}`)
  }
  return shard
}

export function checkHeight (height: unknown, what = 'height'): number {
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0) {
    throw new BetascoError('BAD_ARGUMENT', `${what} must be a non-negative safe integer, got ${String(height)}`)
  }
  return height
}

/** A key that is valid UTF-16 (no lone surrogates) and fits `maxBytes` as UTF-8. */
export function keyBytes (key: unknown, what: string, maxBytes: number): Uint8Array {
  if (typeof key !== 'string') throw new BetascoError('BAD_ARGUMENT', `${what} must be a string`)
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key)) {
    throw new BetascoError('BAD_ARGUMENT', `${what} ${JSON.stringify(key.slice(0, 40))} contains a lone surrogate; use well-formed Unicode`)
  }
  const bytes = utf8.encode(key)
  if (bytes.length > maxBytes) throw new BetascoError('TOO_LARGE', `${what} is ${bytes.length} bytes of UTF-8, limit is ${maxBytes}`)
  return bytes
}

export function u64 (n: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}

export function readU64 (bytes: Uint8Array, offset: number): number {
  const n = new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigUint64(0)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new BetascoError('STORE_CORRUPT', 'stored height is beyond the safe integer range')
  return Number(n)
}

export const keys = {
  shard: (shard: string): Uint8Array => ascii(shard),
  /** blocks, checkpoints (by height) and configs (by version) of a shard. */
  numbered: (shard: string, n: number): Uint8Array => concatBytes(ascii(shard), u64(n)),
  state: (shard: string, key: string): Uint8Array => concatBytes(ascii(shard), keyBytes(key, 'state key', STORE_LIMITS.maxStateKeyBytes)),
  receipt: (txId: string): Uint8Array => ascii(txId),
  meta: (ns: string, key: string): Uint8Array => concatBytes(metaNamespace(ns), new Uint8Array([0]), keyBytes(key, 'meta key', STORE_LIMITS.maxMetaKeyBytes)),
  metaPrefix: (ns: string): Uint8Array => concatBytes(metaNamespace(ns), new Uint8Array([0])),
}

/** Shard ID and suffix back out of a shard-prefixed key. */
export function splitShardKey (key: Uint8Array): { shard: string, rest: Uint8Array } {
  if (key.length < 64) throw new BetascoError('STORE_CORRUPT', 'stored key is shorter than a shard ID')
  return { shard: utf8.decode(key.subarray(0, 64)), rest: key.subarray(64) }
}

const NAMESPACE = /^[a-z0-9._-]+$/

function metaNamespace (ns: unknown): Uint8Array {
  if (typeof ns !== 'string' || ns.length === 0 || ns.length > STORE_LIMITS.maxMetaNamespaceLength || !NAMESPACE.test(ns)) {
    throw new BetascoError('BAD_ARGUMENT', `meta namespace must be 1..${STORE_LIMITS.maxMetaNamespaceLength} characters of [a-z0-9._-], got ${JSON.stringify(String(ns).slice(0, 80))}`)
  }
  return ascii(ns)
}
