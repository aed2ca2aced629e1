// The HTTP + WebSocket API of a node (DESIGN §7) on node:http. Every input is checked against
// its schema (the OpenAPI document in openapi.ts) before anything else looks at it; bad input
// gets a 4xx with `{ error: { code, message } }` and changes nothing. Binary fields are base64.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import { toHex } from '../src/core/bytes.ts'
import { blockId } from '../src/core/block.ts'
import { BetascoError, type ErrorCode } from '../src/core/errors.ts'
import type { Receipt } from '../src/core/receipt.ts'
import type { ShardConfig } from '../src/core/shard-config.ts'
import { HEX32, txId as txIdOf } from '../src/core/transaction.ts'
import type { Genesis } from '../src/crypto/genesis.ts'
import type { NetworkPeer } from '../src/network/peer.ts'
import type { BetascoNode, NodeEvent, ReceiptAnswer } from '../src/node/node.ts'
import type { LedgerStore } from '../src/storage/ledger-store.ts'
import { envelopeFromJson, envelopeToJson, toJsonValue } from '../src/client/wire.ts'
import { silentLogger, type Logger } from './log.ts'
import { Histogram, renderMetrics } from './metrics.ts'
import { openApiDocument } from './openapi.ts'
import { acceptWebSocket, type EventSocket } from './ws.ts'

/** Largest request body accepted (a transaction is at most 256 KiB in CBOR; JSON is larger). */
export const MAX_BODY_BYTES = 1024 * 1024
const MAX_WAIT_MS = 120_000
const DEFAULT_WAIT_MS = 30_000
const DEFAULT_LOOKUP_MS = 2_000
const MAX_REMEMBERED = 20_000
/** How long a non-member waits for a contract's shard to describe itself. */
const CONTRACT_LOOKUP_MS = 5_000
/** How long a peer asks its peers which shard committed a tx it did not see. */
const TX_FIND_MS = 3_000
const MAX_SUBSCRIBERS = 64
/** A deploy right after start waits this long for the peers its shard needs to be admitted. */
const PEER_WAIT_MS = 15_000

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  BAD_SHAPE: 400, BAD_ARGUMENT: 400, DECODE_ERROR: 400, NOT_CANONICAL: 400, WRONG_NETWORK: 400,
  TOO_LARGE: 413, TX_TOO_LARGE: 413,
  BAD_SIGNATURE: 401,
  UNKNOWN_ORG: 403, CERT_EXPIRED: 403, CERT_REVOKED: 403, CERT_INVALID: 403, NOT_ADMITTED: 403, NOT_MEMBER: 403,
  NOT_FOUND: 404,
  QUEUE_FULL: 503, CLOSED: 503, UNREACHABLE: 503, STILL_LOCATING: 503,
  TIMEOUT: 504,
  NOT_IMPLEMENTED: 501,
}

export function httpStatusOf (code: ErrorCode): number {
  return STATUS_OF[code] ?? 500
}

class HttpError extends BetascoError {
  readonly status: number
  constructor (status: number, code: ErrorCode, message: string) {
    super(code, message)
    this.status = status
  }
}

interface Submitted { contract: string, atMs: number }

export interface ApiOptions {
  node: BetascoNode
  store: LedgerStore
  peer: NetworkPeer
  genesis: Genesis
  logger?: Logger
  webDir?: string
  /** Routes of the web app (node-host/web-routes.ts): app, config, enrollment, peer directory. */
  web?: (req: IncomingMessage, res: ServerResponse) => boolean
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.wasm': 'application/wasm', '.map': 'application/json'
}

export function receiptView (r: Receipt, answer?: { matching: number, needed: number }): Record<string, unknown> {
  const out: Record<string, unknown> = { txId: r.txId, contract: r.shard, status: r.status, result: r.result, error: r.error, block: r.height, index: r.index, gasUsed: r.gasUsed, calls: r.calls, receipt: r }
  if (answer !== undefined) { out.matching = answer.matching; out.needed = answer.needed }
  return out
}

