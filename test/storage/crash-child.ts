// Child process of the LevelDB crash test: applies blocks to the store in argv[2] in a tight
// loop and prints "applied <height>" after each one, until the parent SIGKILLs it (or a bound).
import { LevelLedgerStore } from '../../src/storage/level.ts'
import { runChain } from './crash-check.ts'

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: crash-child.ts <level-dir>')
const store = await LevelLedgerStore.open(dir, { sync: process.argv[3] !== 'nosync' })
process.stdout.write('ready\n')
await runChain(store, (h) => { process.stdout.write(`applied ${h}\n`) }, 100_000, 60_000)
await store.close()
