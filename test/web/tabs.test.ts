// Full nodes in browser tabs (issue 8): three Node peers on loopback (one a circuit relay) and
// tabs of Debian's Chromium running the built web app. Tabs enroll, are admitted, talk to each
// other over WebRTC, host a k = 3 shard with a Node peer, serve it after one tab closes, and a
// reloaded tab resumes its identity and its shard from IndexedDB.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { launchChromium, type ChromiumInstance } from '../browser/harness.ts'
import { buildWebApp, REPO, startWebTestHost, type WebTestHost } from './host.ts'

/** Background tabs must keep their timers (consensus ticks) and WebRTC must offer loopback-reachable host candidates. */
export const TAB_FLAGS = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows', '--disable-features=WebRtcHideLocalIpsWithMdns']

interface TabStatus { peerId: string, org: string, resumed: boolean, admitted: string[], hosted: string[] }
interface Conn { peerId: string, addr: string, transport: string, admitted: boolean, protocols: string[] }

let host: WebTestHost | undefined
let app: { dir: string, cleanup: () => Promise<void> } | undefined
let browser: ChromiumInstance | undefined
const tabs: Record<string, Page> = {}
const ids: Record<string, string> = {}
const logs: string[] = []
let counterCode = ''
let contract = ''

async function openTab (name: string, org: string): Promise<Page> {
  const page = await browser!.newPage(`${host!.url}?tab=${name}&org=${org}`, { onConsole: (m) => { if (m.type() === 'error') logs.push(`${name}: ${m.text()}`) } })
  await waitBooted(page, name)
  return page
}

async function waitBooted (page: Page, name: string): Promise<void> {
  await page.waitForFunction(() => (globalThis as { __betasco?: unknown, __betascoError?: unknown }).__betasco !== undefined || (globalThis as { __betascoError?: unknown }).__betascoError !== undefined, undefined, { timeout: 30_000 })
  const err = await page.evaluate(() => (globalThis as { __betascoError?: string }).__betascoError)
  if (err !== undefined) throw new Error(`tab ${name} did not start: ${err}`)
}

async function status (page: Page): Promise<TabStatus> {
  return await page.evaluate(() => {
    const a = (globalThis as any).__betasco
    return { peerId: a.tab.peerId, org: a.ids.node.org, resumed: a.ids.resumed, admitted: [...a.tab.node.peers().keys()], hosted: a.tab.node.hostedShards() }
  })
}

async function connections (page: Page): Promise<Conn[]> {
  return await page.evaluate(() => (globalThis as any).__betasco.tab.connections())
}

async function call (page: Page, method: string, arg: unknown, timeoutMs = 30_000): Promise<{ status: string, result: unknown, matching: number }> {
  return await page.evaluate(async ({ contract, method, arg, timeoutMs }) => {
    const r = await (globalThis as any).__betasco.tab.call(contract, method, arg, timeoutMs)
    return { status: r.receipt.status, result: r.receipt.result, matching: r.matching }
  }, { contract, method, arg, timeoutMs })
}

