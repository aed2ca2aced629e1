// LedgerStore on IndexedDB (through `idb`), for a node in a browser tab. One object store per
// table with binary keys (IndexedDB orders binary keys bytewise, so the key layout of keys.ts
// iterates as in LevelDB); every write is one readwrite transaction over all stores, which
// IndexedDB commits atomically or not at all, also when the tab or browser is killed.
//
// What IndexedDB does not promise: Chromium keeps an origin's databases in LevelDB, and when it
// finds that LevelDB corrupt on opening it deletes every database of the origin and starts empty
// ("IndexedDB recovering from a corrupted (and deleted) database" in its log). Two browser
// crashes in a row can do that (the first tears a log record, the reopen appends after it, the
// second reopen fails its checksum): see docs/storage.md. A store therefore says whether opening
// it created the database (`created`), so a caller that knows the database existed before can
// tell a wiped ledger from a new one.
import { openDB, deleteDB, type IDBPDatabase, type IDBPTransaction } from 'idb'
import { BetascoError, compareBytes } from '../core/index.ts'
import type { KvBackend, KvRange, KvReader, KvWriter, Table } from './kv.ts'
import { SerialQueue, TABLES } from './kv.ts'
import { KvLedgerStore } from './kv-ledger-store.ts'

const SCHEMA_VERSION = 1

export interface IndexedDbLedgerStoreOptions {
  /**
   * Durability hint of write transactions (default 'strict': flushed to disk before they
   * complete). 'relaxed' is faster and still atomic, but an OS crash may drop the latest writes.
   */
  durability?: IDBTransactionDurability
}

type Db = IDBPDatabase<unknown>
type AnyTx = IDBPTransaction<unknown, Table[], 'readonly' | 'readwrite'>

function toRange (r: KvRange): IDBKeyRange | null | 'empty' {
  if (r.gte !== undefined && r.lt !== undefined) {
    return compareBytes(r.gte, r.lt) >= 0 ? 'empty' : IDBKeyRange.bound(r.gte, r.lt, false, true)
  }
  if (r.gte !== undefined) return IDBKeyRange.lowerBound(r.gte)
  if (r.lt !== undefined) return IDBKeyRange.upperBound(r.lt, true)
  return null
}

/** Our keys are plain Uint8Arrays over ArrayBuffers; the DOM typings want that spelled out. */
const idbKey = (k: Uint8Array): IDBValidKey => k as Uint8Array<ArrayBuffer>

const asBytes = (k: IDBValidKey): Uint8Array => {
  if (k instanceof ArrayBuffer) return new Uint8Array(k)
  if (ArrayBuffer.isView(k)) return new Uint8Array(k.buffer, k.byteOffset, k.byteLength).slice()
  throw new BetascoError('STORE_CORRUPT', 'IndexedDB holds a non-binary key in a ledger table')
}

const asValue = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return v
  throw new BetascoError('STORE_CORRUPT', 'IndexedDB holds a record that is not bytes in a ledger table')
}

/** Reads through one transaction (a readonly one per call outside `transact`). */
function readerOver (tx: () => AnyTx): KvReader {
  const keysIn = async (t: Table, r: KvRange, withValues: boolean): Promise<Array<[Uint8Array, Uint8Array | undefined]>> => {
    const range = toRange(r)
    if (range === 'empty') return []
    const store = tx().objectStore(t)
    if (r.reverse !== true) {
      // Both requests run in the same transaction, so keys and values line up.
      const [ks, vs] = await Promise.all([store.getAllKeys(range, r.limit), withValues ? store.getAll(range, r.limit) : undefined])
      return ks.map((k, i) => [asBytes(k), vs === undefined ? undefined : asValue(vs[i])])
    }
    const out: Array<[Uint8Array, Uint8Array | undefined]> = []
    let cursor = await store.openCursor(range, 'prev')
    while (cursor !== null && out.length < r.limit) {
      out.push([asBytes(cursor.key), withValues ? asValue(cursor.value) : undefined])
      cursor = await cursor.continue()
    }
    return out
  }
  return {
    get: async (t, key) => {
      const v: unknown = await tx().objectStore(t).get(idbKey(key))
      return v === undefined ? undefined : asValue(v)
    },
    entries: async (t, r) => (await keysIn(t, r, true)) as Array<[Uint8Array, Uint8Array]>,
    keys: async (t, r) => (await keysIn(t, r, false)).map(([k]) => k),
  }
}

