// The host's web routes (node-host/web-routes.ts) over HTTP, without a browser: the app's
// files, its config, enrollment and the peer directory, and what they refuse.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { identityId, parseGenesis, parseIdentity, networkId, signEnvelope } from '../../src/crypto/index.ts'
import { contractIdFor, type TxBody } from '../../src/core/transaction.ts'
import { startWebTestHost, type WebTestHost } from './host.ts'

let host: WebTestHost | undefined
let root = ''

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'betasco-webroot-'))
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>')
  host = await startWebTestHost(root)
}, 60_000)

afterAll(async () => {
  await host?.close()
  await rm(root, { recursive: true, force: true })
}, 30_000)

const url = (path: string): string => new URL(path, host!.url).href

describe('web routes of a host', () => {
  it('serves the app and refuses paths outside the web root', async () => {
    const res = await fetch(url('/'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(await res.text()).toContain('<title>app</title>')
    // a raw request line (fetch would normalize the dots away)
    const raw = async (path: string): Promise<number> => await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: new URL(host!.url).port, path, method: 'GET' }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
      req.on('error', reject)
      req.end()
    })
    expect(await raw('/../../etc/passwd')).toBe(404) // dot segments resolve inside the root
    expect(await raw('/%2e%2e/%2e%2e/etc/passwd')).toBe(404)
    expect(await raw('/..%2f..%2f..%2fetc%2fpasswd')).toBe(403) // decoded slashes escaping the root
    expect((await fetch(url('/missing.js'))).status).toBe(404)
  })

  it('gives the genesis, the relay\'s WebSocket address and the tab parameters', async () => {
    const cfg = await (await fetch(url('/web/config.json'))).json() as { genesis: unknown, relayAddrs: string[], orgs: string[], params: unknown, iceServers: unknown }
    expect(networkId(parseGenesis(cfg.genesis))).toBe(networkId(host!.material.genesis))
    expect(cfg.relayAddrs.length).toBeGreaterThan(0)
    for (const a of cfg.relayAddrs) expect(a).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/ws/p2p/${host!.peers[0]!.peerId}$`))
    expect(cfg.orgs).toEqual(['org1', 'org2', 'org3'])
    expect(cfg.iceServers).toEqual([])
  })

  it('enrolls a tab: a node and a user identity of the chosen organization, valid under the genesis', async () => {
    const res = await fetch(url('/web/enroll'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org: 'org2' }) })
    expect(res.status).toBe(200)
    const body = await res.json() as { node: unknown, user: unknown }
    const node = await parseIdentity(body.node, host!.material.genesis)
    const user = await parseIdentity(body.user, host!.material.genesis)
    expect(node.kind).toBe('node')
    expect(node.org).toBe('org2')
    expect(node.peerId).toMatch(/^12D3KooW/)
    expect(user.kind).toBe('user')
    expect(user.role).toBe('client')
  })

  it('refuses an unknown organization, a bad body and other methods', async () => {
    const post = async (body: string): Promise<Response> => await fetch(url('/web/enroll'), { method: 'POST', body })
    const unknown = await post(JSON.stringify({ org: 'nobody' }))
    expect(unknown.status).toBe(404)
    expect((await unknown.json() as { error: { code: string } }).error.code).toBe('UNKNOWN_ORG')
    expect((await post('{not json')).status).toBe(400)
    expect((await post(JSON.stringify({ org: 7 }))).status).toBe(400)
    expect((await post('x'.repeat(5000))).status).toBe(400)
    expect((await fetch(url('/web/enroll'))).status).toBe(405)
  })

  it('lists the admitted peers with dialable addresses, leaving /v1 to the API', async () => {
    const { peers } = await (await fetch(url('/web/peers'))).json() as { peers: Array<{ peerId: string, addrs: string[], tab: boolean, org: string }> }
    expect(peers.map(p => p.peerId).sort()).toEqual(host!.peers.map(p => p.peerId).sort())
    for (const p of peers) {
      expect(p.tab).toBe(false)
      expect(p.addrs.length).toBeGreaterThan(0)
      for (const a of p.addrs) expect(a).toMatch(/\/ws\/p2p\/12D3KooW/)
    }
    expect((await fetch(url('/v1/status'))).status).toBe(404) // not ours: the test host has no API
  })

  it('lists the contracts the host\'s node hosts, with their members', async () => {
    const code = 'contract Counter { function onCreate() { Global.count = 0; } export function call(arg) { Global.count++; return Global.count; } }'
    const user = host!.material.identities.find(i => i.kind === 'user')!
    const net = networkId(host!.material.genesis)
    const from = identityId(user.publicKey)
    const tx: TxBody = { v: 1, network: net, kind: 'deploy', contract: contractIdFor(net, from, 'routes-1', code), method: 'onCreate', arg: null, nonce: 'routes-1', from, deploy: { code, shardSize: 3, consensus: 'raft', gasLimit: 1_000_000, checkpointInterval: 100 } }
    expect((await host!.nodes[0]!.execute(await signEnvelope(tx, user), 30_000)).receipt.status).toBe('committed')
    // the receipt may come from another member before this node applied the deploy block
    type Entry = { contract: string, name: string | null, consensus: string, members: Array<{ peerId: string }> }
    let entry: Entry | undefined
    for (let i = 0; i < 50 && entry?.name !== 'Counter'; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200))
      const { contracts } = await (await fetch(url('/web/contracts'))).json() as { contracts: Entry[] }
      entry = contracts.find(c => c.contract === tx.contract)
    }
    expect(entry).toMatchObject({ name: 'Counter', consensus: 'raft' })
    expect(entry!.members.map(m => m.peerId).sort()).toEqual(host!.peers.map(p => p.peerId).sort())
  }, 40_000)
})
