// Decoders meet hostile bytes: random, truncated and bit-flipped inputs must give only typed
// BetascoErrors (never a crash, a hang or a value of the wrong shape). Seeded, so reproducible.
import { describe, expect, it } from 'vitest'
import {
  BetascoError, decode, decodeCheckpoint, decodeCommittedBlock, decodeEnvelope, decodeReceipt,
  decodeShardConfig, encodeCommittedBlock, encodeEnvelope, encodeReceipt, makeBlock, ZERO_HASH,
} from '../../src/core/index.ts'
import { sampleTx } from './fixtures.ts'
import { seededRandom as prng } from '../random.ts'


const decoders: Record<string, (b: Uint8Array) => unknown> = {
  decode, decodeEnvelope, decodeCommittedBlock, decodeReceipt, decodeCheckpoint, decodeShardConfig,
}

function onlyTypedErrors (name: string, fn: (b: Uint8Array) => unknown, input: Uint8Array): 'ok' | 'refused' {
  try {
    fn(input)
    return 'ok'
  } catch (err) {
    if (!(err instanceof BetascoError)) {
      throw new Error(`${name} threw an untyped error on ${Buffer.from(input).toString('hex').slice(0, 80)}: ${String(err)}`)
    }
    return 'refused'
  }
}

describe('decoder fuzzing', () => {
  const env = { tx: sampleTx(), proofs: [{ cert: new Uint8Array(40).fill(3), sig: new Uint8Array(64) }] }
  const seeds: Uint8Array[] = [
    encodeEnvelope(env),
    encodeCommittedBlock({ block: makeBlock('b'.repeat(64), 1, ZERO_HASH, [env], 9, 0), cert: null }),
    encodeReceipt({ v: 1, txId: 'd'.repeat(64), shard: 'b'.repeat(64), height: 1, index: 0, status: 'committed', result: [1, 'x'], error: null, gasUsed: 3, calls: [] }),
  ]

  it('random bytes give only typed errors', () => {
    const rand = prng(1)
    for (let i = 0; i < 3000; i++) {
      const input = new Uint8Array(1 + Math.floor(rand() * 200)).map(() => Math.floor(rand() * 256))
      for (const [name, fn] of Object.entries(decoders)) onlyTypedErrors(name, fn, input)
    }
  })

  it('every truncation of valid records is refused with a typed error', () => {
    for (const valid of seeds) {
      for (let n = 0; n < valid.length; n++) {
        for (const [name, fn] of Object.entries(decoders)) {
          expect(onlyTypedErrors(name, fn, valid.subarray(0, n))).toBe('refused')
        }
      }
    }
  })

  it('bit flips give either a valid value or a typed error', () => {
    const rand = prng(2)
    let refused = 0
    for (let i = 0; i < 3000; i++) {
      const valid = seeds[i % seeds.length]!
      const input = valid.slice()
      const flips = 1 + Math.floor(rand() * 3)
      for (let f = 0; f < flips; f++) input[Math.floor(rand() * input.length)]! ^= 1 << Math.floor(rand() * 8)
      for (const [name, fn] of Object.entries(decoders)) if (onlyTypedErrors(name, fn, input) === 'refused') refused++
    }
    expect(refused).toBeGreaterThan(0)
  })

  it('huge declared lengths do not allocate or hang', () => {
    const inputs = [
      new Uint8Array([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // bytes of 2^64-1
      new Uint8Array([0x9b, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00]), // array of 2^36
      new Uint8Array([0x7a, 0x7f, 0xff, 0xff, 0xff, 0x61]), // string of 2^31
    ]
    const start = Date.now()
    for (const input of inputs) for (const [name, fn] of Object.entries(decoders)) expect(onlyTypedErrors(name, fn, input)).toBe('refused')
    expect(Date.now() - start).toBeLessThan(5000)
  })

  it('deeply nested input is refused, not a stack overflow', () => {
    const depth = 5000
    const input = new Uint8Array(depth + 1).fill(0x81)
    input[depth] = 0x01
    for (const [name, fn] of Object.entries(decoders)) expect(onlyTypedErrors(name, fn, input)).toBe('refused')
  })
})