type Op = { t: Table, k: Uint8Array, v: Uint8Array | null } | { t: Table, gte: Uint8Array, lt: Uint8Array }

class IndexedDbKv implements KvBackend {
  readonly reader: KvReader
  private readonly db: Db
  private readonly durability: IDBTransactionDurability
  private readonly queue = new SerialQueue()

  constructor (db: Db, durability: IDBTransactionDurability) {
    this.db = db
    this.durability = durability
    this.reader = readerOver(() => this.db.transaction([...TABLES], 'readonly') as AnyTx)
  }

  async transact<T> (fn: (read: KvReader, write: KvWriter) => Promise<T>): Promise<T> {
    return await this.queue.run(async () => {
      const tx = this.db.transaction([...TABLES], 'readwrite', { durability: this.durability })
      const done = tx.done
      done.catch(() => undefined) // observed below; an abort must not surface as unhandled
      const ops: Op[] = []
      const writer: KvWriter = {
        put: (t, k, v) => { ops.push({ t, k, v }) },
        del: (t, k) => { ops.push({ t, k, v: null }) },
        delRange: (t, gte, lt) => { ops.push({ t, gte, lt }) },
      }
      let result: T
      try {
        result = await fn(readerOver(() => tx as AnyTx), writer)
        // Issued synchronously after the last read: the transaction is still active.
        for (const op of ops) {
          const store = tx.objectStore(op.t)
          if ('gte' in op) void store.delete(IDBKeyRange.bound(op.gte, op.lt, false, true))
          else if (op.v === null) void store.delete(idbKey(op.k))
          else void store.put(op.v, idbKey(op.k))
        }
      } catch (err) {
        try { tx.abort() } catch { /* already finished */ }
        throw err
      }
      try {
        await done
      } catch (err) {
        const name = (err as { name?: string } | null)?.name
        if (name === 'QuotaExceededError') throw new BetascoError('TOO_LARGE', 'the browser refused the write: storage quota exceeded; free space or prune blocks', undefined, { cause: err })
        throw new BetascoError('INTERNAL', `IndexedDB transaction failed: ${String((err as Error | null)?.message ?? err)}`, undefined, { cause: err })
      }
      return result
    })
  }

  async close (): Promise<void> {
    await this.queue.drain()
    this.db.close()
  }
}

export class IndexedDbLedgerStore extends KvLedgerStore {
  readonly name: string
  /**
   * True when this open created the database: a new ledger, or one the browser deleted (a
   * caller that recorded earlier that the ledger existed knows which).
   */
  readonly created: boolean

  private constructor (kv: IndexedDbKv, name: string, created: boolean) {
    super(kv)
    this.name = name
    this.created = created
  }

  /** Opens (creating if needed) the IndexedDB database `name` of this origin. */
  static async open (name: string, options: IndexedDbLedgerStoreOptions = {}): Promise<IndexedDbLedgerStore> {
    let created = false
    const db = await openDB(name, SCHEMA_VERSION, {
      upgrade (database, oldVersion) {
        if (oldVersion === 0) created = true
        for (const t of TABLES) if (!database.objectStoreNames.contains(t)) database.createObjectStore(t)
      },
      blocked () { /* an older tab holds the database open; open waits for it */ },
    })
    db.addEventListener('versionchange', () => { db.close() }) // let a newer schema in
    return new IndexedDbLedgerStore(new IndexedDbKv(db as Db, options.durability ?? 'strict'), name, created)
  }

  /** Deletes the database `name` with everything in it. */
  static async destroy (name: string): Promise<void> {
    await deleteDB(name)
  }
}
