// Scheme lookup by the name a genesis declares.
import { BetascoError } from '../core/errors.ts'
import { ed25519 } from './ed25519.ts'
import { sm2, sm2Sign, sm2Verify } from './sm2.ts'
import { ed25519SignSync, ed25519VerifySync } from './ed25519-sync.ts'
import type { SchemeName, SignatureScheme } from './scheme.ts'

export function getScheme (name: string): SignatureScheme {
  if (name === 'ed25519') return ed25519
  if (name === 'sm2') return sm2
  throw new BetascoError('BAD_ARGUMENT', `unknown signature scheme "${name}" (expected ed25519 or sm2)`)
}

export function isSchemeName (name: string): name is SchemeName {
  return name === 'ed25519' || name === 'sm2'
}

/**
 * Synchronous signing and verification, for the consensus state machines (which must not
 * await). Ed25519 goes through `ed25519-sync.ts` (OpenSSL where Node offers it, @noble/curves
 * otherwise); SM2 is synchronous anyway.
 */
export function signSync (name: SchemeName, message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (name === 'sm2') return sm2Sign(message, secretKey)
  if (secretKey.length !== 32) throw new BetascoError('BAD_ARGUMENT', 'Ed25519 secret key must be 32 bytes')
  return ed25519SignSync(message, secretKey)
}

export function verifySync (name: SchemeName, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (name === 'sm2') return sm2Verify(signature, message, publicKey)
  return ed25519VerifySync(signature, message, publicKey)
}
