// BetascoClient inside a node: the same client over a local BetascoNode (no HTTP), as a browser
// tab's app or an embedding application uses it.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BetascoClient, localNodeEvents, localNodeFetch, type NodeEventMessage } from '../../src/client/index.ts'
import type { PeerHost } from '../../node-host/host.ts'
import { makeNetwork, startTestHost, type TestNetwork } from '../host/helpers.ts'

const counterCode = await readFile(new URL('../../examples/contracts/Counter.js', import.meta.url), 'utf8')

describe('BetascoClient over a local node', () => {
  let net: TestNetwork
  let host: PeerHost
  let client: BetascoClient

  beforeAll(async () => {
    net = await makeNetwork('org1,org2', 1)
    host = await startTestHost(net, 'org1-node1', { api: null })
    client = new BetascoClient({ url: 'http://local', fetch: localNodeFetch(host.node), events: localNodeEvents(host.node), identity: await net.user() })
  }, 60_000)
  afterAll(async () => {
    await host?.close()
    await net?.remove()
  })

  it('deploys, calls, reads receipts, status and contract info, and streams events', async () => {
    expect(host.apiUrl).toBeUndefined()
    const events: NodeEventMessage[] = []
    const sub = client.subscribe((e) => events.push(e), { types: ['receipt'] })
    const d = await client.deploy(counterCode, { shardSize: 1, consensus: 'solo' })
    expect(d).toMatchObject({ status: 'committed', matching: 1, needed: 1 })
    const c = await client.call(d.contract, 'add', 7)
    expect(c.result).toBe(7)
    expect((await client.tx(c.txId)).status).toBe('committed')
    expect((await client.status()).shards.map(s => s.contract)).toEqual([d.contract])
    expect((await client.contract(d.contract)).name).toBe('Counter')
    sub.close()
    expect(events[0]).toMatchObject({ type: 'hello', peerId: host.peerId })
    expect(events.some(e => e.type === 'receipt' && (e as { receipt: { txId: string } }).receipt.txId === c.txId)).toBe(true)
    expect(events.every(e => e.type === 'hello' || e.type === 'receipt')).toBe(true)
  })

  it('answers refusals with the API\'s codes', async () => {
    const env = await client.invokeTx('ab'.repeat(32), 'call', null)
    env.proofs[0]!.sig[0]! ^= 1
    await expect(client.submit(env)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
    await expect(client.tx('00'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(client.block('ab'.repeat(32), 0)).rejects.toMatchObject({ code: 'NOT_IMPLEMENTED' })
  })
})
