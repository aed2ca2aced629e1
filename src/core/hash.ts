// Content addressing: every ID in the system is SHA-256 over canonical bytes.
import { sha256 } from '@noble/hashes/sha2.js'
import { encode } from './encoding.ts'
import { toHex } from './bytes.ts'

export { sha256 }

/** SHA-256 of the canonical encoding of a value. */
export function hashOf (value: unknown): Uint8Array {
  return sha256(encode(value))
}

/** Hex form of `hashOf`, the form used for IDs in APIs and files. */
export function idOf (value: unknown): string {
  return toHex(hashOf(value))
}
