// Full nodes in browser tabs (issue 8): three Node peers on loopback (one a circuit relay) and
// tabs of Debian's Chromium running the built web app. Tabs enroll, are admitted, talk to each
// other over WebRTC, host a k = 3 shard with a Node peer, serve it after one tab closes, and a
// reloaded tab resumes its identity and its shard from IndexedDB.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { launchChromium, type ChromiumInstance } from '../browser/harness.ts'
import { identityToJson, issueIdentity } from '../../src/crypto/index.ts'
import { closestPeers } from '../../src/network/distance.ts'
import { buildWebApp, REPO, startWebTestHost, TAB_FLAGS, type WebTestHost } from './host.ts'


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
/** The other member tab of the shard, and a tab that calls it (chosen at deploy). */
let M = 'C'
let K = 'B'
/** The counter's value after tab A closed. */
let closedCount = 0

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

async function stateIn (page: Page): Promise<string | undefined> {
  return await page.evaluate((c) => (globalThis as any).__betasco.tab.node.contractState(c), contract)
}

async function call (page: Page, method: string, arg: unknown, timeoutMs = 30_000): Promise<{ status: string, result: unknown, matching: number }> {
  return await page.evaluate(async ({ contract, method, arg, timeoutMs }) => {
    const r = await (globalThis as any).__betasco.tab.call(contract, method, arg, timeoutMs)
    return { status: r.receipt.status, result: r.receipt.result, matching: r.matching }
  }, { contract, method, arg, timeoutMs })
}

const SCREENSHOTS = join(REPO, 'docs', 'screenshots')

