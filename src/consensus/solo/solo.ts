// Solo ordering (k = 1): the only member is the sequencer. It cuts a block on every tick that
// finds transactions waiting, or at once when a full batch is waiting. The block carries the
// sequencer's seal over the block hash as its certificate.
import { blockHash, makeBlock, type Block } from '../../core/block.ts'
import type { Canonical } from '../../core/encoding.ts'
import { BetascoError } from '../../core/errors.ts'
import { bytes, record, str } from '../../core/shape.ts'
import type { ShardConfig } from '../../core/shard-config.ts'
import type { Envelope } from '../../core/transaction.ts'
import type { Engine, EngineContext } from '../engine.ts'
import type { Verifier } from '../signer.ts'

export class SoloEngine implements Engine {
  private readonly ctx: EngineContext
  private nowMs = 0

  constructor (ctx: EngineContext, _hard: unknown) {
    this.ctx = ctx
  }

  tick (nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs)
    this.cut()
  }

  onMessage (from: string): void {
    // A solo shard has no peers; anything received is from a confused or stale node: dropped and counted.
    throw new BetascoError('NOT_MEMBER', `solo shard ${this.ctx.config.contract.slice(0, 8)} takes no protocol messages (from ${from})`)
  }

  onSubmit (_tx: Envelope, _id: string): void {
    if (this.ctx.pool.size >= this.ctx.params.maxTxsPerBlock) this.cut()
  }

  onTipAdvanced (): void {}

  private cut (): void {
    const { ctx } = this
    for (let i = 0; i < 1000 && ctx.pool.size > 0; i++) {
      const txs = ctx.pool.takeBatch(ctx.params.maxTxsPerBlock, ctx.params.maxBlockBytes, (id) => ctx.isCommitted(id))
      if (txs.length === 0) return
      const tip = ctx.tip()
      const block = makeBlock(ctx.config.contract, tip.height + 1, tip.hash, txs, Math.max(this.nowMs, tip.timeMs), ctx.config.version)
      ctx.commit(block, { k: 'solo', by: ctx.self, sig: ctx.signer.sign(blockHash(block.header)) })
      if (ctx.tip().height === tip.height || block.txs.some((e) => e.tx.kind === 'config')) return
    }
  }

  hardState (): Canonical { return null }
  leader (): string { return this.ctx.self }
  term (): number { return 0 }
}

export function verifySoloCert (config: ShardConfig, verifier: Verifier, block: Block, cert: unknown): boolean {
  const c = record(cert, 'cert', ['k', 'by', 'sig'])
  if (c.k !== 'solo') return false
  const by = str(c.by, 'cert.by', 128)
  return config.members.length === 1 && config.members[0]?.peerId === by && verifier.verify(by, blockHash(block.header), bytes(c.sig, 'cert.sig', 1, 256))
}
