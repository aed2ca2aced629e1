// Identity slots of tabs in one browser profile (web/identity.ts): tabs opened without ?tab take
// distinct slots (Web Locks), a reload keeps the tab's slot (sessionStorage) and identity
// (localStorage), and a tab opened after one closed takes over the free slot and its identity;
// a tab whose ledger the browser deleted enrolls as a new peer instead of resuming an empty one.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { launchChromium, type ChromiumInstance } from '../browser/harness.ts'
import { buildWebApp, startWebTestHost, TAB_FLAGS, type WebTestHost } from './host.ts'

let host: WebTestHost | undefined
let app: { dir: string, cleanup: () => Promise<void> } | undefined
let browser: ChromiumInstance | undefined

beforeAll(async () => {
  app = await buildWebApp()
  host = await startWebTestHost(app.dir)
  browser = await launchChromium({ extraArgs: TAB_FLAGS })
}, 100_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await app?.cleanup()
}, 60_000)

async function booted (page: Page): Promise<{ slot: string, peerId: string, resumed: boolean }> {
  await page.waitForFunction(() => (globalThis as { __betasco?: unknown, __betascoError?: unknown }).__betasco !== undefined || (globalThis as { __betascoError?: unknown }).__betascoError !== undefined, undefined, { timeout: 30_000 })
  const err = await page.evaluate(() => (globalThis as { __betascoError?: string }).__betascoError)
  if (err !== undefined) throw new Error(`tab did not start: ${err}`)
  return await page.evaluate(() => { const a = (globalThis as any).__betasco; return { slot: a.ids.slot, peerId: a.tab.peerId, resumed: a.ids.resumed } })
}

it('tabs without ?tab take distinct slots; a reload keeps its slot and identity; a new tab takes a freed slot', async () => {
  const first = await browser!.newPage(host!.url)
  const a = await booted(first)
  const second = await browser!.newPage(host!.url)
  const b = await booted(second)
  expect(a.slot).not.toBe(b.slot)
  expect(a.peerId).not.toBe(b.peerId)
  expect([a.resumed, b.resumed]).toEqual([false, false])

  await second.reload({ waitUntil: 'load' })
  const b2 = await booted(second)
  expect(b2).toEqual({ slot: b.slot, peerId: b.peerId, resumed: true })

  await first.close()
  const third = await browser!.newPage(host!.url)
  const c = await booted(third)
  expect(c).toEqual({ slot: a.slot, peerId: a.peerId, resumed: true })
  // every tab of this run was admitted by the relay under its own peer ID
  await expect.poll(() => host!.peers[0]!.admission.isAdmitted(c.peerId), { timeout: 15_000 }).toBe(true)
  expect(host!.peers[0]!.admission.isAdmitted(b.peerId)).toBe(true)
}, 110_000)

it('a tab whose ledger the browser deleted comes back as a new peer, and says so', async () => {
  const url = `${host!.url}?tab=wiped`
  const first = await browser!.newPage(url)
  const a = await booted(first)
  const ledger = await first.evaluate(() => (globalThis as any).__betasco.tab.store.name as string)
  expect(ledger).toContain(a.peerId)
  await first.close({ runBeforeUnload: true })

  // What Chromium does when it finds an origin's IndexedDB corrupt (test/storage/indexeddb.crash.test.ts
  // reproduces that): the database is deleted. Here we delete it from another page of the origin.
  const other = await browser!.newPage(`${host!.url}web/config.json`)
  await expect.poll(async () => await other.evaluate(async (name) => await new Promise<string>((ok) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => { ok('deleted') }
    req.onerror = () => { ok(`error ${String(req.error)}`) }
    req.onblocked = () => { ok('blocked') } // the closing tab still has it open: try again
  }), ledger), { timeout: 15_000 }).toBe('deleted')
  await other.close()

  const again = await browser!.newPage(url)
  const b = await booted(again)
  expect(b.slot).toBe('wiped')
  expect(b.peerId).not.toBe(a.peerId)
  expect(b.resumed).toBe(false)
  expect(await again.evaluate(() => (globalThis as any).__betasco.ledgerLostBy)).toBe(a.peerId)
  expect(await again.locator('#ledger-lost').textContent()).toContain('deleted this tab\'s ledger')
  // the empty database the failed start created under the old peer is gone too
  expect(await again.evaluate(async (name) => (await indexedDB.databases()).some((d) => d.name === name), ledger)).toBe(false)

  // a plain reload of the new peer resumes it, ledger and all
  await again.reload({ waitUntil: 'load' })
  const b2 = await booted(again)
  expect(b2).toEqual({ slot: 'wiped', peerId: b.peerId, resumed: true })
  expect(await again.evaluate(() => (globalThis as any).__betasco.ledgerLostBy)).toBeUndefined()
  await again.close()
}, 110_000)
