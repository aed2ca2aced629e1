// Synchronous Ed25519 for the consensus state machines, which cannot await WebCrypto. Where
// the runtime offers OpenSSL synchronously (Node's `crypto.sign`/`crypto.verify`, reached
// through `process.getBuiltinModule` so browser bundles never see a Node import) it is used —
// about 10x faster than @noble/curves — with keys cached as KeyObjects; elsewhere @noble/curves.
// Both give the same bytes (Ed25519 is deterministic; tested).
import { ed25519 as noble } from '@noble/curves/ed25519.js'
import { concatBytes, fromHex, toHex } from '../core/bytes.ts'

interface KeyObjectLike { readonly type: string }
interface NodeCrypto {
  createPrivateKey: (o: { key: Uint8Array, format: 'der', type: 'pkcs8' }) => KeyObjectLike
  createPublicKey: (o: { key: Uint8Array, format: 'der', type: 'spki' }) => KeyObjectLike
  sign: (alg: null, data: Uint8Array, key: KeyObjectLike) => Uint8Array
  verify: (alg: null, data: Uint8Array, key: KeyObjectLike, sig: Uint8Array) => boolean
}

const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420')
const SPKI_PREFIX = fromHex('302a300506032b6570032100')

function nodeCrypto (): NodeCrypto | undefined {
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    return p?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
  } catch {
    return undefined
  }
}

const native = nodeCrypto()
const CACHE_MAX = 4096
const privateKeys = new Map<string, KeyObjectLike>()
const publicKeys = new Map<string, KeyObjectLike>()

function cachedKey (map: Map<string, KeyObjectLike>, bytes: Uint8Array, make: () => KeyObjectLike): KeyObjectLike {
  const k = toHex(bytes)
  let key = map.get(k)
  if (key === undefined) {
    key = make()
    if (map.size >= CACHE_MAX) map.delete(map.keys().next().value as string)
    map.set(k, key)
  }
  return key
}

/** Whether the fast synchronous path (OpenSSL through Node) is in use. */
export const hasNativeSyncEd25519 = native !== undefined

export function ed25519SignSync (message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (native === undefined) return noble.sign(message, secretKey)
  const key = cachedKey(privateKeys, secretKey, () => native.createPrivateKey({ key: concatBytes(PKCS8_PREFIX, secretKey), format: 'der', type: 'pkcs8' }))
  return new Uint8Array(native.sign(null, message, key))
}

/** False for any malformed input; never throws. */
export function ed25519VerifySync (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  try {
    if (native === undefined) return noble.verify(signature, message, publicKey, { zip215: false })
    const key = cachedKey(publicKeys, publicKey, () => native.createPublicKey({ key: concatBytes(SPKI_PREFIX, publicKey), format: 'der', type: 'spki' }))
    return native.verify(null, message, key, signature)
  } catch {
    return false
  }
}

/** The @noble/curves path, for tests that compare both. */
export const ed25519SyncNoble = {
  sign: (message: Uint8Array, secretKey: Uint8Array): Uint8Array => noble.sign(message, secretKey),
  verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
    try { return noble.verify(signature, message, publicKey, { zip215: false }) } catch { return false }
  }
}