async function shoot (page: Page, view: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `web-${view}.png`), fullPage: false, timeout: 20_000 })
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
    await waitFor(async () => (await status(tabs.A!)).admitted.filter(id => nodeIds.includes(id)).length === 3, 20_000, 'tab A to admit the 3 Node peers')
    for (const p of host!.peers) expect(p.admission.isAdmitted(a.peerId)).toBe(true)
    const toNodes = (await connections(tabs.A!)).filter(c => nodeIds.includes(c.peerId))
    expect(toNodes.length).toBeGreaterThanOrEqual(3)
    for (const c of toNodes) expect(c.transport).toBe('websockets')
  })

  it('tabs reach each other over WebRTC (signalled through the relay) and admit each other', async () => {
    for (const [x, y] of [['A', 'B'], ['A', 'C'], ['B', 'C']] as const) {
      const rtcTo = async (): Promise<boolean> => (await connections(tabs[x]!)).some(c => c.peerId === ids[y] && c.transport === 'webrtc' && c.admitted)
      await waitFor(rtcTo, 30_000, `a WebRTC connection from tab ${x} to tab ${y}`)
      const rtcFrom = async (): Promise<boolean> => (await connections(tabs[y]!)).some(c => c.peerId === ids[x] && c.transport === 'webrtc' && /\/webrtc\//.test(c.addr))
      try {
        await waitFor(rtcFrom, 30_000, `tab ${y} to see its WebRTC connection from tab ${x}`)
      } catch (err) {
        console.log('DEBUG', x, JSON.stringify((await connections(tabs[x]!)).filter(c => c.peerId === ids[y])), y, JSON.stringify((await connections(tabs[y]!)).filter(c => c.peerId === ids[x])))
        throw err
      }
    }
    for (const name of ['A', 'B', 'C']) await waitFor(async () => (await status(tabs[name]!)).admitted.length === 5, 20_000, `tab ${name} to admit all 5 other peers`)
  })

  it('a contract deployed from tab A with k = 3 gets tabs among its members', async () => {
    const nodeIds = host!.peers.map(p => p.peerId)
    const everyone = [...nodeIds, ids.B!, ids.C!]
    await waitFor(async () => { const a = (await status(tabs.A!)).admitted; return everyone.every(p => a.includes(p)) }, 20_000, 'tab A to know every peer')
    // Closest sets under XOR are few (the key space is a tree), so try placements in order:
    // A and one other tab with a Node peer (the third tab only calls). Never three tabs alone:
    // formation keeps a durable Node peer in every shard while there is one (selectMembers).
    const placements = [
      { want: [ids.A!, ids.C!], avoid: [ids.B!], member: 'C', caller: 'B' },
      { want: [ids.A!, ids.B!], avoid: [ids.C!], member: 'B', caller: 'C' },
    ]
    const result = await tabs.A!.evaluate(async ({ code, placements }) => {
      const tab = (globalThis as any).__betasco.tab
      for (const [i, p] of placements.entries()) {
        const nonce = tab.nonceFor(code, 3, p.want, p.avoid, 3_000)
        if (nonce === undefined) continue
        const r = await tab.deploy(code, { shardSize: 3, consensus: 'raft', nonce }, 30_000)
        return { placement: i, contract: r.contract, status: r.receipt.status, error: r.receipt.error, members: tab.node.shardStatus(r.contract)?.config.members.map((m: { peerId: string }) => m.peerId) as string[] }
      }
      throw new Error(`no nonce places the shard on two tabs; admitted peers: ${[...tab.node.peers().keys()].join(', ')}`)
    }, { code: counterCode, placements })
    const placement = placements[result.placement]!
    M = placement.member
    K = placement.caller
    contract = result.contract
    expect(result.error ?? null).toBeNull()
    expect(result.status).toBe('committed')
    expect(result.members).toHaveLength(3)
    expect(result.members).toContain(ids.A)
    expect(result.members).toContain(ids[M])
    expect(result.members.filter(m => [ids.A, ids.B, ids.C].includes(m)).length).toBe(2)
    expect(result.members.filter(m => nodeIds.includes(m))).toHaveLength(1)
    // and a shard wanted on the three tabs alone is not formed that way
    const alone = await tabs.A!.evaluate(({ code, want }) => (globalThis as any).__betasco.tab.nonceFor(code, 3, want, [], 2_000) ?? null, { code: counterCode, want: [ids.A!, ids.B!, ids.C!] })
    expect(alone).toBeNull()
    await waitFor(async () => (await status(tabs[M]!)).hosted.includes(contract), 10_000, `tab ${M} to host the shard`)
    if (placement.avoid.length > 0) expect((await status(tabs[K]!)).hosted).not.toContain(contract)
    // the two member tabs exchange the shard's consensus messages over their WebRTC connection
    const shardStreams = async (): Promise<string[]> => [...await connections(tabs.A!), ...await connections(tabs[M]!)]
      .filter(c => (c.peerId === ids.A || c.peerId === ids[M]) && c.transport === 'webrtc').flatMap(c => c.protocols)
    await waitFor(async () => (await shardStreams()).some(p => p.endsWith('/shard/1.0.0')), 10_000, `a shard stream on the WebRTC connection of tabs A and ${M}`)
  })

  it('another tab calls it through its own node and sees the result', async () => {
    const r = await call(tabs[K]!, 'call', null)
    expect(r).toMatchObject({ status: 'committed', result: 1 })
    const r2 = await call(tabs[K]!, 'add', 10)
    expect(r2).toMatchObject({ status: 'committed', result: 11 })
    await waitFor(async () => await stateIn(tabs[M]!) === JSON.stringify({ count: 11 }), 10_000, `tab ${M}'s state to reach count 11`)
  })

  it('the views work in tab A: deploy and call through the forms, each view rendered (screenshots in docs/screenshots)', async () => {
    const page = tabs.A!
    await page.setViewportSize({ width: 1280, height: 1000 })
    // deploy through the form (CodeMirror holds the example Counter)
    await page.evaluate(() => { location.hash = '#deploy' })
    await page.locator('#deploy-editor .cm-content').waitFor({ timeout: 10_000 })
    await page.click('#deploy-button')
    await page.locator('#deployed-contract').waitFor({ timeout: 30_000 })
    expect(await page.locator('#deploy-outcome').innerText()).toContain('Deployed.')
    await shoot(page, 'deploy')
    // the call form has the new contract selected
    await page.evaluate(() => { location.hash = '#call' })
    await page.fill('#call-method', 'add')
    await page.fill('#call-arg', '41')
    await page.click('#call-button')
    await page.locator('#call-result').waitFor({ timeout: 30_000 })
    expect(await page.locator('#call-result').innerText()).toContain('→ 41')
    await page.fill('#call-method', 'call')
    await page.fill('#call-arg', 'null')
    for (let i = 0; i < 2; i++) { await page.click('#call-button'); await page.waitForFunction((n) => document.querySelectorAll('.history li').length >= n, i + 2, { timeout: 30_000 }) }
    expect(await page.locator('#call-result').innerText()).toContain('→ 43')
    await shoot(page, 'call')
    // load on the first contract (its shard includes this tab) for the figures
    await page.fill('#call-contract-id', contract)
    await page.fill('#load-rate', '10')
    await page.click('#load-button')
    await page.waitForTimeout(2_500)
    await page.click('#load-button')
    await waitFor(async () => await page.evaluate(() => (globalThis as any).__betasco.ui.call.pending === 0), 30_000, 'the load\'s calls to be answered')
    await page.fill('#call-contract-id', '')
    await waitFor(async () => await page.evaluate(() => (globalThis as any).__betasco.ui.model.samples.slice(-8).some((x: { tps: number }) => x.tps > 1)), 10_000, 'the load to show in the TPS figures')
    for (const view of ['network', 'contracts', 'ledger', 'figures'] as const) {
      await page.evaluate((v) => { location.hash = `#${v}` }, view)
      await page.locator(`#view-${view}:not([hidden])`).waitFor({ timeout: 5_000 })
      // a view renders when shown; the charts load their library on first show
      if (view === 'figures') await page.locator('#chart-tps .uplot').waitFor({ timeout: 10_000 })
      await shoot(page, view)
    }
    expect(await page.locator('#view-network svg.keyspace .contract').count()).toBeGreaterThanOrEqual(2)
    expect(await page.locator('#view-contracts .contract-card').count()).toBeGreaterThanOrEqual(2)
    expect(await page.locator('#view-ledger tbody tr').count()).toBeGreaterThan(3)
    expect(await page.locator('#chart-tps .uplot').count()).toBe(1)
  }, 90_000)

  it('tab A closes and the shard keeps serving (the view draws the closed member as gone)', async () => {
    await tabs[M]!.setViewportSize({ width: 1280, height: 1000 })
    await tabs[M]!.evaluate(() => { location.hash = '#network' })
    await tabs.A!.close() // waits until the tab is gone
    delete tabs.A
    // the other member tab draws A hollow with dashed lines until the shard re-configures
    // without it (its leader replaces a member gone for 15 s); either is the view being right
    const drawnGoneOrHealed = async (): Promise<boolean> => await tabs[M]!.locator('#view-network .member.gone').count() > 0 ||
      !(await tabs[M]!.evaluate((c) => (globalThis as any).__betasco.tab.node.shardStatus(c)?.config.members.map((m: { peerId: string }) => m.peerId) ?? [], contract) as string[]).includes(ids.A!)
    await waitFor(drawnGoneOrHealed, 20_000, `tab ${M} to draw tab A as a gone member`)
    await shoot(tabs[M]!, 'network-after-churn')
    const before = JSON.parse(await stateIn(tabs[M]!) ?? '{}') as { count: number }
    const r = await call(tabs[K]!, 'call', null, 45_000)
    expect(r).toMatchObject({ status: 'committed' })
    expect(r.result).toBeGreaterThan(before.count)
    closedCount = r.result as number
  }, 60_000)

  it('a reloaded tab resumes its identity and its shard from IndexedDB, and the shard serves again', async () => {
    // the member has applied every block so far (the last receipt may have come from another member)
    await waitFor(async () => await stateIn(tabs[M]!) === JSON.stringify({ count: closedCount }), 15_000, `tab ${M} to apply the block of count ${closedCount}`)
    const before = await status(tabs[M]!)
    await tabs[M]!.reload({ waitUntil: 'load', timeout: 30_000 })
    await waitBooted(tabs[M]!, M)
    const after = await status(tabs[M]!)
    expect(after.peerId).toBe(before.peerId)
    expect(after.resumed).toBe(true)
    // reopened from the IndexedDB ledger at start, before any peer told it anything
    expect(after.hosted).toContain(contract)
    expect(await stateIn(tabs[M]!)).toBe(JSON.stringify({ count: closedCount }))
    // the shard commits again and the resumed tab applies the new block from where it left off
    const r = await call(tabs[K]!, 'call', null, 45_000)
    expect(r).toMatchObject({ status: 'committed', result: closedCount + 1 })
    await waitFor(async () => await stateIn(tabs[M]!) === JSON.stringify({ count: closedCount + 1 }), 15_000, `tab ${M}'s state to catch up`)
  }, 90_000)

  it('a new tab joins and becomes a member of the live shard (re-configuration), catching up its state', async () => {
    const members = async (): Promise<string[]> => await tabs[M]!.evaluate((c) => (globalThis as any).__betasco.tab.node.shardStatus(c)?.config.members.map((m: { peerId: string }) => m.peerId) ?? [], contract)
    const now = await members()
    expect(now.length).toBeGreaterThan(0)
    // An identity whose peer ID ranks among the k closest of the live peers: the shard's leader
    // must take it in (re-configuring one member at a time) once it is connected.
    const live = [...host!.peers.map(p => p.peerId), ...Object.keys(tabs).map(t => ids[t]!)]
    const ca = host!.material.cas.find(c => c.org === 'org2')!
    let node: Awaited<ReturnType<typeof issueIdentity>> | undefined
    for (let i = 0; i < 400; i++) {
      const candidate = await issueIdentity(host!.material.genesis, ca, 'node', `org2-tab-D${i}`, { validityDays: 1, nowMs: Date.now() })
      if (closestPeers(contract, [...live, candidate.peerId!], 2).includes(candidate.peerId!)) { node = candidate; break }
    }
    if (node === undefined) throw new Error('no identity among the 2 closest to the contract in 400 tries')
    const user = await issueIdentity(host!.material.genesis, ca, 'user', 'org2-tab-D-user', { validityDays: 1, nowMs: Date.now() })
    // Import it through the app's import form, the way a user brings identity files.
    const page = await browser!.newPage(`${host!.url}?tab=D&import`)
    tabs.D = page
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.locator('#import-form').waitFor({ timeout: 30_000 })
    await page.fill('#import-node', '{"not": "an identity"}')
    await page.fill('#import-user', JSON.stringify(identityToJson(user)))
    await page.click('#import-button')
    await waitFor(async () => (await page.locator('#import-error').innerText().catch(() => '')).length > 0, 10_000, 'the import form to refuse a bad identity')
    await page.fill('#import-node', JSON.stringify(identityToJson(node)))
    await page.fill('#import-user', JSON.stringify(identityToJson(user)))
    await shoot(page, 'import')
    await page.click('#import-button')
    await waitBooted(page, 'D')
    const d = await status(page)
    expect(d.peerId).toBe(node.peerId)
    expect(d.resumed).toBe(false)
    await waitFor(async () => (await members()).includes(node.peerId!), 45_000, 'the shard to add tab D to its members')
    await waitFor(async () => (await status(page)).hosted.includes(contract), 20_000, 'tab D to host the shard')
    const r = await call(tabs[K]!, 'call', null, 45_000)
    expect(r.status).toBe('committed')
    await waitFor(async () => await stateIn(page) === JSON.stringify({ count: r.result }), 45_000, `tab D's state to catch up to count ${String(r.result)}`)
  }, 110_000)
})
