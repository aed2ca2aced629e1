// How peers find each other across starts: a deploy right after start waits for the peers its
// shard needs, and a restarted peer without --bootstrap reconnects to the peers it remembered
// in its data directory (so the bootstrap peer itself may restart).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BetascoClient } from '../../src/client/index.ts'
import type { PeerHost } from '../../node-host/host.ts'
import { makeNetwork, startTestHost, type TestNetwork } from './helpers.ts'
import { until } from './processes.ts'

const counterCode = await readFile(new URL('../../examples/contracts/Counter.js', import.meta.url), 'utf8')
let net: TestNetwork
const hosts: PeerHost[] = []

beforeAll(async () => { net = await makeNetwork('org1,org2,org3', 1) })
afterAll(async () => {
  for (const h of hosts) await h.close().catch(() => {})
  await net?.remove()
})

it('a deploy sent before the shard\'s peers are admitted waits for them instead of failing', async () => {
  const first = await startTestHost(net, 'org1-node1', { dataDir: join(net.dir, 'd1') })
  hosts.push(first)
  const client = new BetascoClient({ url: first.apiUrl!, identity: await net.user() })
  expect(first.node.peers().size).toBe(0)
  const events: Array<{ type: string, [k: string]: unknown }> = []
  const sub = client.subscribe((e) => events.push(e), { types: ['peer', 'shard'] })
  await sub.opened
  const others = Promise.all(['org2-node1', 'org3-node1'].map(async (name, i) => {
    await new Promise(resolve => setTimeout(resolve, 500 * (i + 1)))
    const h = await startTestHost(net, name, { dataDir: join(net.dir, `d${i + 2}`), bootstrap: [first.multiaddrs()[0]!] })
    hosts.push(h)
    return h
  }))
  const d = await client.deploy(counterCode, { shardSize: 3, consensus: 'raft' })
  await others
  expect(d.status).toBe('committed')
  expect((await client.call(d.contract, 'call', null)).result).toBe(1)
  sub.close()
  // membership on the event stream: both peers admitted, then the shard this node joined
  const joined = events.filter(e => e.type === 'peer' && e.connected === true).map(e => e.peer)
  expect(new Set(joined)).toEqual(new Set(hosts.slice(1).map(h => h.peerId)))
  expect(events.some(e => e.type === 'shard' && e.shard === d.contract)).toBe(true)
  expect(events.every(e => e.type === 'peer' || e.type === 'shard' || e.type === 'hello')).toBe(true)
}, 60_000)

it('a restarted bootstrap peer reconnects to the peers it remembered', async () => {
  const first = hosts[0]!
  const peersFile = join(net.dir, 'd1', 'peers.json')
  await until('peers.json to list both peers', async () => {
    const list = JSON.parse(await readFile(peersFile, 'utf8')) as string[]
    return hosts.slice(1).every(h => list.some(a => a.endsWith(h.peerId))) ? true : undefined
  }, 30_000)
  await first.close()
  // same identity and ledger, a new port, no --bootstrap
  const again = await startTestHost(net, 'org1-node1', { dataDir: join(net.dir, 'd1') })
  hosts[0] = again
  expect(again.multiaddrs()[0]).not.toBe(first.multiaddrs()[0])
  await until('the restarted peer to be connected to both others', async () => again.node.peers().size === 2 ? true : undefined, 30_000)
  expect(again.node.hostedShards()).toHaveLength(1)
}, 90_000)
