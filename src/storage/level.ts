// LedgerStore on LevelDB (classic-level), for Node peers. One database, one key prefix byte per
// table, heights as 8-byte big-endian so blocks and state iterate in order. Every write is one
// LevelDB batch: LevelDB logs a batch as a single checksummed record, so a crash (even SIGKILL
// mid-write) leaves either the whole batch or none of it after recovery.
import { ClassicLevel } from 'classic-level'
import { BetascoError, concatBytes, utf8 } from '../core/index.ts'
import type { KvBackend, KvRange, KvReader, KvWriter, Table } from './kv.ts'
import { SerialQueue, prefixEnd } from './kv.ts'
import { KvLedgerStore } from './kv-ledger-store.ts'

const PREFIX: Record<Table, Uint8Array> = {
  chain: utf8.encode('h'),
  blocks: utf8.encode('b'),
  state: utf8.encode('s'),
  receipts: utf8.encode('r'),
  checkpoints: utf8.encode('c'),
  configs: utf8.encode('v'),
  meta: utf8.encode('m'),
  hosted: utf8.encode('x'),
}

/** The physical key of a table row: its prefix byte and the row's key (exported for tools and tests). */
export function levelKey (table: Table, key: Uint8Array): Uint8Array {
  return concatBytes(PREFIX[table], key)
}

export interface LevelLedgerStoreOptions {
  /**
   * fsync every write before it resolves (default true). Without it a process crash still
   * loses nothing (the OS has the data), but a power loss may drop the latest blocks.
   */
  sync?: boolean
}

type Db = ClassicLevel<Uint8Array, Uint8Array>

class LevelKv implements KvBackend {
  readonly reader: KvReader
  private readonly db: Db
  private readonly sync: boolean
  private readonly queue = new SerialQueue()

  constructor (db: Db, sync: boolean) {
    this.db = db
    this.sync = sync
    const bounds = (t: Table, r: KvRange): { gte: Uint8Array, lt: Uint8Array, reverse: boolean, limit: number } => ({
      gte: levelKey(t, r.gte ?? new Uint8Array(0)),
      lt: r.lt === undefined ? prefixEnd(PREFIX[t]) : levelKey(t, r.lt),
      reverse: r.reverse === true,
      limit: r.limit,
    })
    const strip = (k: Uint8Array): Uint8Array => k.subarray(1)
    this.reader = {
      get: async (t, key) => await engine(async () => await db.get(levelKey(t, key))),
      entries: async (t, r) => {
        const rows = await engine(async () => await db.iterator(bounds(t, r)).all())
        return rows.map(([k, v]) => [strip(k), v])
      },
      keys: async (t, r) => (await engine(async () => await db.keys(bounds(t, r)).all())).map(strip),
    }
  }

  async transact<T> (fn: (read: KvReader, write: KvWriter) => Promise<T>): Promise<T> {
    return await this.queue.run(async () => {
      const ops: Array<{ type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }> = []
      const ranges: Array<{ at: number, gte: Uint8Array, lt: Uint8Array }> = []
      const writer: KvWriter = {
        put: (t, key, value) => { ops.push({ type: 'put', key: levelKey(t, key), value }) },
        del: (t, key) => { ops.push({ type: 'del', key: levelKey(t, key) }) },
        delRange: (t, gte, lt) => { ranges.push({ at: ops.length, gte: levelKey(t, gte), lt: levelKey(t, lt) }) },
      }
      const result = await fn(this.reader, writer)
      // LevelDB batches have no range delete: expand each range into the keys it holds now
      // (no other writer runs meanwhile), keeping its place among the other operations.
      for (let i = ranges.length - 1; i >= 0; i--) {
        const r = ranges[i]!
        const doomed = await engine(async () => await this.db.keys({ gte: r.gte, lt: r.lt }).all())
        ops.splice(r.at, 0, ...doomed.map((key) => ({ type: 'del' as const, key })))
      }
      if (ops.length > 0) await engine(async () => { await this.db.batch(ops, { sync: this.sync }) })
      return result
    })
  }

  async close (): Promise<void> {
    await this.queue.drain()
    await this.db.close()
  }
}

export class LevelLedgerStore extends KvLedgerStore {
  readonly location: string

  private constructor (kv: LevelKv, location: string) {
    super(kv)
    this.location = location
  }

  /** Opens (creating if needed) the LevelDB database in directory `location`. */
  static async open (location: string, options: LevelLedgerStoreOptions = {}): Promise<LevelLedgerStore> {
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    await engine(async () => { await db.open() }, location)
    return new LevelLedgerStore(new LevelKv(db, options.sync ?? true), location)
  }
}

/** Maps LevelDB's errors to the store's typed errors. */
async function engine<T> (op: () => Promise<T>, location?: string): Promise<T> {
  try {
    return await op()
  } catch (err) {
    const code = (err as { code?: string }).code
    const cause = (err as { cause?: { code?: string } }).cause?.code
    const where = location === undefined ? '' : ` at ${location}`
    if (code === 'LEVEL_DATABASE_NOT_OPEN' || code === 'LEVEL_DATABASE_NOT_CLOSED') {
      throw new BetascoError('STORE_CLOSED', `the LevelDB ledger store${where} is closed`, undefined, { cause: err })
    }
    if (code === 'LEVEL_LOCKED' || cause === 'LEVEL_LOCKED') {
      throw new BetascoError('STORE_CONFLICT', `the LevelDB ledger store${where} is open in another process; stop it or use another --data directory`, undefined, { cause: err })
    }
    if (code === 'LEVEL_CORRUPTION' || cause === 'LEVEL_CORRUPTION') {
      throw new BetascoError('STORE_CORRUPT', `the LevelDB ledger store${where} is damaged: ${(err as Error).message}`, undefined, { cause: err })
    }
    throw err
  }
}
