// Admission (paper §2.1, DESIGN §2): right after a connection opens, the dialling side sends its
// node certificate and the listening side answers with its own. Each side checks the other's
// certificate against the genesis (known organization CA, this network, validity window, not
// revoked) and that it names the peer ID the noise handshake authenticated. A peer that fails,
// or sends nothing within the timeout, is disconnected, denied further connections and never
// appears in the admitted set the locator routes over.
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { BetascoError, isBetascoError } from '../core/errors.ts'
import type { ErrorCode } from '../core/errors.ts'
import { LIMITS } from '../core/limits.ts'
import { bytes, int, record, str } from '../core/shape.ts'
import { verifyCertificate } from '../crypto/certificate.ts'
import type { VerifiedIdentity } from '../crypto/certificate.ts'
import type { Genesis } from '../crypto/genesis.ts'
import type { Identity } from '../crypto/identity.ts'
import { protocolId, readFrame, writeFrame } from './frames.ts'
import type { BetascoLibp2p } from './node.ts'

const MAX_HELLO_BYTES = LIMITS.maxCertBytes + 1024

export interface AdmissionOptions {
  genesis: Genesis
  identity: Identity
  /** Clock for certificate validity (tests pass a fixed one). */
  nowMs?: () => number
  /** How long a connected peer has to present a valid certificate. */
  timeoutMs?: number
  /**
   * How often the certificates of connected peers are checked again (expiry while connected).
   * 0 turns the timer off; `recheck()` can still be called.
   */
  recheckMs?: number
}

export interface Rejection {
  code: ErrorCode
  message: string
}

type Listener = (peerId: string, who: VerifiedIdentity | Rejection) => void

export class Admission {
  readonly protocol: string
  private readonly genesis: Genesis
  private readonly identity: Identity
  private readonly nowMs: () => number
  private readonly timeoutMs: number
  private readonly admitted = new Map<string, VerifiedIdentity>()
  private readonly certs = new Map<string, Uint8Array>()
  private readonly recheckMs: number
  private recheckTimer: ReturnType<typeof setInterval> | undefined
  private readonly rejected = new Map<string, Rejection>()
  /** Peers that refused this node (their certificate may be fine; ours was not to them). */
  private readonly refusedBy = new Map<string, Rejection>()
  /** Admission attempts that failed for reasons other than a verdict (timeouts, broken streams). */
  private readonly failed = new Map<string, Rejection>()
  private readonly pending = new Map<string, Promise<void>>()
  private readonly listeners = new Set<Listener>()
  private node: BetascoLibp2p | undefined
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor (opts: AdmissionOptions) {
    if (opts.identity.kind !== 'node') throw new BetascoError('BAD_ARGUMENT', 'admission needs a node identity')
    this.genesis = opts.genesis
    this.identity = opts.identity
    this.nowMs = opts.nowMs ?? Date.now
    this.timeoutMs = opts.timeoutMs ?? 10_000
    this.recheckMs = opts.recheckMs ?? 60_000
    this.protocol = protocolId(opts.genesis, 'admit')
  }

  /** For the connection gater: peers that failed admission may not reconnect. */
  readonly isDenied = (peerId: PeerId): boolean => this.rejected.has(peerId.toString())

