// The client inside a node: a `fetch` that answers the API requests BetascoClient makes from a
// BetascoNode in the same process (a browser tab's node, an embedded node), so one client
// works against a remote API or a local node alike (DESIGN §7). It answers the endpoints the
// client uses — submit and deploy (with ?wait), receipts, status, contract info — with the
// same JSON and error codes as node-host's HTTP API, and forwards the node's events.
import { BetascoError, type ErrorCode } from '../core/errors.ts'
import { toHex } from '../core/bytes.ts'
import type { Receipt } from '../core/receipt.ts'
import { HEX32 } from '../core/transaction.ts'
import type { BetascoNode, ReceiptAnswer } from '../node/node.ts'
import { envelopeFromJson, toJsonValue } from './wire.ts'
import type { NodeEventMessage } from './client.ts'

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  BAD_SHAPE: 400, BAD_ARGUMENT: 400, DECODE_ERROR: 400, WRONG_NETWORK: 400, TOO_LARGE: 413, TX_TOO_LARGE: 413,
  BAD_SIGNATURE: 401, UNKNOWN_ORG: 403, CERT_EXPIRED: 403, CERT_REVOKED: 403, CERT_INVALID: 403, NOT_FOUND: 404, TIMEOUT: 504, NOT_IMPLEMENTED: 501
}
const MAX_REMEMBERED = 10_000

function view (r: Receipt, a?: ReceiptAnswer): Record<string, unknown> {
  return { txId: r.txId, contract: r.shard, status: r.status, result: r.result, error: r.error, block: r.height, index: r.index, gasUsed: r.gasUsed, calls: r.calls, receipt: r, ...(a !== undefined ? { matching: a.matching, needed: a.needed } : {}) }
}

function reply (status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** A fetch over a local node (URL host ignored: use e.g. `new BetascoClient({ url: 'http://local', fetch: localNodeFetch(node), events: localNodeEvents(node) })`). */
export function localNodeFetch (node: BetascoNode): typeof fetch {
  const submitted = new Map<string, string>()
  const remember = (id: string, contract: string): void => {
    submitted.set(id, contract)
    if (submitted.size > MAX_REMEMBERED) submitted.delete(submitted.keys().next().value as string)
  }
  const handle = async (method: string, url: URL, body: string | undefined): Promise<Response> => {
    const parts = url.pathname.split('/').filter(p => p !== '')
    if (parts[0] !== 'v1') throw new BetascoError('NOT_FOUND', `no such endpoint ${url.pathname}`)
    const [, a, b, c] = parts
    if (method === 'POST' && (a === 'tx' || a === 'contracts') && b === undefined) {
      let json: unknown
      try { json = JSON.parse(body ?? '') } catch (err) { throw new BetascoError('DECODE_ERROR', `request body is not valid JSON: ${(err as Error).message}`) }
      const env = envelopeFromJson(json, 'body')
      const kind = a === 'tx' ? 'invoke' : 'deploy'
      if (env.tx.kind !== kind) throw new BetascoError('BAD_ARGUMENT', `${url.pathname} takes a ${kind} transaction, not ${env.tx.kind}`)
      const { txId: id, contract } = await node.submit(env)
      remember(id, contract)
      if (url.searchParams.get('wait') !== '1') return reply(202, { txId: id, contract, status: 'pending' })
      const timeoutMs = Math.min(Number(url.searchParams.get('timeoutMs') ?? 30_000) || 30_000, 120_000)
      try {
        const answer = await node.waitReceipt(id, contract, timeoutMs, env)
        return reply(200, view(answer.receipt, answer))
      } catch (err) {
        if (err instanceof BetascoError && err.code === 'TIMEOUT') return reply(202, { txId: id, contract, status: 'pending' })
        throw err
      }
    }
    if (method === 'GET' && a === 'tx' && b !== undefined && c === undefined) {
      if (!HEX32.test(b)) throw new BetascoError('BAD_ARGUMENT', 'tx ID must be 64 lowercase hex digits')
      const local = await node.localReceipt(b)
      if (local !== undefined) return reply(200, view(local))
      const contract = url.searchParams.get('contract') ?? submitted.get(b)
      if (contract === undefined) throw new BetascoError('NOT_FOUND', `unknown transaction ${b}: add ?contract=ID to ask its shard`)
      const waitMs = Math.min(Number(url.searchParams.get('waitMs') ?? 2000) || 2000, 120_000)
      try {
        const a2 = await node.waitReceipt(b, contract, waitMs)
        return reply(200, view(a2.receipt, a2))
      } catch (err) {
        if (err instanceof BetascoError && err.code === 'TIMEOUT') return reply(200, { txId: b, contract, status: 'pending' })
        throw err
      }
    }
    if (method === 'GET' && a === 'status' && b === undefined) {
      return reply(200, {
        peerId: node.id, network: node.network, networkName: '', multiaddrs: [],
        peers: [...node.peers()].map(([peerId, who]) => ({ peerId, org: who.org, name: who.name })),
        shards: node.hostedShards().map(shard => { const s = node.shardStatus(shard); return { contract: shard, name: s?.contract?.name ?? null, consensus: s?.config.consensus, members: s?.config.members.length, height: s?.height, leader: s?.leader } }),
        counters: { ...node.counters }, uptimeS: 0
      })
    }
    if (method === 'GET' && a === 'contracts' && b !== undefined && c === undefined) {
      const s = node.shardStatus(b)
      if (s === undefined) throw new BetascoError('NOT_FOUND', `contract ${b} is not hosted by this node`)
      return reply(200, { contract: b, name: s.contract?.name ?? null, methods: s.contract?.methods ?? [], consensus: s.config.consensus, shardSize: s.config.shardSize, members: s.config.members, configVersion: s.config.version, codeHash: toHex(s.config.codeHash), height: s.height, leader: s.leader, term: s.term })
    }
    throw new BetascoError('NOT_IMPLEMENTED', `${method} ${url.pathname} is served by node-host's HTTP API only, not by a local node`)
  }
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    try {
      return await handle(init?.method ?? 'GET', url, typeof init?.body === 'string' ? init.body : undefined)
    } catch (err) {
      const code: ErrorCode = err instanceof BetascoError ? err.code : 'INTERNAL'
      return reply(STATUS_OF[code] ?? 500, { error: { code, message: (err as Error).message } })
    }
  }
}

/** The node's events in the shape of `WS /v1/events` messages, for BetascoClient's `events` option. */
export function localNodeEvents (node: BetascoNode): (onEvent: (e: NodeEventMessage) => void) => () => void {
  return (onEvent) => {
    onEvent({ type: 'hello', peerId: node.id, network: node.network })
    const off = node.on((e) => { onEvent(toJsonValue(e) as NodeEventMessage) })
    return () => { off() }
  }
}

