// The HTTP + WebSocket API of one peer (DESIGN §7): every endpoint, and every kind of bad input
// answered with its coded 4xx while nothing is stored.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BetascoClient, envelopeToJson, type NodeEventMessage } from '../../src/client/index.ts'
import { createNetwork, getScheme, identityId, type Identity } from '../../src/crypto/index.ts'
import { txId, txSigningBytes, type Envelope, type TxBody } from '../../src/core/transaction.ts'
import type { PeerHost } from '../../node-host/host.ts'
import { openApiDocument } from '../../node-host/openapi.ts'
import { http, makeNetwork, startTestHost, type TestNetwork } from './helpers.ts'

const counterCode = await readFile(new URL('../../examples/contracts/Counter.js', import.meta.url), 'utf8')

describe('node API', () => {
  let net: TestNetwork
  let host: PeerHost
  let url: string
  let user: Identity
  let client: BetascoClient
  let contract: string
  let deployTx: string

  beforeAll(async () => {
    net = await makeNetwork('org1,org2', 1)
    host = await startTestHost(net, 'org1-node1')
    url = host.apiUrl!
    user = await net.user()
    client = new BetascoClient({ url, identity: user })
    const d = await client.deploy(counterCode, { shardSize: 1, consensus: 'solo' })
    expect(d.status).toBe('committed')
    contract = d.contract
    deployTx = d.txId
  }, 60_000)

  afterAll(async () => {
    await host?.close()
    await net?.remove()
  })

  /** What the node stores: receipts and hosted shards, to prove bad input changed nothing. */
  async function stored (): Promise<{ shards: string[], committed: number, failed: number, head: number | undefined }> {
    return { shards: await host.store.listHostedShards(), committed: host.node.counters.committed, failed: host.node.counters.failed, head: (await host.store.getHead(contract))?.height }
  }

  async function invokeBody (over: Partial<TxBody> = {}): Promise<TxBody> {
    return { v: 1, network: host.node.network, kind: 'invoke', contract, method: 'call', arg: null, nonce: `n-${Math.random()}`, from: identityId(user.publicKey), ...over }
  }

  it('GET /v1/status names the peer, its network and the shards it hosts', async () => {
    const r = await http(`${url}/v1/status`)
    expect(r.status).toBe(200)
    expect(r.json.peerId).toBe(host.peerId)
    expect(r.json.network).toBe(host.node.network)
    expect(r.json.shards.map((s: { contract: string }) => s.contract)).toContain(contract)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('GET /v1/openapi.json serves the document that lists every endpoint', async () => {
    const r = await http(`${url}/v1/openapi.json`)
    expect(r.status).toBe(200)
    expect(r.json).toEqual(JSON.parse(JSON.stringify(openApiDocument)))
    for (const p of ['/v1/contracts', '/v1/tx', '/v1/tx/{id}', '/v1/contracts/{id}', '/v1/contracts/{id}/blocks/{height}', '/v1/status', '/v1/metrics', '/v1/events', '/v1/openapi.json']) {
      expect(Object.keys(r.json.paths)).toContain(p)
    }
  })

  it('OPTIONS answers the CORS preflight of the web app', async () => {
    const r = await http(`${url}/v1/tx`, { method: 'OPTIONS' })
    expect(r.status).toBe(204)
    expect(r.headers.get('access-control-allow-methods')).toContain('POST')
    expect(r.headers.get('access-control-allow-headers')).toContain('Content-Type')
  })

  it('GET /v1/contracts/:id shows the shard; GET .../blocks/:height a committed block', async () => {
    const info = await http(`${url}/v1/contracts/${contract}`)
    expect(info.status).toBe(200)
    expect(info.json).toMatchObject({ contract, name: 'Counter', consensus: 'solo', shardSize: 1, members: [{ peerId: host.peerId, org: 'org1' }], deployTx })
    expect(info.json.height).toBeGreaterThanOrEqual(0)
    const block = await http(`${url}/v1/contracts/${contract}/blocks/0`)
    expect(block.status).toBe(200)
    expect(block.json.height).toBe(0)
    expect(block.json.txs.map((t: { txId: string }) => t.txId)).toContain(deployTx)
    expect(typeof block.json.header.prev).toBe('string') // bytes as base64
  })

  it('POST /v1/tx?wait=1 answers with the matching receipt; a retry of the same tx is idempotent', async () => {
    const env = await client.invokeTx(contract, 'call', null)
    const first = await http(`${url}/v1/tx?wait=1`, { method: 'POST', body: JSON.stringify(envelopeToJson(env)) })
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ txId: txId(env.tx), contract, status: 'committed', matching: 1, needed: 1 })
    const n = first.json.result as number
    const again = await http(`${url}/v1/tx?wait=1`, { method: 'POST', body: JSON.stringify(envelopeToJson(env)) })
    expect(again.json.result).toBe(n)
    const next = await client.call(contract, 'call', null)
    expect(next.result).toBe(n + 1)
    // a forged copy of the finished tx (same body, bad signature) is refused, not answered
    const forged = envelopeToJson(env)
    forged.proofs[0]!.sig = forged.proofs[0]!.sig.startsWith('A') ? 'B' + forged.proofs[0]!.sig.slice(1) : 'A' + forged.proofs[0]!.sig.slice(1)
    const refused = await http(`${url}/v1/tx?wait=1`, { method: 'POST', body: JSON.stringify(forged) })
    expect(refused.status).toBe(401)
    expect(refused.json.error.code).toBe('BAD_SIGNATURE')
  })

  it('POST /v1/tx without wait answers 202 pending, and GET /v1/tx/:id then gives the receipt', async () => {
    const env = await client.invokeTx(contract, 'add', 5)
    const r = await http(`${url}/v1/tx`, { method: 'POST', body: JSON.stringify(envelopeToJson(env)) })
    expect(r.status).toBe(202)
    expect(r.json).toEqual({ txId: txId(env.tx), contract, status: 'pending' })
    let got: { status: string, block?: number } = { status: 'pending' }
    for (let i = 0; i < 20 && got.status === 'pending'; i++) got = (await http(`${url}/v1/tx/${txId(env.tx)}?waitMs=1000`)).json
    expect(got.status).toBe('committed')
    expect(typeof got.block).toBe('number')
  })

  it('a failing call is a failed receipt, not an HTTP error', async () => {
    const s = await client.call(contract, 'noSuchMethod', null)
    expect(s.status).toBe('failed')
    expect(s.error?.code).toBe('NO_SUCH_METHOD')
  })

  it('GET /v1/metrics is Prometheus text with counters and latency histograms', async () => {
    const r = await http(`${url}/v1/metrics`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain('text/plain')
    for (const name of ['betasco_txs_received_total', 'betasco_txs_forwarded_total', 'betasco_txs_committed_total', 'betasco_txs_failed_total', 'betasco_blocks_total', 'betasco_shards_hosted 1', 'betasco_peers']) {
      expect(r.text).toContain(name)
    }
    expect(r.text).toMatch(/betasco_tx_latency_seconds_bucket\{le="\+Inf"\} [1-9]/)
    expect(r.text).toMatch(/betasco_http_request_duration_seconds_count\{route="tx"\} [1-9]/)
  })

  it('WS /v1/events streams blocks and receipts', async () => {
    const events: NodeEventMessage[] = []
    const sub = client.subscribe((e) => events.push(e))
    await sub.opened
    const s = await client.call(contract, 'call', null)
    for (let i = 0; i < 50 && !events.some(e => e.type === 'receipt' && (e as { receipt: { txId: string } }).receipt.txId === s.txId); i++) await new Promise(resolve => setTimeout(resolve, 100))
    sub.close()
    expect(events[0]).toMatchObject({ type: 'hello', peerId: host.peerId })
    expect(events.some(e => e.type === 'block' && e.shard === contract)).toBe(true)
    expect(events.some(e => e.type === 'receipt' && (e as { receipt: { txId: string } }).receipt.txId === s.txId)).toBe(true)
  })

  it('GET /v1/events without a WebSocket upgrade is refused with 426', async () => {
    const r = await http(`${url}/v1/events`)
    expect(r.status).toBe(426)
    expect(r.json.error.code).toBe('BAD_ARGUMENT')
  })

  describe('bad input: a coded 4xx and nothing stored', () => {
    const post = async (path: string, body: string, headers?: Record<string, string>): Promise<Awaited<ReturnType<typeof http>>> =>
      await http(`${url}${path}`, { method: 'POST', body, ...(headers !== undefined ? { headers } : {}) })
    const sign = async (tx: TxBody, who: Identity): Promise<Envelope> => ({ tx, proofs: [{ cert: who.certBytes, sig: await getScheme(who.scheme).sign(txSigningBytes(tx), who.secretKey) }] })

    const cases: Array<[string, () => Promise<Awaited<ReturnType<typeof http>>>, number, string]> = [
      ['malformed JSON', async () => await post('/v1/tx', '{"tx": '), 400, 'DECODE_ERROR'],
      ['an empty body', async () => await post('/v1/tx', ''), 400, 'DECODE_ERROR'],
      ['a body that is not JSON-typed', async () => await post('/v1/tx', '{}', { 'Content-Type': 'text/plain' }), 415, 'BAD_ARGUMENT'],
      ['a JSON array instead of a transaction', async () => await post('/v1/tx', '[]'), 400, 'BAD_SHAPE'],
      ['a wrongly typed field', async () => await post('/v1/tx', JSON.stringify({ tx: { ...(await invokeBody()), method: 5 }, proofs: [] })), 400, 'BAD_SHAPE'],
      ['an unexpected field', async () => await post('/v1/tx', JSON.stringify({ tx: await invokeBody(), proofs: [], extra: 1 })), 400, 'BAD_SHAPE'],
      ['a proof that is not base64', async () => await post('/v1/tx', JSON.stringify({ tx: await invokeBody(), proofs: [{ cert: '***', sig: 'AA==' }] })), 400, 'BAD_SHAPE'],
      ['an oversized body', async () => await post('/v1/tx', JSON.stringify({ tx: { ...(await invokeBody()), arg: 'x'.repeat(2 * 1024 * 1024) }, proofs: [] })), 413, 'TOO_LARGE'],
      ['an oversized argument', async () => await post('/v1/tx', JSON.stringify(envelopeToJson(await sign(await invokeBody({ arg: 'x'.repeat(100_000) }), user)))), 413, 'TOO_LARGE'],
      ['an unsigned transaction', async () => await post('/v1/tx', JSON.stringify({ tx: await invokeBody(), proofs: [] })), 401, 'BAD_SIGNATURE'],
      ['a bad signature', async () => {
        const env = await sign(await invokeBody(), user)
        env.proofs[0]!.sig = env.proofs[0]!.sig.map((b, i) => i === 0 ? b ^ 1 : b)
        return await post('/v1/tx', JSON.stringify(envelopeToJson(env)))
      }, 401, 'BAD_SIGNATURE'],
      ['a signature by someone else than the sender', async () => await post('/v1/tx', JSON.stringify(envelopeToJson(await sign(await invokeBody(), await net.user('org2-user1'))))), 401, 'BAD_SIGNATURE'],
      ['a non-member identity (certificate from an organization outside the genesis)', async () => {
        const other = await createNetwork({ name: 'other', orgs: ['org1', 'org9'], scheme: 'ed25519', nodesPerOrg: 1, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
        const outsider = other.identities.find(i => i.kind === 'user' && i.org === 'org9')!
        return await post('/v1/tx', JSON.stringify(envelopeToJson(await sign(await invokeBody({ from: identityId(outsider.publicKey) }), outsider))))
      }, 403, 'UNKNOWN_ORG'],
      ['a node identity signing as a client', async () => {
        const nodeId = await net.node('org1-node1')
        return await post('/v1/tx', JSON.stringify(envelopeToJson(await sign(await invokeBody({ from: identityId(nodeId.publicKey) }), nodeId))))
      }, 403, 'CERT_INVALID'],
      ['a transaction for another network', async () => await post('/v1/tx', JSON.stringify(envelopeToJson(await sign(await invokeBody({ network: 'ab'.repeat(32) }), user)))), 400, 'WRONG_NETWORK'],
      ['a deploy sent to /v1/tx', async () => await post('/v1/tx', JSON.stringify(envelopeToJson(await client.deployTx(counterCode, { shardSize: 1, consensus: 'solo' })))), 400, 'BAD_ARGUMENT'],
      ['an invoke sent to /v1/contracts', async () => await post('/v1/contracts', JSON.stringify(envelopeToJson(await sign(await invokeBody(), user)))), 400, 'BAD_ARGUMENT'],
      ['a deploy whose contract ID is not derived from its body', async () => {
        const env = await client.deployTx(counterCode, { shardSize: 1, consensus: 'solo' })
        return await post('/v1/contracts', JSON.stringify(envelopeToJson(await sign({ ...env.tx, contract: 'cd'.repeat(32) }, user))))
      }, 400, 'BAD_ARGUMENT'],
      ['a deploy with a shard larger than the limit', async () => {
        const env = await client.deployTx(counterCode, { shardSize: 1, consensus: 'solo' })
        return await post('/v1/contracts', JSON.stringify({ ...envelopeToJson(env), tx: { ...env.tx, deploy: { ...env.tx.deploy, shardSize: 1000 } } }))
      }, 400, 'BAD_SHAPE'],
      ['a bad ?wait value', async () => await post('/v1/tx?wait=soon', '{}'), 400, 'BAD_ARGUMENT'],
      ['an unknown contract ID', async () => await http(`${url}/v1/contracts/${'ef'.repeat(32)}`), 404, 'NOT_FOUND'],
      ['an invoke of a contract no peer hosts', async () => await post('/v1/tx?wait=1', JSON.stringify(envelopeToJson(await sign(await invokeBody({ contract: 'ef'.repeat(32) }), user)))), 404, 'NOT_FOUND'],
      ['a contract ID that is not hex', async () => await http(`${url}/v1/contracts/xyz`), 400, 'BAD_ARGUMENT'],
      ['blocks of an unknown contract', async () => await http(`${url}/v1/contracts/${'ef'.repeat(32)}/blocks/0`), 404, 'NOT_FOUND'],
      ['a block height that is not a number', async () => await http(`${url}/v1/contracts/${contract}/blocks/-1`), 400, 'BAD_ARGUMENT'],
      ['a block not yet committed', async () => await http(`${url}/v1/contracts/${contract}/blocks/999999`), 404, 'NOT_FOUND'],
      ['an unknown tx ID', async () => await http(`${url}/v1/tx/${'01'.repeat(32)}`), 404, 'NOT_FOUND'],
      ['a tx ID that is not hex', async () => await http(`${url}/v1/tx/nothex`), 400, 'BAD_ARGUMENT'],
      ['a wrong method', async () => await http(`${url}/v1/status`, { method: 'DELETE' }), 405, 'BAD_ARGUMENT'],
      ['an unknown endpoint', async () => await http(`${url}/v1/nothing`), 404, 'NOT_FOUND'],
    ]

    for (const [what, send, status, code] of cases) {
      it(`refuses ${what} with ${status} ${code}`, async () => {
        const before = await stored()
        const received = host.node.counters.received
        const r = await send()
        expect(r.status).toBe(status)
        expect(r.json.error).toMatchObject({ code })
        expect(typeof r.json.error.message).toBe('string')
        // nothing stored: no new shard, no new block or receipt (give a wrongly admitted tx time to show up)
        await new Promise(resolve => setTimeout(resolve, 150))
        expect(await stored()).toEqual(before)
        expect(host.node.counters.received - received).toBeLessThanOrEqual(1)
      })
    }
  })
})
