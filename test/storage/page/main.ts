// The storage test page: runs the LedgerStore conformance cases and the crash-test loop against
// IndexedDbLedgerStore in this tab, on calls from the Node test through playwright.
import { openDB } from 'idb'
import { BetascoError } from '../../../src/core/index.ts'
import { IndexedDbLedgerStore } from '../../../src/storage/indexeddb.ts'
import { conformanceCases } from '../conformance.ts'
import { checkChain, runChain } from '../crash-check.ts'
import type { StoragePageApi } from './api.ts'

const CRASH_DB = 'crash'
let dbCounter = 0

const api: StoragePageApi = {
  cases: conformanceCases.map((c) => c.name),

  async runCase (name) {
    const c = conformanceCases.find((x) => x.name === name)
    const started = performance.now()
    if (c === undefined) return { ok: false, error: `no case named ${name}`, ms: 0 }
    const dbName = `conformance-${++dbCounter}-${Date.now()}`
    try {
      await c.run(async () => await IndexedDbLedgerStore.open(dbName), {
        corrupt: async (table, key, value) => {
          const raw = await openDB(dbName)
          await raw.put(table, value, key as Uint8Array<ArrayBuffer>)
          raw.close()
        },
      })
      return { ok: true, ms: performance.now() - started }
    } catch (err) {
      const code = err instanceof BetascoError ? `${err.code}: ` : ''
      return { ok: false, error: `${code}${(err as Error).message}\n${(err as Error).stack ?? ''}`, ms: performance.now() - started }
    } finally {
      await Promise.race([IndexedDbLedgerStore.destroy(dbName), new Promise((ok) => setTimeout(ok, 5000))])
    }
  },

  crashStart () {
    void (async () => {
      const store = await IndexedDbLedgerStore.open(CRASH_DB)
      await runChain(store, (h) => { console.log(`applied ${h}`) }, 100_000, 60_000)
      await store.close()
    })().catch((err: unknown) => { console.error(`crash loop failed: ${String(err)}`) })
  },

  async crashCheck (lastAcked) {
    const store = await IndexedDbLedgerStore.open(CRASH_DB)
    try {
      return { ...await checkChain(store, lastAcked), created: store.created }
    } finally {
      await store.close()
    }
  },

  async crashExtend (blocks) {
    const store = await IndexedDbLedgerStore.open(CRASH_DB)
    try {
      return await runChain(store, () => undefined, blocks, 30_000)
    } finally {
      await store.close()
    }
  },
}

;(globalThis as { __storage?: StoragePageApi }).__storage = api
