// The one canonical byte form of every value that is hashed, signed, stored or sent:
// deterministic CBOR (RFC 8949 core deterministic encoding: shortest integers and floats,
// map keys in bytewise order, no indefinite lengths, no tags). Decoding is strict: it refuses
// anything that would not re-encode to the exact same bytes, so one value has one form.
import { encode as cborEncode, decode as cborDecode, rfc8949EncodeOptions } from 'cborg'
import { BetascoError } from './errors.ts'
import { equalBytes } from './bytes.ts'

/** Values the canonical encoding carries: JSON values plus byte strings. */
export type Canonical =
  | null | boolean | number | string | Uint8Array
  | Canonical[] | { [key: string]: Canonical }

/** Upper bound for any single decoded value unless a caller sets a tighter one. */
export const MAX_DECODE_BYTES = 16 * 1024 * 1024
const MAX_DEPTH = 64

const encodeOptions = {
  ...rfc8949EncodeOptions,
  typeEncoders: {
    undefined: () => { throw new BetascoError('BAD_ARGUMENT', 'undefined cannot be encoded; use null or omit the field') },
    bigint: () => { throw new BetascoError('BAD_ARGUMENT', 'BigInt cannot be encoded') },
    number: (n: number) => {
      if (!Number.isFinite(n)) throw new BetascoError('BAD_ARGUMENT', `non-finite number ${n} cannot be encoded`)
      return null
    },
  },
}

const decodeOptions = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  rejectDuplicateMapKeys: true,
  useMaps: false,
  tags: [],
}

/** Canonical bytes of a value; throws BAD_ARGUMENT for values outside `Canonical`. */
export function encode (value: unknown): Uint8Array {
  checkDepth(value, 0)
  try {
    return cborEncode(value, encodeOptions as never)
  } catch (err) {
    if (err instanceof BetascoError) throw err
    throw new BetascoError('BAD_ARGUMENT', `value cannot be encoded: ${(err as Error).message}`, undefined, { cause: err })
  }
}

/**
 * Decodes canonical bytes. Throws TOO_LARGE above `maxBytes`, DECODE_ERROR for malformed
 * input and NOT_CANONICAL for well-formed input in a non-canonical form.
 */
export function decode (bytes: Uint8Array, maxBytes = MAX_DECODE_BYTES): unknown {
  if (!(bytes instanceof Uint8Array)) throw new BetascoError('DECODE_ERROR', 'expected bytes')
  if (bytes.length > maxBytes) {
    throw new BetascoError('TOO_LARGE', `encoded value is ${bytes.length} bytes, limit is ${maxBytes}`)
  }
  if (bytes.length === 0) throw new BetascoError('DECODE_ERROR', 'empty input')
  let value: unknown
  try {
    value = cborDecode(bytes, decodeOptions as never)
  } catch (err) {
    throw new BetascoError('DECODE_ERROR', `malformed CBOR: ${(err as Error).message}`, undefined, { cause: err })
  }
  checkDepth(value, 0)
  let again: Uint8Array
  try {
    again = cborEncode(value, encodeOptions as never)
  } catch (err) {
    throw new BetascoError('DECODE_ERROR', `decoded value cannot be re-encoded: ${(err as Error).message}`)
  }
  if (!equalBytes(again, bytes)) throw new BetascoError('NOT_CANONICAL', 'input is valid CBOR but not in canonical form')
  return value
}

function checkDepth (value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new BetascoError('TOO_LARGE', `value nests deeper than ${MAX_DEPTH} levels`)
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return
  const items = Array.isArray(value) ? value : Object.values(value)
  for (const item of items) checkDepth(item, depth + 1)
}
