// Crash safety of IndexedDbLedgerStore in Chromium: a page applies blocks in a tight loop; we
// SIGKILL the Chromium process group we launched (by its PID) at random moments, relaunch it on
// the same persistent profile and origin, and check in the page that every block is whole or
// absent, no acknowledged block was lost, and the chain continues.
//
// One thing is Chromium's, not ours: after two crashes in a row its LevelDB can fail a log
// checksum on opening, and Chromium then deletes the origin's IndexedDB and starts it empty (see
// docs/storage.md). The test tells that apart only by Chromium's own log line saying so; then the
// store must come back empty and say it created the database (never half a chain), and the
// durability check restarts from there. Most restarts must find the database kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { bundlePage, launchChromium, serveDirectory, type BundledPage, type ChromiumInstance, type StaticServer } from '../browser/harness.ts'
import type { StoragePageApi } from './page/api.ts'
import { seededRandom } from '../random.ts'
import { appendTornHeader, newestLog } from './leveldb-log.ts'

const PAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'page')
const KILLS = 5

let bundle: BundledPage | undefined
let server: StaticServer | undefined
let profile = ''
let logs = ''
let launches = 0
let chrome: ChromiumInstance | undefined

beforeAll(async () => {
  bundle = await bundlePage(PAGE_ROOT)
  server = await serveDirectory(bundle.dir) // one origin for every launch: IndexedDB is per origin
  profile = await mkdtemp(join(tmpdir(), 'betasco-crash-profile-'))
  logs = await mkdtemp(join(tmpdir(), 'betasco-crash-logs-'))
}, 120_000)

afterAll(async () => {
  await chrome?.close()
  await server?.close()
  await bundle?.cleanup()
  if (profile !== '') await rm(profile, { recursive: true, force: true })
  if (logs !== '') await rm(logs, { recursive: true, force: true })
}, 60_000)

type Api = { __storage: StoragePageApi }

/** Chromium's log of launch `n` (its own file, so a line is from that launch only). */
const logOf = (n: number): string => join(logs, `chromium-${n}.log`)

/** Chromium deleted the origin's IndexedDB on opening it, in its own words. */
async function chromiumDeletedDatabase (launch: number): Promise<boolean> {
  const log = await readFile(logOf(launch), 'utf8').catch(() => '')
  return log.includes('IndexedDB recovering from a corrupted (and deleted) database')
}

async function openPage (onApplied?: (h: number) => void, userDataDir = profile): Promise<Page> {
  launches++
  chrome = await launchChromium({ userDataDir, extraArgs: ['--enable-logging', `--log-file=${logOf(launches)}`] })
  const page = await chrome.newPage(server!.url, {
    onConsole: (msg) => {
      if (msg.type() === 'error') console.error(`[chromium page] ${msg.text()}`)
      const m = /^applied (\d+)$/.exec(msg.text())
      if (m !== null) onApplied?.(Number(m[1]))
    },
  })
  await page.waitForFunction(() => (globalThis as { __storage?: unknown }).__storage !== undefined, undefined, { timeout: 30_000 })
  return page
}

