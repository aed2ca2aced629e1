// The client SDK against a real peer: signing, submit and await, idempotent retries when an
// answer is lost, and coded errors.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BetascoClient, envelopeFromJson, envelopeToJson, txId } from '../../src/client/index.ts'
import { BetascoError } from '../../src/core/errors.ts'
import type { PeerHost } from '../../node-host/host.ts'
import { makeNetwork, startTestHost, type TestNetwork } from '../host/helpers.ts'

const counterCode = await readFile(new URL('../../examples/contracts/Counter.js', import.meta.url), 'utf8')

describe('BetascoClient', () => {
  let net: TestNetwork
  let host: PeerHost

  beforeAll(async () => {
    net = await makeNetwork('org1,org2', 1)
    host = await startTestHost(net, 'org2-node1')
  }, 60_000)
  afterAll(async () => {
    await host?.close()
    await net?.remove()
  })

  it('round-trips a signed envelope through its JSON form', async () => {
    const client = new BetascoClient({ url: host.apiUrl!, identity: await net.user() })
    const env = await client.invokeTx('ab'.repeat(32), 'call', { a: [1, 'x'] })
    const back = envelopeFromJson(JSON.parse(JSON.stringify(envelopeToJson(env))))
    expect(txId(back.tx)).toBe(txId(env.tx))
    expect(back.proofs[0]!.sig).toEqual(env.proofs[0]!.sig)
  })

  it('retries a request whose answer was lost with the same tx, which executes once', async () => {
    let posts = 0
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init)
      if (init?.method === 'POST' && ++posts === 1) {
        await res.text()
        throw new TypeError('connection reset (simulated after the node got the request)')
      }
      return res
    }
    const client = new BetascoClient({ url: host.apiUrl!, identity: await net.user(), fetch: lossy, retryDelayMs: 50 })
    const d = await client.deploy(counterCode, { shardSize: 1, consensus: 'solo' })
    expect(d.status).toBe('committed')
    expect(posts).toBeGreaterThanOrEqual(2)
    posts = 0
    const first = await client.call(d.contract, 'call', null)
    expect(posts).toBeGreaterThanOrEqual(2) // the first answer was lost, the tx was sent again
    expect(first.result).toBe(1)
    const second = await new BetascoClient({ url: host.apiUrl!, identity: await net.user() }).call(d.contract, 'call', null)
    expect(second.result).toBe(2) // the retried tx counted once
  })

  it('throws the node\'s coded error for refused input, without retrying it', async () => {
    let posts = 0
    const counting: typeof fetch = async (input, init) => { if (init?.method === 'POST') posts++; return await fetch(input, init) }
    const client = new BetascoClient({ url: host.apiUrl!, identity: await net.user(), fetch: counting })
    const env = await client.invokeTx('ab'.repeat(32), 'call', null)
    env.proofs[0]!.sig[0]! ^= 1
    const err = await client.submit(env).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BetascoError)
    expect((err as BetascoError).code).toBe('BAD_SIGNATURE')
    expect(posts).toBe(1)
  })

  it('needs an identity to sign', async () => {
    const client = new BetascoClient({ url: host.apiUrl! })
    await expect(client.call('ab'.repeat(32), 'call', null)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    expect((await client.status()).peerId).toBe(host.peerId)
  })
})

describe('identities through betasco/client', () => {
  it('creates a user identity with an organization\'s CA, saves and loads it, and it can transact', async () => {
    const { issueIdentity, identityToJson, parseCa, parseIdentity } = await import('../../src/client/index.ts')
    const net = await makeNetwork('org1,org2', 1)
    const host = await startTestHost(net, 'org1-node1')
    try {
      const ca = parseCa(JSON.parse(await readFile(`${net.dir}/org2-ca.json`, 'utf8')))
      const made = await issueIdentity(net.genesis, ca, 'user', 'org2-alice', { validityDays: 1, nowMs: Date.now() })
      const loaded = await parseIdentity(JSON.parse(JSON.stringify(identityToJson(made))), net.genesis)
      expect(loaded.name).toBe('org2-alice')
      const client = new BetascoClient({ url: host.apiUrl!, identity: loaded })
      const d = await client.deploy(counterCode, { shardSize: 1, consensus: 'solo' })
      expect((await client.call(d.contract, 'add', 3)).result).toBe(3)
    } finally {
      await host.close()
      await net.remove()
    }
  })
})
