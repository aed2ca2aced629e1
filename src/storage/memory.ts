// The in-memory ledger store: for tests and the deterministic simulator. Its data lives in a
// MemoryBacking that outlives a store instance, so a simulated node can "crash" (drop the
// store) and reopen the same data, as it would from disk.
import type { KvBackend, KvRange, KvReader, KvWriter, Table } from './kv.ts'
import { SerialQueue, TABLES } from './kv.ts'
import { KvLedgerStore } from './kv-ledger-store.ts'

/** A sorted table: keys as binary strings (one char per byte), whose string order is byte order. */
class SortedTable {
  readonly order: string[] = []
  readonly values = new Map<string, Uint8Array>()

  put (key: string, value: Uint8Array): void {
    if (!this.values.has(key)) this.order.splice(this.lowerBound(key), 0, key)
    this.values.set(key, value)
  }

  del (key: string): void {
    if (!this.values.delete(key)) return
    this.order.splice(this.lowerBound(key), 1)
  }

  /** Index of the first key ≥ `key`. */
  lowerBound (key: string): number {
    let lo = 0
    let hi = this.order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.order[mid]! < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  select (range: Omit<KvRange, 'limit'> & { limit?: number }): string[] {
    const from = range.gte === undefined ? 0 : this.lowerBound(bin(range.gte))
    const to = range.lt === undefined ? this.order.length : this.lowerBound(bin(range.lt))
    const slice = this.order.slice(from, Math.max(from, to))
    if (range.reverse === true) slice.reverse()
    return range.limit === undefined ? slice : slice.slice(0, range.limit)
  }
}

/** The data of a memory store; pass the same backing to a new store to "reopen" it. */
export class MemoryBacking {
  readonly tables = new Map<Table, SortedTable>(TABLES.map((t) => [t, new SortedTable()]))

  table (t: Table): SortedTable {
    return this.tables.get(t)!
  }

  /** Writes raw bytes under a row key, bypassing every check (for corruption tests and tools). */
  rawPut (t: Table, key: Uint8Array, value: Uint8Array): void {
    this.table(t).put(bin(key), value.slice())
  }
}

function bin (bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!)
  return s
}

function unbin (s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

type Op = { t: Table, k: string, v: Uint8Array | null } | { t: Table, keys: string[] }

class MemoryKv implements KvBackend {
  readonly reader: KvReader
  private readonly backing: MemoryBacking
  private readonly queue = new SerialQueue()

  constructor (backing: MemoryBacking) {
    this.backing = backing
    // Values are copied in and out so callers never alias stored bytes.
    this.reader = {
      get: async (t, key) => backing.table(t).values.get(bin(key))?.slice(),
      entries: async (t, range) => {
        const table = backing.table(t)
        return table.select(range).map((k) => [unbin(k), table.values.get(k)!.slice()])
      },
      keys: async (t, range) => backing.table(t).select(range).map(unbin),
    }
  }

  async transact<T> (fn: (read: KvReader, write: KvWriter) => Promise<T>): Promise<T> {
    return await this.queue.run(async () => {
      const ops: Op[] = []
      const writer: KvWriter = {
        put: (t, k, v) => { ops.push({ t, k: bin(k), v: v.slice() }) },
        del: (t, k) => { ops.push({ t, k: bin(k), v: null }) },
        delRange: (t, gte, lt) => { ops.push({ t, keys: this.backing.table(t).select({ gte, lt }) }) },
      }
      const result = await fn(this.reader, writer)
      // Applied synchronously: no other job can observe half of it.
      for (const op of ops) {
        const table = this.backing.table(op.t)
        if ('keys' in op) for (const k of op.keys) table.del(k)
        else if (op.v === null) table.del(op.k)
        else table.put(op.k, op.v)
      }
      return result
    })
  }

  async close (): Promise<void> {
    await this.queue.drain()
  }
}

export class MemoryLedgerStore extends KvLedgerStore {
  readonly backing: MemoryBacking

  /** A store over `backing` (a fresh, empty one by default). */
  constructor (backing: MemoryBacking = new MemoryBacking()) {
    super(new MemoryKv(backing))
    this.backing = backing
  }
}