describe('IndexedDbLedgerStore crash safety in Chromium', () => {
  it(`keeps every block whole or absent across ${KILLS} SIGKILLs of Chromium mid-apply`, async () => {
    const seed = Number(process.env.BETASCO_SEED ?? Date.now() % 1_000_000)
    const random = seededRandom(seed)
    let lastAcked = -1
    let lastHeight = -1
    let kept = 0
    for (let kill = 0; kill <= KILLS; kill++) {
      let acked = -1
      let count = 0
      const page = await openPage((h) => { acked = Math.max(acked, h); count++ })
      const check = await page.evaluate(async (n) => await (globalThis as unknown as Api).__storage.crashCheck(n), lastAcked)
      if (kill > 0 && await chromiumDeletedDatabase(launches)) {
        console.warn(`[crash] seed ${seed}, after kill ${kill}: Chromium found its IndexedDB LevelDB corrupt and deleted it (blocks up to ${lastAcked} were acknowledged)`)
        expect(check.created, `seed ${seed}, after kill ${kill}: the store says it created the database Chromium deleted`).toBe(true)
        expect(check.height, `seed ${seed}, after kill ${kill}: nothing survives a deleted database`).toBe(-1)
        expect(check.errors.filter((e) => !e.endsWith('an applied block was lost')), `seed ${seed}, after kill ${kill}`).toEqual([])
        lastAcked = -1
      } else {
        expect(check.errors, `seed ${seed}, after kill ${kill}: ${check.errors.join('; ')}`).toEqual([])
        expect(check.created, `seed ${seed}, after kill ${kill}: the store created the database only at the first launch`).toBe(kill === 0)
        if (kill > 0) {
          expect(check.height, `seed ${seed}: the chain grew after restart ${kill}`).toBeGreaterThan(lastHeight)
          kept++
        }
      }
      lastHeight = check.height
      if (kill === KILLS) {
        const head = await page.evaluate(async () => await (globalThis as unknown as Api).__storage.crashExtend(2))
        expect(head).toBe(lastHeight + 2)
        const final = await page.evaluate(async (n) => await (globalThis as unknown as Api).__storage.crashCheck(n), head)
        expect(final).toEqual({ height: head, errors: [], created: false })
        expect(kept, `seed ${seed}: restarts that found the database kept`).toBeGreaterThanOrEqual(KILLS - 2)
        await chrome!.close()
        chrome = undefined
        break
      }
      await page.evaluate(() => { (globalThis as unknown as Api).__storage.crashStart() })
      const want = 1 + Math.floor(random() * 12)
      const deadline = Date.now() + 30_000
      while (count < want && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 2))
      expect(count, `seed ${seed}: the page applied blocks before kill ${kill + 1}`).toBeGreaterThanOrEqual(want)
      await new Promise((ok) => setTimeout(ok, Math.floor(random() * 25)))
      await chrome!.kill()
      chrome = undefined
      lastAcked = Math.max(lastAcked, acked)
    }
  }, 150_000)

  it('shows how Chromium loses an origin\'s IndexedDB: a log record torn by one crash, a clean session, then the next open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'betasco-torn-profile-'))
    try {
      let acked = -1
      let page = await openPage((h) => { acked = Math.max(acked, h) }, dir)
      await page.evaluate(() => { (globalThis as unknown as Api).__storage.crashStart() })
      const deadline = Date.now() + 30_000
      while (acked < 2 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 5))
      await chrome!.kill()
      chrome = undefined
      expect(acked, 'blocks applied before the kill').toBeGreaterThanOrEqual(2)

      // What a SIGKILL between LevelDB's two writes of one log record (header, then payload) leaves.
      const log = await newestLevelDbLog(join(dir, 'Default', 'IndexedDB'))
      await appendTornHeader(log)

      // The next open reads the torn record as the end of the log, so nothing is lost, and
      // LevelDB reuses the log: new records go after the torn header.
      page = await openPage(undefined, dir)
      const reopened = await page.evaluate(async (n) => await (globalThis as unknown as Api).__storage.crashCheck(n), acked)
      expect(reopened.errors).toEqual([])
      expect(reopened.created).toBe(false)
      expect(await chromiumDeletedDatabase(launches)).toBe(false)
      const head = await page.evaluate(async () => await (globalThis as unknown as Api).__storage.crashExtend(3))
      expect(head).toBe(reopened.height + 3)
      await chrome!.close() // a clean shutdown this time
      chrome = undefined

      // The open after that finds a whole record's length behind the torn header, fails its
      // checksum, and Chromium deletes the origin's IndexedDB: the store comes back empty and says so.
      page = await openPage(undefined, dir)
      const after = await page.evaluate(async () => await (globalThis as unknown as Api).__storage.crashCheck(-1))
      expect(await chromiumDeletedDatabase(launches), 'Chromium logs that it deleted the database').toBe(true)
      expect(after).toEqual({ height: -1, errors: [], created: true })
      await chrome!.close()
      chrome = undefined
    } finally {
      await chrome?.close()
      chrome = undefined
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

/** The newest write-ahead log of the one origin's LevelDB under a profile's IndexedDB directory. */
async function newestLevelDbLog (root: string): Promise<string> {
  const origins = (await readdir(root)).filter((d) => d.endsWith('.indexeddb.leveldb'))
  expect(origins, `one origin's LevelDB under ${root}`).toHaveLength(1)
  return await newestLog(join(root, origins[0]!))
}
