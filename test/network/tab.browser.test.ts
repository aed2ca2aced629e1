// A peer in a real Chromium tab, built by the same factory as Node peers with a tab's options:
// it dials a Node relay over WebSockets, is admitted by certificate, becomes reachable over
// WebRTC through its relay reservation, and the locator routes to and from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { multiaddr } from '@multiformats/multiaddr'
import { startBrowserHarness } from '../browser/harness.ts'
import type { BrowserHarness } from '../browser/harness.ts'
import { toHex } from '../../src/core/bytes.ts'
import { genesisToJson } from '../../src/crypto/genesis.ts'
import { identityToJson } from '../../src/crypto/identity.ts'
import type { NetworkMaterial } from '../../src/crypto/identity.ts'
import { sortByDistance } from '../../src/network/distance.ts'
import type { NetworkPeer } from '../../src/network/peer.ts'
import { makeConsortium, nodeIdentities, startPeer, stopAll, wsAddr } from './fixtures.ts'
import type { NetPageApi } from './page/api.ts'

const PAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'page')
type Net = { __net: NetPageApi }

let harness: BrowserHarness | undefined
let page: Page
let m: NetworkMaterial
const peers: NetworkPeer[] = []
let tabPeerId = ''

beforeAll(async () => {
  m = await makeConsortium(1)
  const [r, n, t] = nodeIdentities(m)
  const relay = await startPeer(m.genesis, r!, { relayServer: true })
  const node = await startPeer(m.genesis, n!, { webrtc: true, iceServers: [] })
  peers.push(relay, node)
  await node.connect(wsAddr(relay))
  harness = await startBrowserHarness(PAGE_ROOT, { extraArgs: ['--disable-features=WebRtcHideLocalIpsWithMdns'] })
  page = await harness.openTab()
  await page.waitForFunction(() => (globalThis as { __net?: unknown }).__net !== undefined, undefined, { timeout: 30_000 })
  const started = await page.evaluate(async ([g, id, addr]) => await (globalThis as unknown as Net).__net.start(g, id, addr), [genesisToJson(m.genesis), identityToJson(t!), wsAddr(relay)] as const)
  tabPeerId = started.peerId
}, 120_000)

afterAll(async () => {
  await page?.evaluate(async () => await (globalThis as unknown as Net).__net.stop()).catch(() => {})
  await harness?.close()
  await stopAll(peers)
}, 60_000)

function contractClosestTo (target: string, among: string[]): string {
  for (let i = 0; i < 2000; i++) {
    const x = toHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))
    if (sortByDistance(x, among)[0] === target) return x
  }
  throw new Error('no such contract found')
}

describe('a network peer in a Chromium tab', () => {
  it('is admitted by the relay over WebSockets with its node certificate, both ways', async () => {
    const [relay] = peers
    await relay!.admission.waitFor(tabPeerId)
    expect(relay!.admission.identityOf(tabPeerId)?.name).toBe(nodeIdentities(m)[2]!.name)
    expect(await page.evaluate(() => (globalThis as unknown as Net).__net.admitted())).toContain(relay!.peerId)
  })

  it('routes from the tab to a member on a Node peer', async () => {
    const [relay, node] = peers
    const contract = contractClosestTo(node!.peerId, [relay!.peerId, node!.peerId, tabPeerId])
    node!.locator.membership.record(contract, [{ peerId: node!.peerId, org: node!.admission.ownOrg, addrs: [] }])
    node!.locator.handle(async d => new TextEncoder().encode(`node:${d.hops}`))
    const res = await page.evaluate(async (c) => await (globalThis as unknown as Net).__net.route(c), contract)
    expect(res.deliveredBy).toBe(node!.peerId)
    expect(res.path[0]).toBe(tabPeerId)
    expect(res.response).toBe(`node:${res.hops}`)
  })

  it('is dialled by a Node peer over WebRTC through the relay, and the locator routes to it over that link', async () => {
    const [relay, node] = peers
    const addr = await page.evaluate(async () => await (globalThis as unknown as Net).__net.webrtcAddr())
    // force: the Node peer may already reach the tab over a limited relayed connection
    // A WebRTC dial can time out in its signalling stage on a loaded machine; the claim is that
    // the link gets established, so up to three attempts are allowed (each bounded).
    for (let attempt = 1; ; attempt++) {
      try {
        await node!.node.dial(multiaddr(addr), { force: true, signal: AbortSignal.timeout(20_000) })
        break
      } catch (err) {
        if (attempt >= 3) throw err
      }
    }
    const direct = node!.node.getConnections().filter(c => c.remotePeer.toString() === tabPeerId && c.limits === undefined)
    expect(direct.some(c => c.remoteAddr.toString().includes('/webrtc'))).toBe(true)
    const contract = contractClosestTo(tabPeerId, [relay!.peerId, node!.peerId, tabPeerId])
    await page.evaluate((c) => { (globalThis as unknown as Net).__net.becomeMember(c) }, contract)
    const res = await node!.locator.route(contract, new Uint8Array(8))
    expect(res.deliveredBy).toBe(tabPeerId)
    expect(res.path).toEqual([node!.peerId, tabPeerId])
    expect(new TextDecoder().decode(res.response)).toBe('tab:1')
  })
})
