// The seam between the ledger logic and a storage engine: a few ordered byte-keyed tables and
// an atomic transaction. The ledger rules live once in KvLedgerStore; memory, LevelDB and
// IndexedDB only implement this small interface.

/** Logical tables of the ledger; LevelDB maps them to key prefixes, IndexedDB to object stores. */
export const TABLES = ['chain', 'blocks', 'state', 'receipts', 'checkpoints', 'configs', 'meta', 'hosted'] as const
export type Table = typeof TABLES[number]

/** A key range in bytewise order: `gte` inclusive, `lt` exclusive, either open. */
export interface KvRange {
  gte?: Uint8Array
  lt?: Uint8Array
  reverse?: boolean
  limit: number
}

export interface KvReader {
  get (table: Table, key: Uint8Array): Promise<Uint8Array | undefined>
  entries (table: Table, range: KvRange): Promise<Array<[Uint8Array, Uint8Array]>>
  keys (table: Table, range: KvRange): Promise<Uint8Array[]>
}

/** Writes buffered by a transaction; they become visible together when it commits. */
export interface KvWriter {
  put (table: Table, key: Uint8Array, value: Uint8Array): void
  del (table: Table, key: Uint8Array): void
  /** Deletes every key in [gte, lt) as it was when the transaction started. */
  delRange (table: Table, gte: Uint8Array, lt: Uint8Array): void
}

export interface KvBackend {
  /** Reads outside any transaction. */
  readonly reader: KvReader
  /**
   * Runs `fn` with a reader that sees the state before the transaction and a writer whose
   * writes are committed atomically after `fn` resolves (nothing is written if it throws).
   * Transactions run one at a time. `fn` may await only the reader: IndexedDB commits a
   * transaction as soon as it is left without pending requests.
   */
  transact<T> (fn: (read: KvReader, write: KvWriter) => Promise<T>): Promise<T>
  /** Waits for the transaction in flight, then closes the engine. */
  close (): Promise<void>
}

/** A queue that runs async jobs one at a time, in order (a writer lock without starvation). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T> (job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job)
    this.tail = result.catch(() => undefined)
    return result
  }

  /** Resolves when every job queued so far has finished. */
  async drain (): Promise<void> {
    await this.tail
  }
}

/** The smallest key greater than every key starting with `prefix` (for prefix ranges). */
export function prefixEnd (prefix: Uint8Array): Uint8Array {
  const end = prefix.slice()
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 255) {
      end[i]! += 1
      return end.subarray(0, i + 1)
    }
  }
  // All 0xff: no finite key bounds it; callers only use ASCII prefixes.
  throw new RangeError('prefixEnd: prefix has no successor')
}
