// The node's transport over libp2p: one protocol of this network carries the shard layer's
// messages, one long-lived stream per peer and direction, frames of canonical CBOR. Only
// admitted peers (certificate checked by src/network/admission) are sent to or heard from.
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import type { VerifiedIdentity } from '../crypto/certificate.ts'
import type { Genesis } from '../crypto/genesis.ts'
import { frameReader, protocolId, writeFrame } from '../network/frames.ts'
import type { NetworkPeer } from '../network/peer.ts'
import type { NodeTransport } from './transport.ts'
import { MAX_NODE_MESSAGE_BYTES } from './wire.ts'

/** Messages queued for one peer before new ones are dropped (the layers above retry). */
const MAX_QUEUED = 4096

interface Outbound {
  stream: Promise<Stream> | undefined
  queue: Uint8Array[]
  draining: boolean
}

export class Libp2pTransport implements NodeTransport {
  readonly self: string
  readonly protocol: string
  /** Messages dropped because a peer was unreachable or its queue was full. */
  dropped = 0
  private readonly peer: NetworkPeer
  private handler: ((from: string, data: Uint8Array) => void) | null = null
  private readonly out = new Map<string, Outbound>()
  private closed = false

  private constructor (peer: NetworkPeer, genesis: Genesis) {
    this.peer = peer
    this.self = peer.peerId
    this.protocol = protocolId(genesis, 'shard')
  }

  static async create (peer: NetworkPeer, genesis: Genesis): Promise<Libp2pTransport> {
    const t = new Libp2pTransport(peer, genesis)
    await peer.node.handle(t.protocol, (stream, conn) => { void t.onInbound(stream, conn.remotePeer.toString()) }, { maxInboundStreams: 256, runOnLimitedConnection: true })
    return t
  }

  peers (): ReadonlyMap<string, VerifiedIdentity> {
    return this.peer.admission.peers()
  }

  onMessage (handler: (from: string, data: Uint8Array) => void): void {
    this.handler = handler
  }

  send (to: string, data: Uint8Array): void {
    if (this.closed) { this.dropped++; return }
    if (!this.peer.admission.isAdmitted(to)) {
      // Not connected: dial it (its addresses come from identify and the DHT) and send once
      // it is admitted; meanwhile, and if that fails, messages are dropped (the layers above retry).
      this.dialLater(to)
      this.dropped++
      return
    }
    let o = this.out.get(to)
    if (o === undefined) {
      o = { stream: undefined, queue: [], draining: false }
      this.out.set(to, o)
    }
    if (o.queue.length >= MAX_QUEUED) { this.dropped++; return }
    o.queue.push(data)
    if (!o.draining) void this.drain(to, o)
  }

  async close (): Promise<void> {
    this.closed = true
    await this.peer.node.unhandle(this.protocol).catch(() => {})
    for (const o of this.out.values()) {
      o.queue.length = 0
      const s = await o.stream?.catch(() => undefined)
      await s?.close().catch(() => {})
    }
    this.out.clear()
  }

  private readonly dialing = new Map<string, number>()

  learn (peerId: string, addrs: string[]): void {
    if (this.closed || peerId === this.self || addrs.length === 0 || this.peer.admission.isAdmitted(peerId)) return
    void (async () => {
      try {
        await this.peer.node.peerStore.merge(peerIdFromString(peerId), { multiaddrs: addrs.slice(0, 16).map(a => multiaddr(a)) })
        this.dialLater(peerId)
      } catch { /* a bad address teaches nothing */ }
    })()
  }

  private dialLater (to: string): void {
    const last = this.dialing.get(to) ?? 0
    if (Date.now() - last < 5_000) return
    this.dialing.set(to, Date.now())
    if (this.dialing.size > 1024) this.dialing.clear()
    void (async () => {
      try {
        await this.peer.node.dial(peerIdFromString(to), { signal: AbortSignal.timeout(10_000) })
        await this.peer.admission.waitFor(to, 10_000)
      } catch { /* unreachable for now */ }
    })()
  }

  private async drain (to: string, o: Outbound): Promise<void> {
    o.draining = true
    try {
      while (o.queue.length > 0 && !this.closed) {
        o.stream ??= this.peer.node.dialProtocol(peerIdFromString(to), this.protocol, { signal: AbortSignal.timeout(10_000), runOnLimitedConnection: true })
        let stream: Stream
        try {
          stream = await o.stream
          await writeFrame(stream, o.queue[0], MAX_NODE_MESSAGE_BYTES, { signal: AbortSignal.timeout(30_000) })
          o.queue.shift()
        } catch {
          // The stream or the connection broke: drop this message and reopen for the next one.
          o.queue.shift()
          this.dropped++
          o.stream = undefined
          if (!this.peer.admission.isAdmitted(to)) { this.dropped += o.queue.length; o.queue.length = 0 }
        }
      }
    } finally {
      o.draining = false
    }
  }

  private async onInbound (stream: Stream, from: string): Promise<void> {
    if (!this.peer.admission.isAdmitted(from)) {
      // Admission runs on connection open; give it a moment before refusing the stream.
      try { await this.peer.admission.waitFor(from, 5_000) } catch { stream.abort(new Error('not admitted')); return }
    }
    const reader = frameReader(stream, MAX_NODE_MESSAGE_BYTES)
    for (;;) {
      let value: unknown
      try {
        value = await reader.next()
      } catch {
        return // closed, or a bad frame (the reader aborted the stream)
      }
      if (!(value instanceof Uint8Array)) { stream.abort(new Error('expected a byte string frame')); return }
      if (this.closed) return
      try { this.handler?.(from, value) } catch { /* the node counts its own faults */ }
    }
  }
}
