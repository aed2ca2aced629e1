import { describe, expect, it } from 'vitest'
import smCrypto from 'sm-crypto'
import { ed25519, ed25519Native, ed25519Noble, hasNativeEd25519, sm2, sm2Sign, sm2Verify, sm3, zA } from '../../src/crypto/index.ts'
import { toHex, fromHex, utf8 } from '../../src/core/bytes.ts'

const oracle = smCrypto

function seeded (n: number, seed: number): Uint8Array {
  let x = seed >>> 0
  return new Uint8Array(n).map(() => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x >>> 24 })
}

describe('SM3', () => {
  it('matches the GB/T 32905 test vectors', () => {
    expect(toHex(sm3(utf8.encode('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0')
    expect(toHex(sm3(utf8.encode('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732')
  })
  it('agrees with sm-crypto across padding boundaries', () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4097]) {
      const data = seeded(n, n + 1)
      expect(toHex(sm3(data)), `length ${n}`).toBe(oracle.sm3(Array.from(data)))
    }
  })
})

describe('SM2 interoperates with sm-crypto', () => {
  it('derives the same public keys', async () => {
    const kp = await sm2.generateKeyPair()
    expect(kp.publicKey.length).toBe(65)
    expect(kp.publicKey[0]).toBe(4)
    expect(toHex(kp.publicKey)).toBe(oracle.sm2.getPublicKeyFromPrivateKey(toHex(kp.secretKey)))
  })

  it('sm-crypto verifies our signatures and we verify sm-crypto\'s', async () => {
    for (let i = 0; i < 4; i++) {
      const kp = await sm2.generateKeyPair()
      const msg = seeded(1 + i * 37, i)
      const ours = await sm2.sign(msg, kp.secretKey)
      expect(ours.length).toBe(64)
      expect(oracle.sm2.doVerifySignature(Array.from(msg), toHex(ours), toHex(kp.publicKey), { hash: true })).toBe(true)
      const theirs = oracle.sm2.doSignature(Array.from(msg), toHex(kp.secretKey), { hash: true, publicKey: toHex(kp.publicKey) })
      expect(await sm2.verify(fromHex(theirs), msg, kp.publicKey)).toBe(true)
    }
  })

  it('Z_A uses the default user ID 1234567812345678', async () => {
    const kp = await sm2.generateKeyPair()
    const msg = utf8.encode('with an explicit user id')
    const theirs = oracle.sm2.doSignature(Array.from(msg), toHex(kp.secretKey), { hash: true, publicKey: toHex(kp.publicKey), userId: '1234567812345678' })
    expect(sm2Verify(fromHex(theirs), msg, kp.publicKey)).toBe(true)
    const other = oracle.sm2.doSignature(Array.from(msg), toHex(kp.secretKey), { hash: true, publicKey: toHex(kp.publicKey), userId: 'alice@org1' })
    expect(sm2Verify(fromHex(other), msg, kp.publicKey)).toBe(false)
    expect(sm2Verify(fromHex(other), msg, kp.publicKey, 'alice@org1')).toBe(true)
    expect(zA(kp.publicKey).length).toBe(32)
  })

  it('refuses tampered messages, tampered signatures and wrong keys, on both sides', async () => {
    const kp = await sm2.generateKeyPair()
    const other = await sm2.generateKeyPair()
    const msg = utf8.encode('transfer 10 to bob')
    const sig = sm2Sign(msg, kp.secretKey)
    const tampered = utf8.encode('transfer 99 to bob')
    expect(await sm2.verify(sig, tampered, kp.publicKey)).toBe(false)
    expect(oracle.sm2.doVerifySignature(Array.from(tampered), toHex(sig), toHex(kp.publicKey), { hash: true })).toBe(false)
    expect(await sm2.verify(sig, msg, other.publicKey)).toBe(false)
    expect(oracle.sm2.doVerifySignature(Array.from(msg), toHex(sig), toHex(other.publicKey), { hash: true })).toBe(false)
    for (const i of [0, 31, 32, 63]) {
      const bad = sig.slice()
      bad[i]! ^= 1
      expect(await sm2.verify(bad, msg, kp.publicKey), `bit flip at ${i}`).toBe(false)
    }
  })

  it('treats malformed keys and signatures as invalid, never throwing', async () => {
    const kp = await sm2.generateKeyPair()
    const msg = utf8.encode('x')
    const sig = await sm2.sign(msg, kp.secretKey)
    const offCurve = kp.publicKey.slice(); offCurve[64]! ^= 1
    for (const pk of [new Uint8Array(0), kp.publicKey.subarray(0, 33), offCurve, new Uint8Array(65)]) {
      expect(await sm2.verify(sig, msg, pk)).toBe(false)
    }
    const n = fromHex('fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123')
    for (const s of [new Uint8Array(0), sig.subarray(0, 63), new Uint8Array(64), new Uint8Array([...n, ...sig.subarray(32)])]) {
      expect(await sm2.verify(s, msg, kp.publicKey)).toBe(false)
    }
    await expect(sm2.sign(msg, new Uint8Array(31))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(sm2.sign(msg, new Uint8Array(32))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })
})

describe('Ed25519', () => {
  it('WebCrypto and @noble/curves give the same bytes and accept each other', async () => {
    expect(await hasNativeEd25519()).toBe(true) // Node 24 has WebCrypto Ed25519
    for (let i = 0; i < 4; i++) {
      const kp = await ed25519.generateKeyPair()
      const msg = seeded(i * 50, i)
      const a = await ed25519Native.sign(msg, kp.secretKey)
      const b = await ed25519Noble.sign(msg, kp.secretKey)
      expect(toHex(a)).toBe(toHex(b))
      expect(await ed25519Native.verify(b, msg, kp.publicKey)).toBe(true)
      expect(await ed25519Noble.verify(a, msg, kp.publicKey)).toBe(true)
    }
  })

  it('matches RFC 8032 test 2', async () => {
    const sk = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb')
    expect(toHex(await ed25519.publicKeyOf(sk))).toBe('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c')
    expect(toHex(await ed25519.sign(fromHex('72'), sk))).toBe('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00')
  })

  it('refuses tampering and wrong keys, and malformed input is just invalid', async () => {
    const kp = await ed25519.generateKeyPair()
    const other = await ed25519.generateKeyPair()
    const msg = utf8.encode('hello')
    const sig = await ed25519.sign(msg, kp.secretKey)
    for (const scheme of [ed25519, ed25519Native, ed25519Noble]) {
      expect(await scheme.verify(sig, msg, kp.publicKey)).toBe(true)
      expect(await scheme.verify(sig, utf8.encode('hellO'), kp.publicKey)).toBe(false)
      expect(await scheme.verify(sig, msg, other.publicKey)).toBe(false)
      const bad = sig.slice(); bad[10]! ^= 4
      expect(await scheme.verify(bad, msg, kp.publicKey)).toBe(false)
      expect(await scheme.verify(sig.subarray(1), msg, kp.publicKey)).toBe(false)
      expect(await scheme.verify(sig, msg, new Uint8Array(31))).toBe(false)
    }
    await expect(ed25519.sign(msg, new Uint8Array(5))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })
})

describe('synchronous Ed25519 (consensus paths)', () => {
  it('uses OpenSSL through Node here, gives the same bytes as @noble/curves, and refuses tampering', async () => {
    const { ed25519SignSync, ed25519VerifySync, ed25519SyncNoble, hasNativeSyncEd25519 } = await import('../../src/crypto/ed25519-sync.ts')
    expect(hasNativeSyncEd25519).toBe(true)
    for (let i = 0; i < 4; i++) {
      const kp = await ed25519.generateKeyPair()
      const msg = seeded(10 + i * 40, i)
      const fast = ed25519SignSync(msg, kp.secretKey)
      expect(toHex(fast)).toBe(toHex(ed25519SyncNoble.sign(msg, kp.secretKey)))
      expect(toHex(fast)).toBe(toHex(await ed25519Native.sign(msg, kp.secretKey)))
      expect(ed25519VerifySync(fast, msg, kp.publicKey)).toBe(true)
      expect(ed25519SyncNoble.verify(fast, msg, kp.publicKey)).toBe(true)
      const bad = fast.slice(); bad[5]! ^= 1
      expect(ed25519VerifySync(bad, msg, kp.publicKey)).toBe(false)
      expect(ed25519VerifySync(fast, seeded(10 + i * 40, i + 100), kp.publicKey)).toBe(false)
      expect(ed25519VerifySync(fast, msg, new Uint8Array(32))).toBe(false)
      expect(ed25519VerifySync(fast.subarray(1), msg, kp.publicKey)).toBe(false)
    }
  })
})