  /** This node's own organization. */
  get ownOrg (): string { return this.identity.org }
  isAdmitted (peerId: string): boolean { return this.admitted.has(peerId) }
  identityOf (peerId: string): VerifiedIdentity | undefined { return this.admitted.get(peerId) }
  /** Admitted peers that are connected now, with their verified identities. */
  peers (): Map<string, VerifiedIdentity> { return new Map(this.admitted) }
  /** Why a peer was refused for good (a certificate verdict or a malformed handshake). */
  rejectionOf (peerId: string): Rejection | undefined { return this.rejected.get(peerId) }
  /** Why the last admission attempt with a peer failed without a verdict (it may retry). */
  failureOf (peerId: string): Rejection | undefined { return this.failed.get(peerId) }
  onChange (fn: Listener): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn) }

  async start (node: BetascoLibp2p): Promise<void> {
    this.node = node
    await node.handle(this.protocol, (stream, conn) => this.onInbound(stream, conn), { runOnLimitedConnection: true, maxInboundStreams: 8 })
    node.addEventListener('connection:open', this.onConnectionOpen)
    node.addEventListener('peer:disconnect', this.onDisconnect)
    if (this.recheckMs > 0) {
      this.recheckTimer = setInterval(() => { void this.recheck() }, this.recheckMs)
      ;(this.recheckTimer as { unref?: () => void }).unref?.()
    }
  }

  /**
   * Verifies the certificates of all admitted peers again (a certificate can expire while its
   * peer stays connected) and disconnects and denies those that no longer pass.
   * Returns the peers dropped.
   */
  async recheck (): Promise<string[]> {
    const dropped: string[] = []
    for (const [peer, cert] of [...this.certs]) {
      if (!this.admitted.has(peer)) continue
      try {
        await this.verify(cert, peer)
      } catch (err) {
        dropped.push(peer)
        await this.reject(peer, asRejection(err))
      }
    }
    return dropped
  }

  async stop (): Promise<void> {
    if (this.recheckTimer !== undefined) clearInterval(this.recheckTimer)
    this.recheckTimer = undefined
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    const node = this.node
    if (node === undefined) return
    node.removeEventListener('connection:open', this.onConnectionOpen)
    node.removeEventListener('peer:disconnect', this.onDisconnect)
    await node.unhandle(this.protocol).catch(() => {})
    this.node = undefined
  }

  /** Resolves once the peer is admitted; rejects with its rejection, or TIMEOUT. */
  async waitFor (peerId: string, timeoutMs = this.timeoutMs): Promise<VerifiedIdentity> {
    const ready = (): VerifiedIdentity | undefined => {
      const r = this.rejected.get(peerId) ?? this.refusedBy.get(peerId) ?? this.failed.get(peerId)
      if (r !== undefined) throw new BetascoError(r.code, r.message)
      return this.admitted.get(peerId)
    }
    const now = ready()
    if (now !== undefined) return now
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new BetascoError('TIMEOUT', `peer ${peerId} was not admitted within ${timeoutMs} ms`)) }, timeoutMs)
      const off = this.onChange((p) => {
        if (p !== peerId) return
        try {
          const who = ready()
          if (who !== undefined) { clearTimeout(timer); off(); resolve(who) }
        } catch (err) { clearTimeout(timer); off(); reject(err) }
      })
    })
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.admitted.delete(evt.detail.toString())
    this.certs.delete(evt.detail.toString())
  }

  private readonly onConnectionOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    const peer = conn.remotePeer.toString()
    if (this.admitted.has(peer)) return
    this.failed.delete(peer)
    this.refusedBy.delete(peer)
    if (conn.direction === 'outbound') {
      if (this.pending.has(peer)) return
      const p = this.admitOutbound(conn).finally(() => this.pending.delete(peer))
      this.pending.set(peer, p)
      return
    }
    // the dialler speaks first; one that never does is not one of ours
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (!this.admitted.has(peer) && !this.rejected.has(peer) && conn.status === 'open') {
        void this.reject(peer, { code: 'NOT_ADMITTED', message: `peer ${peer} presented no certificate within ${this.timeoutMs} ms` }, false)
      }
    }, this.timeoutMs)
    this.timers.add(timer)
  }

  private async admitOutbound (conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString()
    let stream: Stream | undefined
    try {
      const signal = AbortSignal.timeout(this.timeoutMs)
      stream = await conn.newStream(this.protocol, { signal, runOnLimitedConnection: true })
      await writeFrame(stream, { v: 1, cert: this.identity.certBytes }, MAX_HELLO_BYTES, { signal })
      const reply = parseReply(await withTimeout(readFrame(stream, MAX_HELLO_BYTES), this.timeoutMs))
      await stream.close().catch(() => {})
      if (!reply.ok) {
        // the remote refused us: drop the connection, but do not blame it
        const r: Rejection = { code: reply.code, message: `peer ${peer} refused this node: ${reply.message}` }
        this.refusedBy.set(peer, r)
        await this.node?.hangUp(conn.remotePeer).catch(() => {})
        this.emit(peer, r)
        return
      }
      this.admit(peer, await this.verify(reply.cert, peer), reply.cert)
    } catch (err) {
      stream?.abort(err as Error)
      await this.reject(peer, asRejection(err))
    }
  }

  private async onInbound (stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString()
    try {
      const hello = record(await withTimeout(readFrame(stream, MAX_HELLO_BYTES), this.timeoutMs), 'hello', ['v', 'cert'])
      int(hello.v, 'hello.v', 1, 1)
      const cert = bytes(hello.cert, 'hello.cert', 1, LIMITS.maxCertBytes)
      const who = await this.verify(cert, peer)
      await writeFrame(stream, { v: 1, ok: true, cert: this.identity.certBytes }, MAX_HELLO_BYTES)
      await stream.close().catch(() => {})
      this.admit(peer, who, cert)
    } catch (err) {
      const r = asRejection(err)
      if (stream.status === 'open') {
        await writeFrame(stream, { v: 1, ok: false, code: r.code, message: r.message.slice(0, LIMITS.maxErrorMessageLength) }, MAX_HELLO_BYTES).catch(() => {})
        await stream.close().catch(() => {})
      }
      await this.reject(peer, r)
    }
  }

  private async verify (certBytes: Uint8Array, remotePeer: string): Promise<VerifiedIdentity> {
    const who = await verifyCertificate(this.genesis, certBytes, { nowMs: this.nowMs(), kind: 'node' })
    if (who.peerId !== remotePeer) throw new BetascoError('CERT_INVALID', `certificate of "${who.name}" is for peer ${who.peerId ?? '(none)'}, but the connection is from ${remotePeer}`)
    return who
  }

  private admit (peer: string, who: VerifiedIdentity, cert: Uint8Array): void {
    this.admitted.set(peer, who)
    this.certs.set(peer, cert)
    this.emit(peer, who)
  }

  /**
   * Disconnects a peer that was not admitted. A verdict on its certificate (or a malformed
   * handshake) also denies it for good; a timeout or a broken stream does not, so a peer
   * that was merely slow on a loaded machine can connect again.
   */
  private async reject (peer: string, r: Rejection, verdict = isVerdict(r.code)): Promise<void> {
    this.admitted.delete(peer)
    this.certs.delete(peer)
    if (verdict) this.rejected.set(peer, r)
    else this.failed.set(peer, r)
    await this.node?.hangUp(peerIdFromString(peer)).catch(() => {})
    this.emit(peer, r)
  }

  private emit (peer: string, x: VerifiedIdentity | Rejection): void {
    for (const fn of [...this.listeners]) {
      try { fn(peer, x) } catch { /* a listener's failure is its own */ }
    }
  }
}

