// Identity slots of tabs in one browser profile (web/identity.ts): tabs opened without ?tab take
// distinct slots (Web Locks), a reload keeps the tab's slot (sessionStorage) and identity
// (localStorage), and a tab opened after one closed takes over the free slot and its identity.
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
