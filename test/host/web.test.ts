// The host mounts the web app's routes (node-host/web-routes.ts) beside the API: a relay peer
// hands tabs their config, identities (demo CAs) and the peer directory; the API still answers.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseCa, parseIdentity } from '../../src/crypto/index.ts'
import type { PeerHost } from '../../node-host/host.ts'
import { http, makeNetwork, startTestHost, type TestNetwork } from './helpers.ts'

let net: TestNetwork
let relay: PeerHost
let plain: PeerHost

beforeAll(async () => {
  net = await makeNetwork('org1,org2', 1)
  const cas = await Promise.all(['org1', 'org2'].map(async o => parseCa(JSON.parse(await readFile(join(net.dir, `${o}-ca.json`), 'utf8')))))
  relay = await startTestHost(net, 'org1-node1', { relay: true, web: { cas, iceServers: [] } })
  plain = await startTestHost(net, 'org2-node1', { bootstrap: [relay.multiaddrs()[0]!] })
}, 60_000)
afterAll(async () => {
  await plain?.close()
  await relay?.close()
  await net?.remove()
})

it('a relay host serves the web config, enrolls tab identities of the network and lists peers', async () => {
  const config = await http(`${relay.apiUrl}/web/config.json`)
  expect(config.status).toBe(200)
  expect(config.json.genesis.name).toBe(net.genesis.name)
  expect(config.json.relayAddrs[0]).toContain(`/p2p/${relay.peerId}`)
  expect(config.json.orgs).toEqual(['org1', 'org2'])
  const enrolled = await http(`${relay.apiUrl}/web/enroll`, { method: 'POST', body: JSON.stringify({ org: 'org2' }) })
  expect(enrolled.status).toBe(200)
  const user = await parseIdentity(enrolled.json.user, net.genesis)
  expect(user.org).toBe('org2')
  for (let i = 0; i < 50 && relay.node.peers().size < 1; i++) await new Promise(resolve => setTimeout(resolve, 100))
  const peers = await http(`${relay.apiUrl}/web/peers`)
  expect(peers.json.peers.map((p: { peerId: string }) => p.peerId)).toContain(plain.peerId)
  expect((await http(`${relay.apiUrl}/v1/status`)).json.peerId).toBe(relay.peerId)
})

it('a host without web routes serves no config and enrolls nobody', async () => {
  expect((await http(`${plain.apiUrl}/web/config.json`)).status).toBe(404)
  expect((await http(`${plain.apiUrl}/web/enroll`, { method: 'POST', body: '{}' })).status).toBeGreaterThanOrEqual(400)
})
