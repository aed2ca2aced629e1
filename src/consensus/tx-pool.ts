// Pending transactions of one shard in two lanes (paper §2.4): contract-issued transactions
// (async calls, callbacks, error notices) are always taken before client transactions.
// De-duplicated by tx ID and bounded.
import { encode } from '../core/encoding.ts'
import { isContractIssued, type Envelope } from '../core/transaction.ts'
import { txIdOf as txId } from './tx-id.ts'

export interface PooledTx {
  id: string
  env: Envelope
  bytes: number
  priority: boolean
}

export class TxPool {
  private readonly priority = new Map<string, PooledTx>()
  private readonly normal = new Map<string, PooledTx>()
  private readonly maxTxs: number

  constructor (maxTxs: number) {
    this.maxTxs = maxTxs
  }

  get size (): number { return this.priority.size + this.normal.size }

  has (id: string): boolean { return this.priority.has(id) || this.normal.has(id) }

  /** Adds a transaction; returns 'added', 'duplicate' or 'full'. */
  add (env: Envelope, id = txId(env.tx)): 'added' | 'duplicate' | 'full' {
    if (this.has(id)) return 'duplicate'
    if (this.size >= this.maxTxs) return 'full'
    const priority = isContractIssued(env.tx.kind)
    const p: PooledTx = { id, env, bytes: encode(env).length, priority };
    (priority ? this.priority : this.normal).set(id, p)
    return 'added'
  }

  remove (id: string): void {
    if (!this.priority.delete(id)) this.normal.delete(id)
  }

  /**
   * The next batch: priority lane first, then clients, in arrival order, skipping `exclude`d
   * IDs, within the count and byte limits. A config transaction ends a batch (a block holds
   * at most one, and it is the last: the configuration changes after that block).
   */
  takeBatch (maxTxs: number, maxBytes: number, exclude: (id: string) => boolean): Envelope[] {
    const out: Envelope[] = []
    let bytes = 0
    for (const lane of [this.priority, this.normal]) {
      for (const p of lane.values()) {
        if (out.length >= maxTxs) return out
        if (exclude(p.id)) continue
        if (bytes + p.bytes > maxBytes && out.length > 0) return out
        out.push(p.env)
        bytes += p.bytes
        if (p.env.tx.kind === 'config') return out
      }
    }
    return out
  }

  ids (): string[] { return [...this.priority.keys(), ...this.normal.keys()] }

  all (): PooledTx[] { return [...this.priority.values(), ...this.normal.values()] }
}
