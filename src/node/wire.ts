// Messages between the shard layers of two nodes. Canonical CBOR, shape-checked on receipt:
// anything malformed is dropped (and counted) without touching any shard.
import { BetascoError } from '../core/errors.ts'
import { decode, encode } from '../core/encoding.ts'
import { LIMITS } from '../core/limits.ts'
import { checkReceipt, type Receipt } from '../core/receipt.ts'
import { bytes, int, list, oneOf, record, str } from '../core/shape.ts'
import { checkShardConfig, type ShardConfig } from '../core/shard-config.ts'
import { checkEnvelope, HEX32, type Envelope } from '../core/transaction.ts'

export type NodeMessage =
  /** A consensus message of one shard. */
  | { t: 'ord', shard: string, data: Uint8Array }
  /** Shard formation: the deploy transaction with the configuration (version 0) it forms. */
  | { t: 'form', config: ShardConfig, env: Envelope }
  /** A client transaction on its way to a member of its contract's shard (Algorithm 1). */
  | { t: 'submit', env: Envelope, ttl: number }
  /** One member's copy of a contract-issued transaction, with the caller shard's configuration. */
  | { t: 'call', env: Envelope, caller: ShardConfig }
  /** Receipt query and answer (`needed`: the answering member's 1 or f + 1). */
  | { t: 'rq', txId: string, shard: string }
  | { t: 'rr', txId: string, receipt: Receipt | null, needed: number }
  /** A shard added this node as a member: its first configuration, to catch up from. */
  | { t: 'join', shard: string, config: ShardConfig, certs: Uint8Array[] }
  /** Contract query, and its answer: `config` null when the answering node is not a member. */
  | { t: 'cq', shard: string }
  | { t: 'ca', shard: string, config: ShardConfig | null, height: number, name: string | null, methods: string[] }
  /** Which shard committed a transaction? Answered by nodes holding its receipt (else null). */
  | { t: 'tq', txId: string }
  | { t: 'ta', txId: string, shard: string | null }

export const MAX_NODE_MESSAGE_BYTES = 40 * 1024 * 1024

export function encodeNodeMessage (m: NodeMessage): Uint8Array {
  return encode(m)
}

export function decodeNodeMessage (data: Uint8Array): NodeMessage {
  const v = decode(data, MAX_NODE_MESSAGE_BYTES)
  const t = oneOf(record(v, 'message', ['t'], ['shard', 'data', 'config', 'env', 'ttl', 'caller', 'txId', 'receipt', 'needed', 'certs', 'height', 'name', 'methods']).t, 'message.t', ['ord', 'form', 'submit', 'call', 'rq', 'rr', 'join', 'cq', 'ca', 'tq', 'ta'] as const)
  const o = v as Record<string, unknown>
  switch (t) {
    case 'ord': record(v, 'ord', ['t', 'shard', 'data']); return { t, shard: str(o.shard, 'ord.shard', 64, HEX32), data: bytes(o.data, 'ord.data', 0, MAX_NODE_MESSAGE_BYTES) }
    case 'form': record(v, 'form', ['t', 'config', 'env']); return { t, config: checkShardConfig(o.config, 'form.config'), env: checkEnvelope(o.env, 'form.env') }
    case 'submit': record(v, 'submit', ['t', 'env', 'ttl']); return { t, env: checkEnvelope(o.env, 'submit.env'), ttl: int(o.ttl, 'submit.ttl', 0, 64) }
    case 'call': record(v, 'call', ['t', 'env', 'caller']); return { t, env: checkEnvelope(o.env, 'call.env'), caller: checkShardConfig(o.caller, 'call.caller') }
    case 'join': {
      record(v, 'join', ['t', 'shard', 'config', 'certs'])
      return { t, shard: str(o.shard, 'join.shard', 64, HEX32), config: checkShardConfig(o.config, 'join.config'), certs: list(o.certs, 'join.certs', 1024, (c, p) => bytes(c, p, 1, LIMITS.maxCertBytes)) }
    }
    case 'cq': record(v, 'cq', ['t', 'shard']); return { t, shard: str(o.shard, 'cq.shard', 64, HEX32) }
    case 'ca': {
      record(v, 'ca', ['t', 'shard', 'config', 'height', 'name', 'methods'])
      return {
        t,
        shard: str(o.shard, 'ca.shard', 64, HEX32),
        config: o.config === null ? null : checkShardConfig(o.config, 'ca.config'),
        height: int(o.height, 'ca.height', -1),
        name: o.name === null ? null : str(o.name, 'ca.name', 256),
        methods: list(o.methods, 'ca.methods', 1024, (x, p) => str(x, p, LIMITS.maxMethodLength)),
      }
    }
    case 'tq': record(v, 'tq', ['t', 'txId']); return { t, txId: str(o.txId, 'tq.txId', 64, HEX32) }
    case 'ta': record(v, 'ta', ['t', 'txId', 'shard']); return { t, txId: str(o.txId, 'ta.txId', 64, HEX32), shard: o.shard === null ? null : str(o.shard, 'ta.shard', 64, HEX32) }
    case 'rq': record(v, 'rq', ['t', 'txId', 'shard']); return { t, txId: str(o.txId, 'rq.txId', 64, HEX32), shard: str(o.shard, 'rq.shard', 64, HEX32) }
    case 'rr': {
      record(v, 'rr', ['t', 'txId', 'receipt', 'needed'])
      return { t, txId: str(o.txId, 'rr.txId', 64, HEX32), receipt: o.receipt === null ? null : checkReceipt(o.receipt, 'rr.receipt'), needed: int(o.needed, 'rr.needed', 1, LIMITS.maxShardMembers) }
    }
  }
  throw new BetascoError('BAD_SHAPE', 'message.t: unknown message type')
}
