// A minimal WebSocket server side (RFC 6455) for `WS /v1/events`: the handshake, unfragmented
// server-to-client text frames, and the client's close and ping frames. The API only pushes
// events, so nothing more is needed; inbound frames are bounded and otherwise ignored.
import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const MAX_INBOUND_FRAME = 4096
/** Above this many unsent bytes an event is dropped for this subscriber (a slow reader). */
const MAX_BUFFERED = 1024 * 1024

export class EventSocket {
  private readonly socket: Duplex
  private closed = false
  private pending = Buffer.alloc(0)
  dropped = 0
  onClose: (() => void) | undefined

  constructor (socket: Duplex) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => { this.onData(chunk) })
    socket.on('close', () => { this.finish() })
    socket.on('error', () => { this.finish() })
  }

  get isOpen (): boolean { return !this.closed }

  sendText (text: string): void {
    if (this.closed) return
    if ((this.socket as Duplex & { writableLength: number }).writableLength > MAX_BUFFERED) { this.dropped++; return }
    this.socket.write(frame(0x1, Buffer.from(text, 'utf8')))
  }

  close (code = 1000): void {
    if (this.closed) return
    const payload = Buffer.alloc(2)
    payload.writeUInt16BE(code)
    this.socket.end(frame(0x8, payload))
    this.finish()
  }

  private finish (): void {
    if (this.closed) return
    this.closed = true
    this.onClose?.()
  }

  private onData (chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk])
    while (this.pending.length >= 2) {
      const b0 = this.pending[0]!
      const b1 = this.pending[1]!
      const opcode = b0 & 0x0f
      const masked = (b1 & 0x80) !== 0
      let len = b1 & 0x7f
      let offset = 2
      if (len === 126) {
        if (this.pending.length < 4) return
        len = this.pending.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        this.close(1009)
        return
      }
      if (len > MAX_INBOUND_FRAME || !masked) { this.close(len > MAX_INBOUND_FRAME ? 1009 : 1002); return }
      if (this.pending.length < offset + 4 + len) return
      const mask = this.pending.subarray(offset, offset + 4)
      const payload = Buffer.from(this.pending.subarray(offset + 4, offset + 4 + len))
      for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!
      this.pending = this.pending.subarray(offset + 4 + len)
      if (opcode === 0x8) { this.close(); return }
      if (opcode === 0x9 && !this.closed) this.socket.write(frame(0xa, payload))
    }
  }
}

function frame (opcode: number, payload: Buffer): Buffer {
  const n = payload.length
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
  if (n >= 126 && n < 65536) { head[0] = 0x80 | opcode; head[1] = 126; head.writeUInt16BE(n, 2) }
  if (n >= 65536) { head[0] = 0x80 | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2) }
  return Buffer.concat([head, payload])
}

/** Completes the handshake, or answers 400 and returns undefined. */
export function acceptWebSocket (req: IncomingMessage, socket: Duplex, extraHeaders: Record<string, string> = {}): EventSocket | undefined {
  const key = req.headers['sec-websocket-key']
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n' + JSON.stringify({ error: { code: 'BAD_ARGUMENT', message: 'expected a WebSocket (version 13) upgrade' } }))
    return undefined
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64')
  const extra = Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`)
  return new EventSocket(socket)
}
