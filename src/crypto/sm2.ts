// SM2 digital signatures (GB/T 32918.2-2016) over the curve sm2p256v1, with SM3.
// Point arithmetic comes from @noble/curves (`weierstrass`); the signature scheme itself is
// SM2's, not ECDSA's: e = SM3(Z_A ‖ M), r = (e + x1) mod n, s = (1 + d)⁻¹(k − r·d) mod n.
// Wire forms match `sm-crypto` (the test oracle): public keys uncompressed 04‖x‖y (65 bytes),
// secret keys 32 bytes, signatures r‖s (64 bytes), default user ID "1234567812345678".
import { weierstrass } from '@noble/curves/abstract/weierstrass.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { BetascoError } from '../core/errors.ts'
import { concatBytes, toHex, utf8 } from '../core/bytes.ts'
import { sm3 } from './sm3.ts'
import type { KeyPair, SignatureScheme } from './scheme.ts'

const CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n
} as const

const Point = weierstrass(CURVE)
type SmPoint = ReturnType<typeof Point.fromBytes>
const N: bigint = CURVE.n

export const SM2_DEFAULT_USER_ID = '1234567812345678'

const mod = (a: bigint, m: bigint = N): bigint => { const r = a % m; return r >= 0n ? r : r + m }

function toBig (b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + toHex(b))
}

function to32 (x: bigint): Uint8Array {
  const out = new Uint8Array(32)
  let v = x
  for (let i = 31; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n }
  return out
}

/** Modular inverse in Z_n (n is prime): Fermat would be slower than extended Euclid. */
function invN (a: bigint): bigint {
  let oldR = mod(a); let r = N
  let oldS = 1n; let s = 0n
  while (r !== 0n) {
    const q = oldR / r
    const nextR = oldR - q * r; oldR = r; r = nextR
    const nextS = oldS - q * s; oldS = s; s = nextS
  }
  return mod(oldS)
}

function secretScalar (secretKey: Uint8Array): bigint {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new BetascoError('BAD_ARGUMENT', 'SM2 secret key must be 32 bytes')
  }
  const d = toBig(secretKey)
  // d must be in [1, n-2] so that 1 + d is invertible.
  if (d < 1n || d > N - 2n) throw new BetascoError('BAD_ARGUMENT', 'SM2 secret key out of range')
  return d
}

// Decoding a public key validates the point (on curve, not infinity); verification sees the
// same few keys over and over (members, clients), so decoded points and Z_A are cached.
interface KeyInfo { point: SmPoint, za: Uint8Array }
const keyCache = new Map<string, KeyInfo>()
const KEY_CACHE_MAX = 4096

function keyInfo (publicKey: Uint8Array, userId: string): KeyInfo | undefined {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 65 || publicKey[0] !== 4) return undefined
  const cacheKey = userId === SM2_DEFAULT_USER_ID ? toHex(publicKey) : `${toHex(publicKey)}/${userId}`
  const hit = keyCache.get(cacheKey)
  if (hit !== undefined) return hit
  let point: SmPoint
  try {
    point = Point.fromBytes(publicKey)
    point.assertValidity()
  } catch {
    return undefined
  }
  // Keys are verified against many times: a precomputed window table makes t·P a fixed-point
  // multiplication like s·G (table built on first use, cached with the key).
  point.precompute(8, false)
  const info = { point, za: zA(publicKey, userId) }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string)
  keyCache.set(cacheKey, info)
  return info
}

/** Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A). */
export function zA (publicKey: Uint8Array, userId = SM2_DEFAULT_USER_ID): Uint8Array {
  const id = utf8.encode(userId)
  const bits = id.length * 8
  if (bits > 0xffff) throw new BetascoError('BAD_ARGUMENT', 'SM2 user ID too long')
  return sm3(concatBytes(
    new Uint8Array([bits >> 8, bits & 0xff]), id,
    to32(CURVE.a), to32(CURVE.b), to32(CURVE.Gx), to32(CURVE.Gy),
    publicKey.subarray(1, 33), publicKey.subarray(33, 65)
  ))
}

