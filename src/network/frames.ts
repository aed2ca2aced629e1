// Wire framing of BETASCO protocols: each message is one canonical-CBOR value behind an
// unsigned-varint length prefix. Sizes are checked before decoding; a malformed, non-canonical
// or oversized frame aborts that stream (never the node). Writes wait for drain (backpressure).
import * as lp from 'it-length-prefixed'
import type { Stream } from '@libp2p/interface'
import { BetascoError, isBetascoError } from '../core/errors.ts'
import { decode, encode } from '../core/encoding.ts'
import type { Genesis } from '../crypto/genesis.ts'
import { protocolPrefix } from './node.ts'

/** Versioned protocol ID of this network: `/betasco/<net16>/<name>/<version>`. */
export function protocolId (genesis: Genesis, name: string, version = '1.0.0'): string {
  return `${protocolPrefix(genesis)}/${name}/${version}`
}

/** Sends one frame; waits for the stream to drain when its write buffer is full. */
export async function writeFrame (stream: Stream, value: unknown, maxBytes: number, options?: { signal?: AbortSignal }): Promise<void> {
  const bytes = encode(value)
  if (bytes.length > maxBytes) throw new BetascoError('TOO_LARGE', `frame of ${bytes.length} bytes exceeds the limit of ${maxBytes}`)
  const framed = lp.encode.single(bytes)
  if (!stream.send(framed)) await stream.onDrain(options)
}

/**
 * Reads frames from a stream, each decoded strictly (canonical CBOR, at most maxBytes). Any
 * framing or decoding error aborts the stream and is rethrown as PROTOCOL_ERROR or TOO_LARGE.
 */
export function frameReader (stream: Stream, maxBytes: number): { next: () => Promise<unknown> } {
  const frames = lp.decode(stream, { maxDataLength: maxBytes })
  return {
    async next (): Promise<unknown> {
      let item
      try {
        item = await frames.next()
      } catch (err) {
        // length-prefix errors are the peer's fault; anything else is the stream failing
        const name = (err as Error)?.name
        const code = name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError'
          ? 'TOO_LARGE'
          : name === 'InvalidMessageLengthError' ? 'PROTOCOL_ERROR' : 'CLOSED'
        const e = new BetascoError(code, code === 'CLOSED' ? `stream ${stream.protocol} failed: ${(err as Error).message}` : `bad frame on ${stream.protocol}: ${(err as Error).message}`)
        stream.abort(e)
        throw e
      }
      if (item.done === true) throw new BetascoError('CLOSED', `stream ${stream.protocol} ended before a frame arrived`)
      try {
        return decode(item.value.subarray(), maxBytes)
      } catch (err) {
        const e = isBetascoError(err) ? new BetascoError(err.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'PROTOCOL_ERROR', `bad frame on ${stream.protocol}: ${err.message}`) : new BetascoError('PROTOCOL_ERROR', String(err))
        stream.abort(e)
        throw e
      }
    }
  }
}

/** Reads exactly one frame (a request or a response). */
export async function readFrame (stream: Stream, maxBytes: number): Promise<unknown> {
  return await frameReader(stream, maxBytes).next()
}