export class ApiServer {
  readonly server: Server
  private readonly opts: ApiOptions
  private readonly logger: Logger
  private readonly submitted = new Map<string, Submitted>()
  private readonly answers = new Map<string, Record<string, unknown>>()
  /** Contracts some shard answered for (so a tx to them is not looked up again). */
  private readonly knownContracts = new Map<string, true>()
  private readonly subscribers = new Set<{ socket: EventSocket, types: Set<string> | undefined }>()
  private readonly offNode: () => void
  private readonly offPeers: () => void
  readonly txLatency = new Histogram()
  private readonly httpLatency = new Map<string, Histogram>()
  private readonly httpErrors = new Map<string, number>()
  private readonly startedAtMs = Date.now()
  private address: AddressInfo | undefined

  constructor (opts: ApiOptions) {
    this.opts = opts
    this.logger = opts.logger ?? silentLogger
    this.server = createServer((req, res) => { void this.handle(req, res) })
    this.server.on('upgrade', (req, socket) => { this.upgrade(req, socket) })
    this.server.on('clientError', (_err, socket) => { socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n') })
    this.offNode = opts.node.on((e) => { this.onNodeEvent(e) })
    this.offPeers = opts.peer.admission.onChange((peerId: string) => {
      this.broadcast('peer', { type: 'peer', peer: peerId, connected: opts.peer.admission.isAdmitted(peerId), org: opts.peer.admission.identityOf(peerId)?.org ?? null })
    })
  }

  async listen (port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(err.code === 'EADDRINUSE'
          ? new BetascoError('BAD_ARGUMENT', `--api ${host}:${port} is in use by another process`)
          : new BetascoError('BAD_ARGUMENT', `cannot listen on ${host}:${port}: ${err.message}`))
      }
      this.server.once('error', onError)
      this.server.listen(port, host, () => { this.server.off('error', onError); resolve() })
    })
    this.address = this.server.address() as AddressInfo
  }

  get url (): string {
    const a = this.address
    if (a === undefined) return ''
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address
    return `http://${host}:${a.port}`
  }

  async close (): Promise<void> {
    this.offNode()
    this.offPeers()
    for (const s of this.subscribers) s.socket.close(1001)
    this.subscribers.clear()
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  // ── events ───────────────────────────────────────────────────────────────────────────────

  private onNodeEvent (e: NodeEvent): void {
    if (e.type === 'receipt') {
      const s = this.submitted.get(e.receipt.txId)
      if (s !== undefined && s.atMs > 0) { this.txLatency.observe((Date.now() - s.atMs) / 1000); s.atMs = 0 }
      this.broadcast('receipt', { type: 'receipt', receipt: e.receipt })
    } else if (e.type === 'block') {
      this.broadcast('block', e)
    } else if (e.type === 'shard') {
      this.broadcast('shard', { type: 'shard', shard: e.shard, config: toJsonValue(e.config) })
    } else {
      // notices, repairs and whatever kinds the node adds later: passed on as they are
      this.broadcast(e.type, toJsonValue(e))
    }
  }

  private broadcast (type: string, event: unknown): void {
    if (this.subscribers.size === 0) return
    const text = JSON.stringify(event)
    for (const s of this.subscribers) if (s.types === undefined || s.types.has(type)) s.socket.sendText(text)
  }

  private upgrade (req: IncomingMessage, socket: import('node:stream').Duplex): void {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/v1/events') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    if (this.subscribers.size >= MAX_SUBSCRIBERS) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n')
      return
    }
    const typesParam = url.searchParams.get('types')
    const types = typesParam === null ? undefined : new Set(typesParam.split(',').map(s => s.trim()))
    const ws = acceptWebSocket(req, socket)
    if (ws === undefined) return
    const sub = { socket: ws, types }
    this.subscribers.add(sub)
    ws.onClose = () => { this.subscribers.delete(sub) }
    ws.sendText(JSON.stringify({ type: 'hello', peerId: this.opts.node.id, network: this.opts.node.network }))
  }

  // ── HTTP ─────────────────────────────────────────────────────────────────────────────────

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    let route = 'other'
    res.setHeader('Access-Control-Allow-Origin', '*')
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type')
    res.setHeader('Access-Control-Max-Age', '600')
    try {
      const url = new URL(req.url ?? '/', 'http://x')
      const parts = url.pathname.split('/').filter(p => p !== '')
      if (req.method === 'OPTIONS') { route = 'options'; res.writeHead(204).end(); return }
      if (parts[0] !== 'v1') {
        route = 'web'
        if (this.opts.web?.(req, res) === true) return
        await this.serveWeb(req, res, url.pathname)
        return
      }
      const [, a, b, c, d] = parts
      const method = req.method ?? 'GET'
      const only = (m: string): void => { if (method !== m) throw new HttpError(405, 'BAD_ARGUMENT', `${url.pathname} accepts ${m}, not ${method}`) }
      if (a === 'contracts' && b === undefined) { route = 'deploy'; only('POST'); return this.json(res, ...await this.post(req, url, 'deploy')) }
      if (a === 'tx' && b === undefined) { route = 'tx'; only('POST'); return this.json(res, ...await this.post(req, url, 'invoke')) }
      if (a === 'tx' && b !== undefined && c === undefined) { route = 'tx_get'; only('GET'); return this.json(res, ...await this.getTx(b, url)) }
      if (a === 'contracts' && b !== undefined && c === undefined) { route = 'contract'; only('GET'); return this.json(res, 200, await this.contractInfo(b)) }
      if (a === 'contracts' && b !== undefined && c === 'blocks' && d !== undefined && parts.length === 5) { route = 'block'; only('GET'); return this.json(res, 200, await this.block(b, d)) }
      if (a === 'status' && b === undefined) { route = 'status'; only('GET'); return this.json(res, 200, this.status()) }
      if (a === 'metrics' && b === undefined) {
        route = 'metrics'; only('GET')
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.metrics())
        return
      }
      if (a === 'openapi.json' && b === undefined) { route = 'openapi'; only('GET'); return this.json(res, 200, openApiDocument) }
      if (a === 'events') throw new HttpError(426, 'BAD_ARGUMENT', '/v1/events is a WebSocket: connect with an Upgrade: websocket request')
      throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${method} ${url.pathname} (see /v1/openapi.json)`)
    } catch (err) {
      const status = err instanceof HttpError ? err.status : err instanceof BetascoError ? httpStatusOf(err.code) : 500
      const code = err instanceof BetascoError ? err.code : 'INTERNAL'
      if (status >= 500) this.logger.warn('API request failed', { method: req.method, url: req.url, code, error: (err as Error).message })
      this.httpErrors.set(code, (this.httpErrors.get(code) ?? 0) + 1)
      if (!res.headersSent) this.json(res, status, { error: { code, message: (err as Error).message } })
      else res.end()
    } finally {
      let h = this.httpLatency.get(route)
      if (h === undefined) { h = new Histogram(); this.httpLatency.set(route, h) }
      h.observe((performance.now() - started) / 1000)
    }
  }

  private json (res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text)
  }

  private async readJson (req: IncomingMessage): Promise<unknown> {
    const type = req.headers['content-type'] ?? ''
    if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'BAD_ARGUMENT', 'send the request body as Content-Type: application/json')
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (declared > MAX_BODY_BYTES) {
      req.resume()
      throw new HttpError(413, 'TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${MAX_BODY_BYTES}`)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        req.resume()
        throw new HttpError(413, 'TOO_LARGE', `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`)
      }
      chunks.push(chunk)
    }
    const text = Buffer.concat(chunks).toString('utf8')
    if (text.trim() === '') throw new HttpError(400, 'DECODE_ERROR', 'empty request body: expected a JSON signed transaction')
    try {
      return JSON.parse(text)
    } catch (err) {
      throw new HttpError(400, 'DECODE_ERROR', `request body is not valid JSON: ${(err as Error).message}`)
    }
  }

  private waitParam (url: URL, name: string, fallback: number): number {
    const raw = url.searchParams.get(name)
    if (raw === null) return fallback
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_WAIT_MS) throw new HttpError(400, 'BAD_ARGUMENT', `?${name} must be an integer number of milliseconds from 0 to ${MAX_WAIT_MS}`)
    return n
  }

  private async post (req: IncomingMessage, url: URL, kind: 'deploy' | 'invoke'): Promise<[number, unknown]> {
    const wait = url.searchParams.get('wait')
    if (wait !== null && !['0', '1', 'true', 'false'].includes(wait)) throw new HttpError(400, 'BAD_ARGUMENT', '?wait must be 1 or 0')
    const timeoutMs = this.waitParam(url, 'timeoutMs', DEFAULT_WAIT_MS)
    const env = envelopeFromJson(await this.readJson(req), 'body')
    if (env.tx.kind !== kind) {
      throw new HttpError(400, 'BAD_ARGUMENT', kind === 'deploy' ? `POST /v1/contracts takes a deploy transaction, not ${env.tx.kind} (use POST /v1/tx)` : `POST /v1/tx takes an invoke transaction, not ${env.tx.kind}${env.tx.kind === 'deploy' ? ' (use POST /v1/contracts)' : ''}`)
    }
    const id = txIdOf(env.tx)
    const atMs = Date.now()
    if (kind === 'deploy' && !this.answers.has(id)) await this.enoughPeersFor(env.tx.deploy!.shardSize, Math.min(timeoutMs, PEER_WAIT_MS))
    // admission first, always: a cached answer is no reason to skip checking the signature
    const { contract } = await this.opts.node.submit(env)
    const known = this.answers.get(id)
    if (known !== undefined) return [200, known] // an idempotent retry of a finished tx (the shard executes an ID once)
    if (kind === 'invoke') await this.ensureContractExists(contract)
    if (!this.submitted.has(id)) this.remember(this.submitted, id, { contract, atMs })
    this.logger.debug('tx admitted', { tx: id, kind, contract })
    if (wait !== '1' && wait !== 'true') return [202, { txId: id, contract, status: 'pending' }]
    try {
      const answer = await this.opts.node.waitReceipt(id, contract, timeoutMs, env)
      return [200, this.answered(answer, atMs)]
    } catch (err) {
      if (err instanceof BetascoError && err.code === 'TIMEOUT') return [202, { txId: id, contract, status: 'pending', message: err.message }]
      throw err
    }
  }

  /** A shard of k needs k known nodes; peers still connecting after a start get a moment. */
  private async enoughPeersFor (k: number, waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs
    while (this.opts.node.peers().size + 1 < k && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
  }

  private answered (answer: ReceiptAnswer, atMs: number | undefined): Record<string, unknown> {
    const view = receiptView(answer.receipt, answer)
    const s = this.submitted.get(answer.receipt.txId)
    if (s !== undefined && s.atMs > 0) { this.txLatency.observe((Date.now() - (atMs ?? s.atMs)) / 1000); s.atMs = 0 }
    this.remember(this.answers, answer.receipt.txId, view)
    return view
  }

  private remember<T> (map: Map<string, T>, key: string, value: T): void {
    map.delete(key)
    map.set(key, value)
    if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string)
  }

  private hex32 (v: string, what: string): string {
    if (!HEX32.test(v)) throw new HttpError(400, 'BAD_ARGUMENT', `${what} must be 64 lowercase hex digits, got "${v.slice(0, 80)}"`)
    return v
  }

  private async getTx (idRaw: string, url: URL): Promise<[number, unknown]> {
    const id = this.hex32(idRaw, 'tx ID')
    const waitMs = this.waitParam(url, 'waitMs', DEFAULT_LOOKUP_MS)
    const contractParam = url.searchParams.get('contract')
    const known = this.answers.get(id)
    if (known !== undefined) return [200, known]
    const local = await this.opts.node.localReceipt(id)
    if (local !== undefined) return [200, receiptView(local)]
    const contract = contractParam !== null ? this.hex32(contractParam, '?contract') : this.submitted.get(id)?.contract ?? await this.opts.node.findTxShard(id, TX_FIND_MS)
    if (contract === undefined) throw new HttpError(404, 'NOT_FOUND', `unknown transaction ${id}: not submitted through this node, and none of its peers holds its receipt (pending, or its shard is beyond them: add ?contract=ID to ask the shard)`)
    try {
      return [200, this.answered(await this.opts.node.waitReceipt(id, contract, Math.max(waitMs, 1)), undefined)]
    } catch (err) {
      if (err instanceof BetascoError && err.code === 'TIMEOUT') return [200, { txId: id, contract, status: 'pending' }]
      throw err
    }
  }

  /**
   * A tx to a contract no peer hosts would only wander and time out: when this node is not a
   * member, it asks the shard once (then remembers the contract) and refuses with NOT_FOUND
   * when every peer asked says it does not host it. No answer in time is no reason to refuse.
   */
  private async ensureContractExists (contract: string): Promise<void> {
    if (this.knownContracts.has(contract) || this.opts.node.shardStatus(contract) !== undefined) return
    let found
    try {
      found = await this.opts.node.lookupContract(contract, CONTRACT_LOOKUP_MS)
    } catch (err) {
      if (err instanceof BetascoError && (err.code === 'TIMEOUT' || err.code === 'UNREACHABLE')) return
      throw err
    }
    if (found === undefined) throw new HttpError(404, 'NOT_FOUND', `no peer asked hosts contract ${contract}: check the contract ID (the transaction will not commit)`)
    this.remember(this.knownContracts, contract, true)
  }

  private async contractInfo (idRaw: string): Promise<Record<string, unknown>> {
    const id = this.hex32(idRaw, 'contract ID')
    const s = this.opts.node.shardStatus(id)
    if (s === undefined || !s.config.members.some(m => m.peerId === this.opts.node.id)) {
      // not a member here: the shard's members answer (1, or f + 1 matching under PBFT)
      let found
      try {
        found = await this.opts.node.lookupContract(id, CONTRACT_LOOKUP_MS)
      } catch (err) {
        if (err instanceof BetascoError && err.code === 'TIMEOUT') throw new HttpError(504, 'TIMEOUT', `this node is not a member of contract ${id}'s shard, and ${err.message}`)
        throw err
      }
      if (found === undefined) throw new HttpError(404, 'NOT_FOUND', `contract ${id} is not hosted by this node nor by any peer asked (unknown contract?)`)
      return {
        ...configView(id, found.config, found.name, found.methods),
        height: found.height,
        leader: null,
        hostedHere: false,
        answeredBy: found.answeredBy,
      }
    }
    return {
      hostedHere: true,
      ...configView(id, s.config, s.contract?.name ?? null, s.contract?.methods ?? []),
      height: s.height,
      leader: s.leader,
      term: s.term,
      pendingTxs: s.pendingTxs,
      deployTx: s.contract?.deployTx ?? null,
    }
  }

  private async block (idRaw: string, heightRaw: string): Promise<Record<string, unknown>> {
    const id = this.hex32(idRaw, 'contract ID')
    if (!/^\d{1,15}$/.test(heightRaw)) throw new HttpError(400, 'BAD_ARGUMENT', `block height must be a non-negative integer, got "${heightRaw.slice(0, 40)}"`)
    const height = Number(heightRaw)
    if (this.opts.node.shardStatus(id) === undefined) throw new HttpError(404, 'NOT_FOUND', `contract ${id} is not hosted by this node`)
    const b = await this.opts.store.getBlock(id, height)
    if (b === undefined) throw new HttpError(404, 'NOT_FOUND', `no block ${height} of contract ${id} on this node (not yet committed, or pruned)`)
    return {
      contract: id,
      height: b.block.header.height,
      hash: blockId(b.block.header),
      header: toJsonValue(b.block.header),
      txs: b.block.txs.map(env => ({ txId: txIdOf(env.tx), envelope: envelopeToJson(env) })),
      cert: toJsonValue(b.cert),
    }
  }

  status (): Record<string, unknown> {
    const node = this.opts.node
    const peers = [...node.peers()].map(([peerId, who]) => ({ peerId, org: who.org, name: who.name }))
    return {
      peerId: node.id,
      network: node.network,
      networkName: this.opts.genesis.name,
      multiaddrs: this.opts.peer.node.getMultiaddrs().map(m => m.toString()),
      peers,
      shards: node.hostedShards().map(shard => {
        const s = node.shardStatus(shard)
        return { contract: shard, name: s?.contract?.name ?? null, consensus: s?.config.consensus, members: s?.config.members.length, height: s?.height, leader: s?.leader }
      }),
      counters: { ...node.counters },
      uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000),
    }
  }

  metrics (): string {
    const c = this.opts.node.counters
    const counter = (name: string, help: string, value: number): { name: string, help: string, type: 'counter', value: number } => ({ name, help, type: 'counter', value })
    return renderMetrics([
      counter('betasco_txs_received_total', 'Client transactions received by this entry node', c.received),
      counter('betasco_txs_forwarded_total', 'Transactions forwarded toward their shard', c.forwarded),
      counter('betasco_txs_committed_total', 'Transactions committed in shards hosted here', c.committed),
      counter('betasco_txs_failed_total', 'Transactions that failed in shards hosted here', c.failed),
      counter('betasco_txs_refused_total', 'Transactions refused at admission', c.refused),
      counter('betasco_blocks_total', 'Blocks committed in shards hosted here', c.blocks),
      counter('betasco_calls_sent_total', 'Async calls sent by shards hosted here', c.callsSent),
      counter('betasco_calls_accepted_total', 'Async calls accepted by shards hosted here', c.callsAccepted),
      counter('betasco_messages_malformed_total', 'Malformed messages from peers', c.malformed),
      { name: 'betasco_shards_hosted', help: 'Shards this node is a member of', type: 'gauge', value: this.opts.node.hostedShards().length },
      { name: 'betasco_peers', help: 'Admitted, connected peers', type: 'gauge', value: this.opts.node.peers().size },
      { name: 'betasco_event_subscribers', help: 'Open WebSocket event streams', type: 'gauge', value: this.subscribers.size },
      ...[...this.httpErrors].map(([code, n]) => counter(`betasco_http_errors_${code.toLowerCase()}_total`, `API requests answered with error ${code}`, n)),
    ], [
      { name: 'betasco_tx_latency_seconds', help: 'Submit to matching receipt, for txs submitted through this API', series: [{ labels: '', h: this.txLatency }] },
      { name: 'betasco_http_request_duration_seconds', help: 'API request handling time by route', series: [...this.httpLatency].map(([route, h]) => ({ labels: `route="${route}"`, h })) },
    ])
  }

  private async serveWeb (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'BAD_ARGUMENT', 'the web app is served with GET')
    const dir = this.opts.webDir
    const index = dir === undefined ? undefined : await stat(join(dir, 'index.html')).catch(() => undefined)
    if (dir === undefined || index === undefined) {
      if (pathname !== '/') throw new HttpError(404, 'NOT_FOUND', `no such path ${pathname}`)
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>betasco node</title><p>This node serves its API under <a href="/v1/status">/v1/</a>. The web app is not built: build it (see README) into dist/web and restart.</p>')
      return
    }
    const root = resolve(dir)
    let file = resolve(root, '.' + normalize(decodeURIComponent(pathname)))
    if (!file.startsWith(root)) throw new HttpError(400, 'BAD_ARGUMENT', 'bad path')
    const st = await stat(file).catch(() => undefined)
    if (st === undefined && extname(file) !== '') throw new HttpError(404, 'NOT_FOUND', `no such file ${pathname}`)
    // a path without a file is the app's own route: its index.html answers
    if (st === undefined || st.isDirectory()) file = st?.isDirectory() === true && await stat(join(file, 'index.html')).catch(() => undefined) !== undefined ? join(file, 'index.html') : join(root, 'index.html')
    const body = await readFile(file)
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length }).end(req.method === 'HEAD' ? undefined : body)
  }
}

/** What GET /v1/contracts/{id} says of a shard's configuration, from a member or relayed. */
function configView (contract: string, c: ShardConfig, name: string | null, methods: string[]): Record<string, unknown> {
  return {
    contract,
    name,
    methods,
    consensus: c.consensus,
    shardSize: c.shardSize,
    members: c.members,
    configVersion: c.version,
    gasLimit: c.gasLimit,
    checkpointInterval: c.checkpointInterval,
    codeHash: toHex(c.codeHash),
  }
}
