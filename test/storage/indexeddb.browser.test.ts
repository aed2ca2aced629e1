// The LedgerStore conformance suite on IndexedDbLedgerStore inside real Chromium: the page is
// bundled with Vite, served on 127.0.0.1 and driven through playwright-core; one vitest test
// per case reports the case's outcome in the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { startBrowserHarness, type BrowserHarness } from '../browser/harness.ts'
import { conformanceCases } from './conformance.ts'
import type { StoragePageApi } from './page/api.ts'

const PAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'page')

let harness: BrowserHarness | undefined
let page: Page

beforeAll(async () => {
  harness = await startBrowserHarness(PAGE_ROOT)
  page = await harness.openTab()
  await page.waitForFunction(() => (globalThis as { __storage?: unknown }).__storage !== undefined, undefined, { timeout: 30_000 })
}, 120_000)

afterAll(async () => { await harness?.close() }, 60_000)

describe('IndexedDbLedgerStore conformance in Chromium', () => {
  it('bundles every conformance case into the page', async () => {
    const names = await page.evaluate(() => (globalThis as unknown as { __storage: StoragePageApi }).__storage.cases)
    expect(names).toEqual(conformanceCases.map((c) => c.name))
  })

  for (const c of conformanceCases) {
    it(c.name, async () => {
      const result = await page.evaluate(async (name) => await (globalThis as unknown as { __storage: StoragePageApi }).__storage.runCase(name), c.name)
      if (!result.ok) throw new Error(`in Chromium: ${result.error ?? 'unknown failure'}`)
    })
  }

  it('shares one IndexedDB ledger between two tabs of the same origin', async () => {
    const second = await harness!.openTab()
    try {
      await second.waitForFunction(() => (globalThis as { __storage?: unknown }).__storage !== undefined)
      const head = await page.evaluate(async () => await (globalThis as unknown as { __storage: StoragePageApi }).__storage.crashExtend(3))
      expect(head).toBe(2)
      const seen = await second.evaluate(async () => await (globalThis as unknown as { __storage: StoragePageApi }).__storage.crashCheck(2))
      expect(seen).toEqual({ height: 2, errors: [], created: false })
    } finally {
      await second.close()
    }
  })
})
