// Ed25519 (RFC 8032) through native WebCrypto where the platform has it (Node ≥ 22, current
// Chromium), with @noble/curves as the fallback. Ed25519 is deterministic, so both paths give
// the same signature bytes; tests check that. Keys: 32-byte seed, 32-byte public key.
import { ed25519 as noble } from '@noble/curves/ed25519.js'
import { BetascoError } from '../core/errors.ts'
import { concatBytes, fromHex, toHex } from '../core/bytes.ts'
import type { KeyPair, SignatureScheme } from './scheme.ts'

// PKCS#8 wrapper of a raw Ed25519 seed (RFC 8410): WebCrypto imports private keys only so.
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420')
const ALG = { name: 'Ed25519' } as const

type Subtle = SubtleCrypto
/** WebCrypto's typings want ArrayBuffer-backed views; every Uint8Array works at run time. */
const view = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>

function subtle (): Subtle | undefined {
  return globalThis.crypto?.subtle
}

let nativeProbe: Promise<boolean> | undefined

/** Whether WebCrypto Ed25519 works here (probed once with a sign/verify round trip). */
export function hasNativeEd25519 (): Promise<boolean> {
  nativeProbe ??= (async () => {
    const s = subtle()
    if (s === undefined) return false
    try {
      const seed = new Uint8Array(32).fill(7)
      const key = await s.importKey('pkcs8', view(concatBytes(PKCS8_PREFIX, seed)), ALG, false, ['sign'])
      const sig = new Uint8Array(await s.sign(ALG, key, view(new Uint8Array([1]))))
      return toHex(sig) === toHex(noble.sign(new Uint8Array([1]), seed))
    } catch {
      return false
    }
  })()
  return nativeProbe
}

function checkSecret (secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new BetascoError('BAD_ARGUMENT', 'Ed25519 secret key must be 32 bytes')
  }
}

// Imported CryptoKeys are cached: importing costs as much as a signature.
const CACHE_MAX = 4096
function cached<K> (map: Map<string, Promise<K>>, key: string, make: () => Promise<K>): Promise<K> {
  let hit = map.get(key)
  if (hit === undefined) {
    if (map.size >= CACHE_MAX) map.delete(map.keys().next().value as string)
    hit = make()
    map.set(key, hit)
    hit.catch(() => map.delete(key))
  }
  return hit
}
const signKeys = new Map<string, Promise<CryptoKey>>()
const verifyKeys = new Map<string, Promise<CryptoKey>>()

/** Ed25519 on @noble/curves only (the fallback; exported for tests and benchmarks). */
export const ed25519Noble: SignatureScheme = {
  name: 'ed25519',
  publicKeyLength: 32,
  signatureLength: 64,
  async generateKeyPair (): Promise<KeyPair> {
    const secretKey = noble.utils.randomSecretKey()
    return { secretKey, publicKey: noble.getPublicKey(secretKey) }
  },
  async publicKeyOf (secretKey) {
    checkSecret(secretKey)
    return noble.getPublicKey(secretKey)
  },
  async sign (message, secretKey) {
    checkSecret(secretKey)
    return noble.sign(message, secretKey)
  },
  async verify (signature, message, publicKey) {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false
    try {
      return noble.verify(signature, message, publicKey, { zip215: false })
    } catch {
      return false
    }
  }
}

/** Ed25519 on WebCrypto; throws NOT_IMPLEMENTED where the platform lacks it. */
export const ed25519Native: SignatureScheme = {
  ...ed25519Noble,
  async sign (message, secretKey) {
    checkSecret(secretKey)
    const s = subtle()
    if (s === undefined || !(await hasNativeEd25519())) throw new BetascoError('NOT_IMPLEMENTED', 'WebCrypto Ed25519 is not available on this platform')
    const key = await cached(signKeys, toHex(secretKey), async () => await s.importKey('pkcs8', view(concatBytes(PKCS8_PREFIX, secretKey)), ALG, false, ['sign']))
    return new Uint8Array(await s.sign(ALG, key, view(message)))
  },
  async verify (signature, message, publicKey) {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false
    const s = subtle()
    if (s === undefined || !(await hasNativeEd25519())) throw new BetascoError('NOT_IMPLEMENTED', 'WebCrypto Ed25519 is not available on this platform')
    try {
      const key = await cached(verifyKeys, toHex(publicKey), async () => await s.importKey('raw', view(publicKey), ALG, false, ['verify']))
      return await s.verify(ALG, key, view(signature), view(message))
    } catch {
      return false
    }
  }
}

/** Ed25519: native WebCrypto when available, @noble/curves otherwise. */
export const ed25519: SignatureScheme = {
  ...ed25519Noble,
  async sign (message, secretKey) {
    return await (await hasNativeEd25519() ? ed25519Native : ed25519Noble).sign(message, secretKey)
  },
  async verify (signature, message, publicKey) {
    return await (await hasNativeEd25519() ? ed25519Native : ed25519Noble).verify(signature, message, publicKey)
  }
}