function digest (message: Uint8Array, za: Uint8Array): bigint {
  return toBig(sm3(concatBytes(za, message)))
}

function randomBytes (n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n))
}

/** Public key (65 bytes, uncompressed) of a secret key. */
export function sm2PublicKeyOf (secretKey: Uint8Array): Uint8Array {
  return Point.BASE.multiply(secretScalar(secretKey)).toBytes(false)
}

// A signer signs with the same key again and again; deriving its public key costs a scalar
// multiplication, so it is remembered for the few keys a process signs with.
const ownKeys = new Map<string, Uint8Array>()
function publicKeyCached (secretKey: Uint8Array): Uint8Array {
  const k = toHex(secretKey)
  let pk = ownKeys.get(k)
  if (pk === undefined) {
    pk = sm2PublicKeyOf(secretKey)
    if (ownKeys.size >= 64) ownKeys.delete(ownKeys.keys().next().value as string)
    ownKeys.set(k, pk)
  }
  return pk
}

export function sm2GenerateKeyPair (): KeyPair {
  for (;;) {
    const secretKey = randomBytes(32)
    const d = toBig(secretKey)
    if (d >= 1n && d <= N - 2n) return { secretKey, publicKey: sm2PublicKeyOf(secretKey) }
  }
}

/**
 * Signs `message` (the SM3 digest over Z_A ‖ M is computed here, as sm-crypto's
 * `{ hash: true }` does). The nonce is hedged: HMAC-SHA256 over the secret key, the digest
 * and fresh randomness, so a weak RNG alone cannot leak the key.
 */
export function sm2Sign (message: Uint8Array, secretKey: Uint8Array, userId = SM2_DEFAULT_USER_ID): Uint8Array {
  const d = secretScalar(secretKey)
  const publicKey = publicKeyCached(secretKey)
  const info = keyInfo(publicKey, userId)
  if (info === undefined) throw new BetascoError('INTERNAL', 'SM2 derived an invalid public key')
  const e = digest(message, info.za)
  const dInv = invN(1n + d)
  for (let counter = 0; ; counter++) {
    const k = mod(toBig(hmac(sha256, secretKey, concatBytes(to32(e), randomBytes(32), new Uint8Array([counter & 0xff])))), N - 1n) + 1n
    const x1 = Point.BASE.multiply(k).toAffine().x
    const r = mod(e + x1)
    if (r === 0n || r + k === N) continue
    const s = mod(dInv * (k - r * d))
    if (s === 0n) continue
    return concatBytes(to32(r), to32(s))
  }
}

/** Verifies an r‖s signature; malformed keys or signatures are simply invalid. */
export function sm2Verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, userId = SM2_DEFAULT_USER_ID): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false
  const info = keyInfo(publicKey, userId)
  if (info === undefined) return false
  const r = toBig(signature.subarray(0, 32))
  const s = toBig(signature.subarray(32))
  if (r < 1n || r >= N || s < 1n || s >= N) return false
  const t = mod(r + s)
  if (t === 0n) return false
  const sum = Point.BASE.multiplyUnsafe(s).add(info.point.multiplyUnsafe(t))
  if (sum.is0()) return false
  return mod(digest(message, info.za) + sum.toAffine().x) === r
}

export const sm2: SignatureScheme = {
  name: 'sm2',
  publicKeyLength: 65,
  signatureLength: 64,
  generateKeyPair: async () => sm2GenerateKeyPair(),
  publicKeyOf: async (secretKey) => sm2PublicKeyOf(secretKey),
  sign: async (message, secretKey) => sm2Sign(message, secretKey),
  verify: async (signature, message, publicKey) => sm2Verify(signature, message, publicKey)
}
