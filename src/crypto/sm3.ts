// SM3 (GB/T 32905-2016): the Chinese national hash, 256-bit output. Merkle–Damgård over
// 512-bit blocks with SHA-256's padding; needed by SM2 (Z_A and the signed digest).
// A plain implementation on 32-bit words: no dependency has it, and it is small.

const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0
const p0 = (x: number): number => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0
const p1 = (x: number): number => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0

// T_j rotated by j, precomputed once.
const TJ = new Uint32Array(64)
for (let j = 0; j < 64; j++) TJ[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32)

const W = new Uint32Array(68)
const W1 = new Uint32Array(64)

function compress (v: Uint32Array, block: DataView, offset: number): void {
  for (let j = 0; j < 16; j++) W[j] = block.getUint32(offset + 4 * j, false)
  for (let j = 16; j < 68; j++) {
    W[j] = (p1((W[j - 16]! ^ W[j - 9]! ^ rotl(W[j - 3]!, 15)) >>> 0) ^ rotl(W[j - 13]!, 7) ^ W[j - 6]!) >>> 0
  }
  for (let j = 0; j < 64; j++) W1[j] = (W[j]! ^ W[j + 4]!) >>> 0
  let a = v[0]!; let b = v[1]!; let c = v[2]!; let d = v[3]!
  let e = v[4]!; let f = v[5]!; let g = v[6]!; let h = v[7]!
  for (let j = 0; j < 64; j++) {
    const a12 = rotl(a, 12)
    const ss1 = rotl((a12 + e + TJ[j]!) >>> 0, 7)
    const ss2 = (ss1 ^ a12) >>> 0
    const ff = j < 16 ? (a ^ b ^ c) : ((a & b) | (a & c) | (b & c))
    const gg = j < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g))
    const tt1 = (ff + d + ss2 + W1[j]!) >>> 0
    const tt2 = (gg + h + ss1 + W[j]!) >>> 0
    d = c; c = rotl(b, 9); b = a; a = tt1
    h = g; g = rotl(f, 19); f = e; e = p0(tt2)
  }
  v[0] = v[0]! ^ a; v[1] = v[1]! ^ b; v[2] = v[2]! ^ c; v[3] = v[3]! ^ d
  v[4] = v[4]! ^ e; v[5] = v[5]! ^ f; v[6] = v[6]! ^ g; v[7] = v[7]! ^ h
}

/** SM3 digest (32 bytes) of `data`. */
export function sm3 (data: Uint8Array): Uint8Array {
  const v = Uint32Array.from(IV)
  const full = data.length - (data.length % 64)
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  for (let off = 0; off < full; off += 64) compress(v, view, off)
  // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian integer.
  const restLen = data.length - full
  const tail = new Uint8Array(restLen + 9 <= 64 ? 64 : 128)
  tail.set(data.subarray(full))
  tail[restLen] = 0x80
  const tv = new DataView(tail.buffer)
  const bits = data.length * 8
  tv.setUint32(tail.length - 8, Math.floor(bits / 0x100000000), false)
  tv.setUint32(tail.length - 4, bits >>> 0, false)
  for (let off = 0; off < tail.length; off += 64) compress(v, tv, off)
  const out = new Uint8Array(32)
  const ov = new DataView(out.buffer)
  for (let i = 0; i < 8; i++) ov.setUint32(4 * i, v[i]!, false)
  return out
}
