// BetascoClient: an application's handle on a node's HTTP + WebSocket API (DESIGN §7). The same
// code runs in Node and browsers: fetch and WebSocket only. Transactions are signed here, with
// the client's identity; their ID is the hash of the body, so a retry after a lost answer sends
// the very same transaction and the shard executes it at most once.
import { toHex } from '../core/bytes.ts'
import { BetascoError, type ErrorCode } from '../core/errors.ts'
import type { Json } from '../core/shape.ts'
import type { Receipt } from '../core/receipt.ts'
import { contractIdFor, txId, type Envelope, type TxBody } from '../core/transaction.ts'
import { signEnvelope } from '../crypto/envelope.ts'
import { identityId } from '../crypto/certificate.ts'
import type { Identity } from '../crypto/identity.ts'
import { envelopeToJson } from './wire.ts'

export type Consensus = 'solo' | 'raft' | 'pbft'

export interface TxStatus {
  txId: string
  contract: string
  status: 'pending' | 'committed' | 'failed'
  result?: Json
  error?: { code: string, message: string } | null
  block?: number
  matching?: number
  needed?: number
  receipt?: Receipt
}

export interface NodeStatus {
  peerId: string
  network: string
  networkName: string
  multiaddrs: string[]
  peers: Array<{ peerId: string, org: string, name: string }>
  shards: Array<{ contract: string, name: string | null, consensus: Consensus, members: number, height: number, leader: string | null }>
  counters: Record<string, number>
  uptimeS: number
}

export interface ContractInfo {
  contract: string
  name: string | null
  methods: string[]
  consensus: Consensus
  shardSize: number
  members: Array<{ peerId: string, org: string }>
  configVersion: number
  height: number
  /** Known only to members: null when a peer outside the shard answered. */
  leader: string | null
  /** Whether the peer asked is a member of the contract's shard. */
  hostedHere: boolean
  /** When it is not: the members whose matching answers it relays (1, or f + 1 under PBFT). */
  answeredBy?: string[]
  [key: string]: unknown
}

export type NodeEventMessage =
  | { type: 'hello', peerId: string, network: string }
  | { type: 'block', shard: string, height: number, txs: number }
  | { type: 'receipt', receipt: Receipt }
  | { type: 'shard', shard: string, config: Record<string, unknown> }
  | { type: 'peer', peer: string, connected: boolean, org: string | null }
  | { type: string, [key: string]: unknown }

export interface ClientOptions {
  /** The node's API, e.g. http://127.0.0.1:8080 */
  url: string
  /** Signs deploys and calls; reads need none. */
  identity?: Identity
  /** Attempts per request on network errors and 5xx answers (default 4). */
  retries?: number
  retryDelayMs?: number
  fetch?: typeof fetch
  /** Event source instead of `WS /v1/events` (a local node: see localNodeEvents). */
  events?: (onEvent: (e: NodeEventMessage) => void) => () => void
}

export interface DeployOptions {
  shardSize: number
  consensus: Consensus
  gasLimit?: number
  checkpointInterval?: number
  nonce?: string
}

export interface WaitOptions {
  /** Wait for the receipt (default true). */
  wait?: boolean
  timeoutMs?: number
  /** Called while waiting, about once a second. */
  onProgress?: (elapsedMs: number) => void
}

