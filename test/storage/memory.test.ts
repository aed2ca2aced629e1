// The conformance suite on MemoryLedgerStore. "Reopening" passes the same MemoryBacking to a
// new store, which is how the simulator restarts a node, so the persistence case runs too.
import { describe, it } from 'vitest'
import { MemoryBacking, MemoryLedgerStore } from '../../src/storage/index.ts'
import { conformanceCases } from './conformance.ts'

describe('MemoryLedgerStore conformance', () => {
  for (const c of conformanceCases) {
    it(c.name, async () => {
      const backing = new MemoryBacking()
      await c.run(async () => new MemoryLedgerStore(backing), {
        corrupt: async (table, key, value) => { backing.rawPut(table, key, value) },
      })
    })
  }
})
