// Byzantine members for PBFT runs: the member runs the real protocol code, and this wrapper
// tampers with what it sends — an equivocating primary, messages forged in other members'
// names, malformed bytes, silence, and replays of old messages. It holds only its own signer.
import { blockHash, makeBlock, ZERO_HASH, type Block } from '../core/block.ts'
import { decode, encode, type Canonical } from '../core/encoding.ts'
import type { OutMessage } from '../consensus/orderer.ts'
import type { Signer } from '../consensus/signer.ts'
import type { Prng } from '../consensus/prng.ts'
import { pbftCodec } from '../consensus/pbft/pbft.ts'
import type { FaultCounts } from './faults.ts'
import type { Envelope } from '../core/transaction.ts'

export const BYZANTINE_BEHAVIOURS = ['equivocate', 'forge', 'malformed', 'silent', 'replay'] as const
export type ByzantineBehaviour = typeof BYZANTINE_BEHAVIOURS[number]

export class ByzantineActor {
  readonly behaviours: Set<ByzantineBehaviour>
  private readonly id: string
  private readonly members: string[]
  private readonly signer: Signer
  private readonly rng: Prng
  private readonly counts: FaultCounts
  private readonly contract: string
  private readonly memory: OutMessage[] = []

  constructor (id: string, members: string[], contract: string, behaviours: ByzantineBehaviour[], signer: Signer, rng: Prng, counts: FaultCounts) {
    this.id = id
    this.members = members
    this.contract = contract
    this.behaviours = new Set(behaviours)
    this.signer = signer
    this.rng = rng
    this.counts = counts
  }

  /** Remembers traffic it sees, for replays. */
  observe (m: OutMessage): void {
    if (this.memory.length < 256) this.memory.push(m)
    else this.memory[this.rng.below(256)] = m
  }

  /** What actually leaves the member for one honest outgoing message. */
  tamper (m: OutMessage): OutMessage[] {
    this.observe(m)
    if (this.behaviours.has('silent') && this.rng.chance(0.7)) { this.counts.silent++; return [] }
    let frame: { e: number, m: Record<string, unknown> }
    try { frame = decode(m.data) as typeof frame } catch { return [m] }
    const out: OutMessage[] = []
    const t = frame.m.t
    if (this.behaviours.has('equivocate') && t === 'pp' && frame.m.b !== null && this.rng.chance(0.5)) {
      // A different block for this recipient, properly signed: only quorums expose it.
      const pp = pbftCodec.checkPP(frame.m, 'pp')
      const b = pp.b!
      const alt: Block = makeBlock(b.header.shard, b.header.height, b.header.prev, this.rng.chance(0.5) ? b.txs.slice().reverse() : b.txs.slice(0, Math.max(1, b.txs.length - 1)), b.header.timeMs + 1 + this.rng.below(5), b.header.configVersion)
      const x = { ...pp, d: blockHash(alt.header), b: alt }
      x.sig = this.signer.sign(encode(pbftCodec.ppCore(x)))
      this.counts.equivocate++
      out.push({ to: m.to, data: encode({ e: frame.e, m: x as unknown as Canonical }) })
    } else {
      out.push(m)
    }
    if (this.behaviours.has('forge') && this.rng.chance(0.15)) out.push(this.forge(m.to, frame.e, frame.m))
    if (this.behaviours.has('malformed') && this.rng.chance(0.05)) out.push(this.malformed(m.to, frame.e))
    return out
  }

  /** Extra traffic a Byzantine member volunteers on its own clock. */
  onTick (): OutMessage[] {
    const out: OutMessage[] = []
    if (this.behaviours.has('replay') && this.memory.length > 0 && this.rng.chance(0.2)) {
      const old = this.memory[this.rng.below(this.memory.length)]!
      this.counts.replay++
      out.push({ to: this.other(), data: old.data })
    }
    return out
  }

  private other (): string {
    const others = this.members.filter((p) => p !== this.id)
    return others[this.rng.below(others.length)]!
  }

  private forge (to: string, e: number, m: Record<string, unknown>): OutMessage {
    this.counts.forge++
    const kind = this.rng.below(3)
    if (kind === 0 && typeof m.r === 'string') {
      // The same message in another member's name (its signature cannot be made).
      return { to, data: encode({ e, m: { ...m, r: this.other() } as unknown as Canonical }) }
    }
    if (kind === 1) {
      // A transaction no client signed.
      const env: Envelope = {
        tx: { v: 1, network: 'a'.repeat(64), kind: 'invoke', contract: this.contract, method: 'call', arg: { forged: this.rng.next() }, nonce: `forged-${this.rng.next()}`, from: 'c'.repeat(64) },
        proofs: [{ cert: new Uint8Array([1]), sig: new Uint8Array(32) }],
      }
      return { to, data: encode({ e, m: { t: 'req', txs: [env as unknown as Canonical] } }) }
    }
    // A block with a made-up certificate, offered as catch-up data.
    const block = makeBlock(this.contract, this.rng.below(4), ZERO_HASH, [], 0, e)
    return { to, data: encode({ e, m: { t: 'blocks', b: [{ block: block as unknown as Canonical, cert: { k: 'pbft', e, v: 0, s: 1, com: [] } }] } }) }
  }

  private malformed (to: string, e: number): OutMessage {
    this.counts.malformed++
    const kind = this.rng.below(3)
    if (kind === 0) return { to, data: Uint8Array.from({ length: 1 + this.rng.below(64) }, () => this.rng.below(256)) }
    if (kind === 1) return { to, data: encode({ e, m: { t: 'pp', v: 'x', s: -1 } }) }
    return { to, data: encode({ e, m: { t: 'com', e, v: 0, s: 1, d: new Uint8Array(3), r: this.id, sig: new Uint8Array(0) } }) }
  }
}
