// Crash safety of LevelLedgerStore: a child process applies blocks (with state writes and
// receipts) in a tight loop; we SIGKILL it at random moments, reopen the store, and find every
// block either whole or absent, no acknowledged block lost, and the chain able to continue.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LevelLedgerStore } from '../../src/storage/level.ts'
import { checkChain, CRASH_SHARD, runChain } from './crash-check.ts'
import { appendTornHeader, newestLog } from './leveldb-log.ts'
import { extendChain } from './fixtures.ts'
import { seededRandom } from '../random.ts'

const here = dirname(fileURLToPath(import.meta.url))
const CHILD = join(here, 'crash-child.ts')
// The child needs Node 24 (type stripping); under `npx vitest` process.execPath already is.
const NODE = Number(process.versions.node.split('.')[0]) >= 24 ? process.execPath : resolve(here, '../../node_modules/.bin/node')
const KILLS = 5

const dirs: string[] = []
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

interface Round { acked: number, killedAfterMs: number }

/** Runs the child until it has acknowledged `blocks` more blocks, waits `delayMs`, SIGKILLs it. */
async function runAndKill (dir: string, sync: boolean, blocks: number, delayMs: number): Promise<Round> {
  const child = spawn(NODE, [CHILD, dir, sync ? 'sync' : 'nosync'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let acked = -1
  let count = 0
  let stderr = ''
  let buffer = ''
  const started = Date.now()
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((ok) => { child.once('exit', (code, signal) => { ok({ code, signal }) }) })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => { fail(new Error(`child made no progress in 30 s (acked ${acked}); stderr: ${stderr}`)) }, 30_000)
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        const m = /^applied (\d+)$/.exec(line)
        if (m !== null) { acked = Number(m[1]); count++ }
      }
      if (count >= blocks) { clearTimeout(timer); ok() }
    })
    void exited.then(({ code }) => { clearTimeout(timer); fail(new Error(`child exited early with code ${code}; stderr: ${stderr}`)) })
  })
  await new Promise((ok) => setTimeout(ok, delayMs))
  child.kill('SIGKILL') // our own child, by its PID
  const { signal } = await exited
  expect(signal, 'the child died by SIGKILL, mid-loop').toBe('SIGKILL')
  // Lines that arrived before death still count as acknowledged.
  for (const line of (buffer + '\n').split('\n')) { const m = /^applied (\d+)$/.exec(line); if (m !== null) acked = Number(m[1]) }
  return { acked, killedAfterMs: Date.now() - started }
}

describe('LevelLedgerStore crash safety', () => {
  for (const sync of [true, false]) {
    it(`keeps every block whole or absent across ${KILLS} SIGKILLs mid-apply (sync ${sync})`, async () => {
      const seed = Number(process.env.BETASCO_SEED ?? Date.now() % 1_000_000)
      const random = seededRandom(seed)
      const dir = await mkdtemp(join(tmpdir(), 'betasco-crash-'))
      dirs.push(dir)
      let lastAcked = -1
      let lastHeight = -1
      for (let kill = 0; kill < KILLS; kill++) {
        const round = await runAndKill(dir, sync, 1 + Math.floor(random() * 12), Math.floor(random() * 25))
        lastAcked = Math.max(lastAcked, round.acked)
        const store = await LevelLedgerStore.open(dir)
        const check = await checkChain(store, lastAcked)
        await store.close()
        expect(check.errors, `seed ${seed}, kill ${kill + 1}: ${check.errors.join('; ')}`).toEqual([])
        expect(check.height, `seed ${seed}: the chain grew after restart ${kill}`).toBeGreaterThan(lastHeight)
        lastHeight = check.height
      }
      // After the last crash the chain continues in this process too.
      const store = await LevelLedgerStore.open(dir)
      await extendChain(store, CRASH_SHARD, lastHeight + 2, { blobBytes: 32 * 1024 })
      const final = await checkChain(store, lastHeight + 2)
      await store.close()
      expect(final.errors).toEqual([])
      expect(final.height).toBe(lastHeight + 2)
    }, 120_000)
  }

  it('keeps everything across the torn log record that makes Chromium delete its IndexedDB', async () => {
    // docs/storage.md: a crash between the two writes of a log record, a clean session after it,
    // then an open. Chromium's LevelDB reuses the log and later fails its checksum; classic-level
    // does not reuse logs, so the torn tail goes away with the old log at the next open.
    const dir = await mkdtemp(join(tmpdir(), 'betasco-torn-'))
    dirs.push(dir)
    const round = await runAndKill(dir, true, 3, 0)
    await appendTornHeader(await newestLog(dir))
    let store = await LevelLedgerStore.open(dir)
    const reopened = await checkChain(store, round.acked)
    expect(reopened.errors).toEqual([])
    await runChain(store, () => undefined, 3, 30_000)
    await store.close() // a clean session
    store = await LevelLedgerStore.open(dir)
    const final = await checkChain(store, reopened.height + 3)
    await store.close()
    expect(final).toEqual({ height: reopened.height + 3, errors: [] })
  }, 60_000)
})
