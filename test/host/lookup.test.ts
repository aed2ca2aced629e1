// Asking any peer about any contract: a peer outside a contract's shard answers from the shard's
// members (GET /v1/contracts/{id}, `betasco status CONTRACT`), a transaction submitted elsewhere
// is found by asking the peers (GET /v1/tx/{id}, `betasco tx`), and a transaction to a contract
// no peer hosts is refused at once with NOT_FOUND instead of wandering until it times out.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BetascoClient, envelopeToJson } from '../../src/client/index.ts'
import type { PeerHost } from '../../node-host/host.ts'
import { cli, http, makeNetwork, startTestHost, type TestNetwork } from './helpers.ts'
import { until } from './processes.ts'

const counterCode = await readFile(new URL('../../examples/contracts/Counter.js', import.meta.url), 'utf8')
let net: TestNetwork
const hosts: PeerHost[] = []
let contract = ''
let outsider: PeerHost

beforeAll(async () => {
  net = await makeNetwork('org1,org2', 2)
  for (const name of ['org1-node1', 'org2-node1', 'org1-node2', 'org2-node2']) {
    hosts.push(await startTestHost(net, name, hosts.length === 0 ? {} : { bootstrap: [hosts[0]!.multiaddrs()[0]!] }))
  }
  await until('every peer to see the three others', async () => hosts.every(h => h.node.peers().size === 3) ? true : undefined, 30_000)
  const client = new BetascoClient({ url: hosts[0]!.apiUrl!, identity: await net.user() })
  const d = await client.deploy(counterCode, { shardSize: 3, consensus: 'raft' })
  expect(d.status).toBe('committed')
  contract = d.contract
  outsider = hosts.find(h => !h.node.hostedShards().includes(contract))!
  expect(outsider).toBeDefined()
}, 90_000)

afterAll(async () => {
  for (const h of hosts) await h.close().catch(() => {})
  await net?.remove()
})

it('GET /v1/contracts/{id} on a peer outside the shard answers from the shard\'s members', async () => {
  const member = hosts.find(h => h.node.hostedShards().includes(contract))!
  const here = await http(`${member.apiUrl}/v1/contracts/${contract}`)
  expect(here.status).toBe(200)
  expect(here.json.hostedHere).toBe(true)
  const there = await http(`${outsider.apiUrl}/v1/contracts/${contract}`)
  expect(there.status).toBe(200)
  expect(there.json).toMatchObject({ contract, name: 'Counter', consensus: 'raft', shardSize: 3, hostedHere: false, members: here.json.members, configVersion: here.json.configVersion })
  expect(there.json.methods).toEqual(here.json.methods)
  expect(there.json.answeredBy.length).toBeGreaterThanOrEqual(1)
  for (const p of there.json.answeredBy) expect(here.json.members.map((m: { peerId: string }) => m.peerId)).toContain(p)
  const unknown = await http(`${outsider.apiUrl}/v1/contracts/${'ef'.repeat(32)}`)
  expect(unknown.status).toBe(404)
  expect(unknown.json.error.code).toBe('NOT_FOUND')
})

it('betasco status CONTRACT shows a contract\'s shard from any peer', async () => {
  const r = await cli(['status', contract, '--api', outsider.apiUrl!])
  expect(r.code, r.err.join('\n')).toBe(0)
  const text = r.out.join('\n')
  expect(text).toContain(`contract ${contract} Counter`)
  expect(text).toMatch(/raft, 3 members/)
  expect(text).toContain('answered by')
  const json = await cli(['status', contract, '--api', outsider.apiUrl!, '--json'])
  expect(JSON.parse(json.out.join('\n'))).toMatchObject({ contract, hostedHere: false })
  const missing = await cli(['status', 'ef'.repeat(32), '--api', outsider.apiUrl!])
  expect(missing.code).toBe(1)
  expect(missing.err.join('\n')).toContain('NOT_FOUND')
})

it('a transaction to a contract no peer hosts is refused at once with NOT_FOUND', async () => {
  const client = new BetascoClient({ url: outsider.apiUrl!, identity: await net.user() })
  const env = await client.invokeTx('ef'.repeat(32), 'call', null)
  const started = Date.now()
  const r = await http(`${outsider.apiUrl}/v1/tx?wait=1&timeoutMs=30000`, { method: 'POST', body: JSON.stringify(envelopeToJson(env)) })
  expect(r.status).toBe(404)
  expect(r.json.error.code).toBe('NOT_FOUND')
  expect(r.json.error.message).toContain('no peer asked hosts contract')
  expect(Date.now() - started, 'well before the 30 s wait').toBeLessThan(6_000)
  // a real contract through the same peer still works
  const ok = await client.call(contract, 'call', null)
  expect(ok.status).toBe('committed')
})

it('GET /v1/tx/{id} and betasco tx find a transaction submitted through another peer, without --contract', async () => {
  const entry = hosts.find(h => h !== outsider)!
  const sent = await new BetascoClient({ url: entry.apiUrl!, identity: await net.user() }).call(contract, 'call', null)
  expect(sent.status).toBe('committed')
  const r = await http(`${outsider.apiUrl}/v1/tx/${sent.txId}`)
  expect(r.status).toBe(200)
  expect(r.json).toMatchObject({ txId: sent.txId, contract, status: 'committed', result: sent.result })
  const shown = await cli(['tx', sent.txId, '--api', outsider.apiUrl!])
  expect(shown.code, shown.err.join('\n')).toBe(0)
  expect(shown.out.join('\n')).toContain(`tx ${sent.txId}: committed`)
  const started = Date.now()
  const unknown = await http(`${outsider.apiUrl}/v1/tx/${'01'.repeat(32)}`)
  expect(unknown.status).toBe(404)
  expect(unknown.json.error.message).toContain('none of its peers holds its receipt')
  expect(Date.now() - started, 'every peer said no before the 3 s limit').toBeLessThan(2_500)
})