function parseReply (v: unknown): { ok: true, cert: Uint8Array } | { ok: false, code: ErrorCode, message: string } {
  const o = record(v, 'admission reply', ['v', 'ok'], ['cert', 'code', 'message'])
  int(o.v, 'reply.v', 1, 1)
  if (o.ok === true) return { ok: true, cert: bytes(o.cert, 'reply.cert', 1, LIMITS.maxCertBytes) }
  return { ok: false, code: 'NOT_ADMITTED', message: `${str(o.code, 'reply.code', 64)}: ${str(o.message, 'reply.message', LIMITS.maxErrorMessageLength)}` }
}

const VERDICTS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CERT_INVALID', 'CERT_EXPIRED', 'CERT_REVOKED', 'UNKNOWN_ORG', 'WRONG_NETWORK', 'BAD_SHAPE', 'DECODE_ERROR', 'NOT_CANONICAL', 'TOO_LARGE', 'PROTOCOL_ERROR', 'BAD_ARGUMENT'])

function isVerdict (code: ErrorCode): boolean {
  return VERDICTS.has(code)
}

function asRejection (err: unknown): Rejection {
  if (isBetascoError(err)) return { code: err.code, message: err.message }
  return { code: 'CLOSED', message: `admission failed: ${(err as Error)?.message ?? String(err)}` }
}

async function withTimeout<T> (p: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new BetascoError('TIMEOUT', `no answer within ${timeoutMs} ms`)), timeoutMs)
    })])
  } finally {
    clearTimeout(timer)
  }
}
export { withTimeout }
