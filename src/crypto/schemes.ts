// Scheme lookup by the name a genesis declares.
import { BetascoError } from '../core/errors.ts'
import { ed25519 } from './ed25519.ts'
import { sm2 } from './sm2.ts'
import type { SchemeName, SignatureScheme } from './scheme.ts'

export function getScheme (name: string): SignatureScheme {
  if (name === 'ed25519') return ed25519
  if (name === 'sm2') return sm2
  throw new BetascoError('BAD_ARGUMENT', `unknown signature scheme "${name}" (expected ed25519 or sm2)`)
}

export function isSchemeName (name: string): name is SchemeName {
  return name === 'ed25519' || name === 'sm2'
}
