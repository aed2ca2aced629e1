import { describe, expect, it } from 'vitest'
import { encode as cborEncode } from 'cborg'
import { decode, encode } from '../../src/core/encoding.ts'
import { BetascoError } from '../../src/core/errors.ts'
import { toHex } from '../../src/core/bytes.ts'

describe('canonical encoding', () => {
  it('gives the same bytes whatever the key order', () => {
    const a = encode({ b: 1, a: [1, 2, { z: 'x', y: null }], c: new Uint8Array([1, 2]) })
    const b = encode({ c: new Uint8Array([1, 2]), a: [1, 2, { y: null, z: 'x' }], b: 1 })
    expect(toHex(a)).toBe(toHex(b))
  })

  it('round-trips JSON values and byte strings', () => {
    const value = { s: 'héllo', n: -12, f: 1.5, t: true, nil: null, list: [1, 'two'], bytes: new Uint8Array([0, 255]) }
    expect(decode(encode(value))).toEqual(value)
  })

  it('refuses values outside the canonical set', () => {
    for (const bad of [undefined, 10n, NaN, Infinity, { a: undefined }]) {
      expect(() => encode(bad)).toThrowError(BetascoError)
    }
  })

  it('refuses non-canonical but valid CBOR (unsorted keys, long integers)', () => {
    const unsorted = cborEncode({ b: 1, a: 2 }, { mapSorter: () => 0 } as never)
    // { "b": 1, "a": 2 } in insertion order: b before a is not canonical
    const manual = new Uint8Array([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02])
    expect(() => decode(manual)).toThrow(expect.objectContaining({ code: 'NOT_CANONICAL' }))
    expect(unsorted.length).toBeGreaterThan(0)
    const longInt = new Uint8Array([0x19, 0x00, 0x01]) // 1 encoded in two bytes
    expect(() => decode(longInt)).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }))
  })

  it('refuses input over the size limit before parsing it', () => {
    const bytes = encode('x'.repeat(100))
    expect(() => decode(bytes, 50)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
  })

  it('refuses indefinite lengths, tags, undefined and duplicate keys', () => {
    const cases = [
      new Uint8Array([0x9f, 0x01, 0xff]), // indefinite array
      new Uint8Array([0xc1, 0x01]), // tag 1
      new Uint8Array([0xf7]), // undefined
      new Uint8Array([0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]), // duplicate key "a"
      new Uint8Array([0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]), // NaN
    ]
    for (const bytes of cases) {
      expect(() => decode(bytes)).toThrowError(BetascoError)
    }
  })
})
