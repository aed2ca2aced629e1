// Crash safety of IndexedDbLedgerStore in Chromium: a page applies blocks in a tight loop; we
// SIGKILL the Chromium process we launched (by its PID) at random moments, relaunch it on the
// same persistent profile and origin, and check in the page that every block is whole or absent,
// no acknowledged block was lost, and the chain continues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { bundlePage, launchChromium, serveDirectory, type BundledPage, type ChromiumInstance, type StaticServer } from '../browser/harness.ts'
import type { StoragePageApi } from './page/api.ts'
import { seededRandom } from '../random.ts'

const PAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'page')
const KILLS = 5

let bundle: BundledPage | undefined
let server: StaticServer | undefined
let profile = ''
let chrome: ChromiumInstance | undefined

beforeAll(async () => {
  bundle = await bundlePage(PAGE_ROOT)
  server = await serveDirectory(bundle.dir) // one origin for every launch: IndexedDB is per origin
  profile = await mkdtemp(join(tmpdir(), 'betasco-crash-profile-'))
}, 120_000)

afterAll(async () => {
  await chrome?.close()
  await server?.close()
  await bundle?.cleanup()
  if (profile !== '') await rm(profile, { recursive: true, force: true })
}, 60_000)

type Api = { __storage: StoragePageApi }

async function openPage (onApplied?: (h: number) => void): Promise<Page> {
  chrome = await launchChromium({ userDataDir: profile })
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
    for (let kill = 0; kill <= KILLS; kill++) {
      let acked = -1
      let count = 0
      const page = await openPage((h) => { acked = Math.max(acked, h); count++ })
      const check = await page.evaluate(async (n) => await (globalThis as unknown as Api).__storage.crashCheck(n), lastAcked)
      expect(check.errors, `seed ${seed}, after kill ${kill}: ${check.errors.join('; ')}`).toEqual([])
      if (kill > 0) expect(check.height, `seed ${seed}: the chain grew after restart ${kill}`).toBeGreaterThan(lastHeight)
      lastHeight = check.height
      if (kill === KILLS) {
        const head = await page.evaluate(async () => await (globalThis as unknown as Api).__storage.crashExtend(2))
        expect(head).toBe(lastHeight + 2)
        const final = await page.evaluate(async (n) => await (globalThis as unknown as Api).__storage.crashCheck(n), head)
        expect(final).toEqual({ height: head, errors: [] })
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
})
