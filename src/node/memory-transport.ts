// An in-memory network of nodes for tests: admission by certificate against the genesis, FIFO
// delivery per pair on the event loop, and fault injection (isolate, drop, reconnect).
import { BetascoError } from '../core/errors.ts'
import { verifyCertificate, type VerifiedIdentity } from '../crypto/certificate.ts'
import type { Genesis } from '../crypto/genesis.ts'
import type { Identity } from '../crypto/identity.ts'
import type { NodeTransport } from './transport.ts'

interface Endpoint {
  identity: VerifiedIdentity
  handler: ((from: string, data: Uint8Array) => void) | null
  open: boolean
}

export class MemoryHub {
  private readonly endpoints = new Map<string, Endpoint>()
  private readonly isolated = new Set<string>()
  /** Messages delivered and dropped, for tests. */
  delivered = 0
  dropped = 0
  private readonly genesis: Genesis
  private queue: Array<() => void> = []
  private flushing = false
  constructor (genesis: Genesis) { this.genesis = genesis }

  /** Admits a node by its certificate and returns its transport. */
  async join (identity: Identity, nowMs = Date.now()): Promise<NodeTransport> {
    const verified = await verifyCertificate(this.genesis, identity.certBytes, { nowMs, kind: 'node' })
    if (verified.peerId === undefined || verified.peerId !== identity.peerId) throw new BetascoError('NOT_ADMITTED', 'node certificate without its peer ID')
    const self = verified.peerId
    const ep: Endpoint = { identity: verified, handler: null, open: true }
    this.endpoints.set(self, ep)
    this.isolated.delete(self)
    const hub = this
    return {
      self,
      peers () {
        const out = new Map<string, VerifiedIdentity>()
        if (hub.isolated.has(self) || !ep.open) return out
        for (const [id, other] of hub.endpoints) if (id !== self && other.open && !hub.isolated.has(id)) out.set(id, other.identity)
        return out
      },
      send (to, data) { hub.deliver(self, to, data) },
      onMessage (handler) { ep.handler = handler },
      async close () { ep.open = false; if (hub.endpoints.get(self) === ep) hub.endpoints.delete(self) }
    }
  }

  /** Cuts a node off (messages to and from it are dropped) until `reconnect`. */
  isolate (peerId: string): void { this.isolated.add(peerId) }
  reconnect (peerId: string): void { this.isolated.delete(peerId) }

  private deliver (from: string, to: string, data: Uint8Array): void {
    const target = this.endpoints.get(to)
    if (target === undefined || !target.open || this.isolated.has(from) || this.isolated.has(to)) { this.dropped++; return }
    const copy = data.slice()
    this.queue.push(() => {
      if (!target.open || target.handler === null || this.isolated.has(to) || this.isolated.has(from)) { this.dropped++; return }
      this.delivered++
      target.handler(from, copy)
    })
    if (!this.flushing) {
      this.flushing = true
      setTimeout(() => this.flush(), 0)
    }
  }

  /** Delivers everything queued so far in one macrotask (timers and I/O get their turn between). */
  private flush (): void {
    const batch = this.queue
    this.queue = []
    this.flushing = false
    for (const deliver of batch) {
      try { deliver() } catch { /* a receiver's fault stays with the receiver */ }
    }
    if (this.queue.length > 0 && !this.flushing) {
      this.flushing = true
      setTimeout(() => this.flush(), 0)
    }
  }
}
