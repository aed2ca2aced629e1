// Seeded pseudo-random numbers for everything that must look random yet replay exactly:
// Raft's randomized election timeouts (seeded from node ID and term) and the simulator.
// SplitMix32-style mixing; never Math.random.

/** A small deterministic generator; `next()` returns an unsigned 32-bit integer. */
export class Prng {
  private state: number

  constructor (seed: number) {
    this.state = seed >>> 0
  }

  next (): number {
    this.state = (this.state + 0x9e3779b9) >>> 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }

  /** Uniform integer in [0, n). */
  below (n: number): number {
    return n <= 1 ? 0 : this.next() % n
  }

  /** True with probability p. */
  chance (p: number): boolean {
    return p > 0 && this.next() / 4294967296 < p
  }
}

/** Mixes a seed with a string (a node ID) and numbers (a term) into a new 32-bit seed. */
export function deriveSeed (seed: number, label: string, ...nums: number[]): number {
  let h = (seed ^ 0x811c9dc5) >>> 0
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
  for (const n of nums) h = Math.imul(h ^ (n >>> 0), 0x01000193) >>> 0
  return new Prng(h).next()
}