/** Polls `check` every 200 ms until it holds; fails naming `what` after `timeoutMs`. */
async function waitFor (check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(async () => {
  counterCode = await readFile(join(REPO, 'examples', 'contracts', 'Counter.js'), 'utf8')
  app = await buildWebApp()
  host = await startWebTestHost(app.dir)
  browser = await launchChromium({ extraArgs: TAB_FLAGS })
  for (const [name, org] of [['A', 'org1'], ['B', 'org2'], ['C', 'org3']] as const) {
    tabs[name] = await openTab(name, org)
    ids[name] = (await status(tabs[name])).peerId
  }
}, 100_000)

afterAll(async () => {
  if (logs.length > 0) console.log(`browser console errors:\n${logs.slice(0, 40).join('\n')}`)
  await browser?.close()
  await host?.close()
  await app?.cleanup()
}, 60_000)

describe('nodes in browser tabs (3 Node peers, 3 tabs)', () => {
  it('a tab enrolls, connects to the Node peers over WebSockets and is admitted both ways', async () => {
    const a = await status(tabs.A!)
    expect(a.resumed).toBe(false)
    expect(a.org).toBe('org1')
    const nodeIds = host!.peers.map(p => p.peerId)
    await expect.poll(async () => (await status(tabs.A!)).admitted.filter(id => nodeIds.includes(id)).length, { timeout: 20_000, interval: 250 }).toBe(3)
    for (const p of host!.peers) expect(p.admission.isAdmitted(a.peerId)).toBe(true)
    const toNodes = (await connections(tabs.A!)).filter(c => nodeIds.includes(c.peerId))
    expect(toNodes.length).toBeGreaterThanOrEqual(3)
    for (const c of toNodes) expect(c.transport).toBe('websockets')
  })

  it('tabs reach each other over WebRTC (signalled through the relay) and admit each other', async () => {
    for (const [x, y] of [['A', 'B'], ['A', 'C'], ['B', 'C']] as const) {
      const rtcTo = async (): Promise<boolean> => (await connections(tabs[x]!)).some(c => c.peerId === ids[y] && c.transport === 'webrtc' && c.admitted)
      await waitFor(rtcTo, 30_000, `a WebRTC connection from tab ${x} to tab ${y}`)
      const rtc = (await connections(tabs[y]!)).find(c => c.peerId === ids[x] && c.transport === 'webrtc')
      expect(rtc?.addr).toMatch(/\/webrtc\//)
    }
    for (const name of ['A', 'B', 'C']) await expect.poll(async () => (await status(tabs[name]!)).admitted.length, { timeout: 20_000, interval: 250 }).toBe(5)
  })

  it('a contract deployed from tab A with k = 3 gets tabs among its members', async () => {
    const nodeIds = host!.peers.map(p => p.peerId)
    const result = await tabs.A!.evaluate(async ({ code, want, avoid }) => {
      const tab = (globalThis as any).__betasco.tab
      const nonce = tab.nonceFor(code, 3, want, avoid)
      if (nonce === undefined) throw new Error('no nonce places the shard on the wanted members')
      const r = await tab.deploy(code, { shardSize: 3, consensus: 'raft', nonce }, 30_000)
      return { contract: r.contract, status: r.receipt.status, error: r.receipt.error, members: tab.node.shardStatus(r.contract)?.config.members.map((m: { peerId: string }) => m.peerId) as string[] }
    }, { code: counterCode, want: [ids.A!, ids.C!], avoid: [ids.B!] })
    contract = result.contract
    expect(result.error ?? null).toBeNull()
    expect(result.status).toBe('committed')
    expect(result.members).toHaveLength(3)
    expect(result.members).toContain(ids.A)
    expect(result.members).toContain(ids.C)
    expect(result.members.filter(m => nodeIds.includes(m))).toHaveLength(1)
    await expect.poll(async () => (await status(tabs.C!)).hosted, { timeout: 10_000, interval: 200 }).toContain(contract)
    expect((await status(tabs.B!)).hosted).not.toContain(contract)
    // the two member tabs exchange the shard's consensus messages over their WebRTC connection
    const shardStreams = async (): Promise<string[]> => [...await connections(tabs.A!), ...await connections(tabs.C!)]
      .filter(c => (c.peerId === ids.A || c.peerId === ids.C) && c.transport === 'webrtc').flatMap(c => c.protocols)
    await waitFor(async () => (await shardStreams()).some(p => p.endsWith('/shard/1.0.0')), 10_000, 'a shard stream on the WebRTC connection of tabs A and C')
  })

  it('tab B (not a member) calls it and sees the result', async () => {
    const r = await call(tabs.B!, 'call', null)
    expect(r).toMatchObject({ status: 'committed', result: 1 })
    const r2 = await call(tabs.B!, 'add', 10)
    expect(r2).toMatchObject({ status: 'committed', result: 11 })
    await expect.poll(async () => await tabs.C!.evaluate((c) => (globalThis as any).__betasco.tab.node.contractState(c), contract), { timeout: 10_000, interval: 200 }).toBe(JSON.stringify({ count: 11 }))
  })

  it('tab A closes and the shard keeps serving', async () => {
    await tabs.A!.close({ runBeforeUnload: true })
    delete tabs.A
    const r = await call(tabs.B!, 'call', null, 45_000)
    expect(r).toMatchObject({ status: 'committed', result: 12 })
  }, 60_000)

  it('a reloaded tab resumes its identity and its shard from IndexedDB, and the shard serves again', async () => {
    const before = await status(tabs.C!)
    await tabs.C!.reload({ waitUntil: 'load', timeout: 30_000 })
    await waitBooted(tabs.C!, 'C')
    const after = await status(tabs.C!)
    expect(after.peerId).toBe(before.peerId)
    expect(after.resumed).toBe(true)
    // reopened from the IndexedDB ledger at start, before any peer told it anything
    expect(after.hosted).toContain(contract)
    expect(await tabs.C!.evaluate((c) => (globalThis as any).__betasco.tab.node.contractState(c), contract)).toBe(JSON.stringify({ count: 12 }))
    // With A gone, the shard needs C back for a Raft majority: this commits only through the resumed tab.
    const r = await call(tabs.B!, 'call', null, 45_000)
    expect(r).toMatchObject({ status: 'committed', result: 13 })
    await expect.poll(async () => await tabs.C!.evaluate((c) => (globalThis as any).__betasco.tab.node.contractState(c), contract), { timeout: 15_000, interval: 200 }).toBe(JSON.stringify({ count: 13 }))
  }, 90_000)

  // Needs shard re-configuration when a peer joins (DESIGN §4): BetascoNode forms a shard's
  // membership once, at deploy, and has no join/re-configuration path yet. Not faked here.
  it.todo('a new tab joins and becomes a member of a live shard (waits for re-configuration in src/node)')
})
