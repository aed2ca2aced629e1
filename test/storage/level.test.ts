// The conformance suite on LevelLedgerStore, each case in a fresh LevelDB directory.
import { afterAll, describe, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { LevelLedgerStore, levelKey } from '../../src/storage/level.ts'
import { conformanceCases } from './conformance.ts'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('LevelLedgerStore conformance', () => {
  for (const c of conformanceCases) {
    it(c.name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'betasco-level-'))
      dirs.push(dir)
      await c.run(async () => await LevelLedgerStore.open(dir, { sync: false }), {
        corrupt: async (table, key, value) => {
          const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
          await db.open()
          await db.put(levelKey(table, key), value)
          await db.close()
        },
      })
    })
  }
})