function randomNonce (): string {
  const b = new Uint8Array(12)
  globalThis.crypto.getRandomValues(b)
  return toHex(b)
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

export class BetascoClient {
  readonly url: string
  readonly identity: Identity | undefined
  private readonly retries: number
  private readonly retryDelayMs: number
  private readonly fetchFn: typeof fetch
  private readonly events: ClientOptions['events']
  private networkIdCache: string | undefined

  constructor (opts: ClientOptions) {
    this.url = opts.url.replace(/\/+$/, '')
    this.identity = opts.identity
    this.retries = Math.max(1, Math.min(opts.retries ?? 4, 20))
    this.retryDelayMs = opts.retryDelayMs ?? 250
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis)
    this.events = opts.events
  }

  // ── requests ─────────────────────────────────────────────────────────────────────────────

  /** One API call with retries on network errors and 5xx; 4xx answers throw their coded error. */
  async request<T> (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number, body: T }> {
    let last: unknown
    for (let attempt = 0; attempt < this.retries; attempt++) {
      if (attempt > 0) await sleep(this.retryDelayMs * 2 ** (attempt - 1))
      let res: Response
      try {
        res = await this.fetchFn(this.url + path, {
          method,
          ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {})
        })
      } catch (err) {
        last = new BetascoError('UNREACHABLE', `cannot reach the node API at ${this.url}: ${(err as Error).message}`)
        continue
      }
      const text = await res.text()
      let parsed: unknown
      try { parsed = text === '' ? undefined : JSON.parse(text) } catch { parsed = text }
      if (res.ok) return { status: res.status, body: parsed as T }
      const e = (parsed as { error?: { code?: string, message?: string } } | undefined)?.error
      const err = new BetascoError((e?.code ?? 'INTERNAL') as ErrorCode, e?.message ?? `HTTP ${res.status} from ${method} ${path}`, { status: res.status })
      if (res.status < 500 || res.status === 501) throw err // 501: retrying will not help
      last = err
    }
    throw last
  }

  async status (): Promise<NodeStatus> {
    const s = (await this.request<NodeStatus>('GET', '/v1/status')).body
    this.networkIdCache = s.network
    return s
  }

  async networkId (): Promise<string> {
    return this.networkIdCache ?? (await this.status()).network
  }

  async contract (id: string): Promise<ContractInfo> {
    return (await this.request<ContractInfo>('GET', `/v1/contracts/${encodeURIComponent(id)}`)).body
  }

  async block (contract: string, height: number): Promise<Record<string, unknown>> {
    return (await this.request<Record<string, unknown>>('GET', `/v1/contracts/${encodeURIComponent(contract)}/blocks/${height}`)).body
  }

  async metrics (): Promise<string> {
    const res = await this.fetchFn(this.url + '/v1/metrics')
    return await res.text()
  }

  /** A transaction's status now (or after waiting up to waitMs on the node). */
  async tx (id: string, opts: { contract?: string, waitMs?: number } = {}): Promise<TxStatus> {
    const q = new URLSearchParams()
    if (opts.contract !== undefined) q.set('contract', opts.contract)
    if (opts.waitMs !== undefined) q.set('waitMs', String(opts.waitMs))
    const qs = q.size > 0 ? `?${q.toString()}` : ''
    return (await this.request<TxStatus>('GET', `/v1/tx/${encodeURIComponent(id)}${qs}`)).body
  }

  // ── transactions ─────────────────────────────────────────────────────────────────────────

  private signer (): Identity {
    if (this.identity === undefined) throw new BetascoError('BAD_ARGUMENT', 'this client has no identity to sign with (pass { identity })')
    return this.identity
  }

  async deployTx (code: string, opts: DeployOptions): Promise<Envelope> {
    const id = this.signer()
    const network = await this.networkId()
    const from = identityId(id.publicKey)
    const nonce = opts.nonce ?? randomNonce()
    const tx: TxBody = {
      v: 1, network, kind: 'deploy', contract: contractIdFor(network, from, nonce, code), method: 'onCreate', arg: null, nonce, from,
      deploy: { code, shardSize: opts.shardSize, consensus: opts.consensus, gasLimit: opts.gasLimit ?? 1_000_000, checkpointInterval: opts.checkpointInterval ?? 100 }
    }
    return await signEnvelope(tx, id)
  }

  async invokeTx (contract: string, method: string, arg: Json = null, nonce = randomNonce()): Promise<Envelope> {
    const id = this.signer()
    const tx: TxBody = { v: 1, network: await this.networkId(), kind: 'invoke', contract, method, arg, nonce, from: identityId(id.publicKey) }
    return await signEnvelope(tx, id)
  }

  /**
   * Submits a signed transaction and (by default) waits until enough members report the same
   * receipt. Lost answers are retried with the same transaction: idempotent by tx ID.
   */
  async submit (env: Envelope, opts: WaitOptions = {}): Promise<TxStatus> {
    const path = env.tx.kind === 'deploy' ? '/v1/contracts' : '/v1/tx'
    const id = txId(env.tx)
    const wait = opts.wait ?? true
    const timeoutMs = opts.timeoutMs ?? 60_000
    const first = Math.min(timeoutMs, 5_000)
    const started = Date.now()
    const ticker = opts.onProgress === undefined ? undefined : setInterval(() => opts.onProgress?.(Date.now() - started), 1000)
    try {
      const res = await this.request<TxStatus>('POST', `${path}${wait ? `?wait=1&timeoutMs=${first}` : ''}`, envelopeToJson(env))
      let status = res.body
      while (wait && status.status === 'pending') {
        const left = timeoutMs - (Date.now() - started)
        if (left <= 0) throw new BetascoError('TIMEOUT', `tx ${id} still pending after ${timeoutMs} ms (check later: betasco tx ${id})`, { txId: id, contract: env.tx.contract })
        status = await this.tx(id, { contract: env.tx.contract, waitMs: Math.min(left, 5_000) })
        if (status.status === 'pending') {
          // resend: the first copy may have been lost with a crashed member (same tx, same ID)
          await this.request<TxStatus>('POST', path, envelopeToJson(env)).catch(() => {})
        }
      }
      return status
    } finally {
      if (ticker !== undefined) clearInterval(ticker)
    }
  }

  async deploy (code: string, opts: DeployOptions & WaitOptions): Promise<TxStatus> {
    return await this.submit(await this.deployTx(code, opts), opts)
  }

  async call (contract: string, method: string, arg: Json = null, opts: WaitOptions & { nonce?: string } = {}): Promise<TxStatus> {
    return await this.submit(await this.invokeTx(contract, method, arg, opts.nonce), opts)
  }

  // ── events ───────────────────────────────────────────────────────────────────────────────

  /** Streams the node's events (blocks, receipts, shards, peers). Returns a handle to stop it. */
  subscribe (onEvent: (e: NodeEventMessage) => void, opts: { types?: string[], onError?: (err: Error) => void } = {}): { close: () => void, opened: Promise<void> } {
    if (this.events !== undefined) {
      const types = opts.types === undefined ? undefined : new Set(['hello', ...opts.types])
      const off = this.events((e) => { if (types === undefined || types.has(e.type)) onEvent(e) })
      return { close: off, opened: Promise.resolve() }
    }
    const ws = new WebSocket(this.url.replace(/^http/, 'ws') + '/v1/events' + (opts.types !== undefined ? `?types=${opts.types.join(',')}` : ''))
    const opened = new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve())
      ws.addEventListener('error', () => reject(new BetascoError('UNREACHABLE', `cannot open ${this.url}/v1/events`)))
    })
    opened.catch(() => {})
    ws.addEventListener('message', (m: MessageEvent) => {
      try { onEvent(JSON.parse(String(m.data)) as NodeEventMessage) } catch (err) { opts.onError?.(err as Error) }
    })
    ws.addEventListener('error', () => opts.onError?.(new BetascoError('UNREACHABLE', 'event stream error')))
    return { close: () => ws.close(), opened }
  }
}
