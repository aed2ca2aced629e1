// Blocks (paper §2.3): hash-linked batches of transactions of one shard, carrying no state.
// The header is hashed; the consensus certificate (PBFT commit messages, Raft term) travels
// beside the block and is stored with it, outside the hash.
import { BetascoError } from './errors.ts'
import { decode, encode, type Canonical } from './encoding.ts'
import { hashOf } from './hash.ts'
import { equalBytes, toHex } from './bytes.ts'
import { LIMITS } from './limits.ts'
import { bytes, int, list, record, str } from './shape.ts'
import { checkEnvelope, HEX32, txId, type Envelope } from './transaction.ts'

export interface BlockHeader {
  v: 1
  shard: string
  height: number
  /** Hash of the previous header; 32 zero bytes for height 0 (the shard's genesis). */
  prev: Uint8Array
  /** SHA-256 over the canonical list of the block's transaction IDs. */
  txRoot: Uint8Array
  timeMs: number
  /** Version of the shard configuration in force when the block was ordered. */
  configVersion: number
}

export interface Block {
  header: BlockHeader
  txs: Envelope[]
}

export interface CommittedBlock {
  block: Block
  /** Consensus evidence that the block was committed (algorithm-specific). */
  cert: Canonical
}

export const ZERO_HASH = new Uint8Array(32)

export function txRootOf (txs: Envelope[]): Uint8Array {
  return hashOf(txs.map((e) => txId(e.tx)))
}

export function blockHash (header: BlockHeader): Uint8Array {
  return hashOf(header)
}

export function blockId (header: BlockHeader): string {
  return toHex(blockHash(header))
}

export function makeBlock (shard: string, height: number, prev: Uint8Array, txs: Envelope[], timeMs: number, configVersion: number): Block {
  return { header: { v: 1, shard, height, prev, txRoot: txRootOf(txs), timeMs, configVersion }, txs }
}

export function checkBlockHeader (v: unknown, path = 'header'): BlockHeader {
  const o = record(v, path, ['v', 'shard', 'height', 'prev', 'txRoot', 'timeMs', 'configVersion'])
  if (o.v !== 1) throw new BetascoError('BAD_SHAPE', `${path}.v: unsupported version ${String(o.v)}`)
  return {
    v: 1,
    shard: str(o.shard, `${path}.shard`, 64, HEX32),
    height: int(o.height, `${path}.height`),
    prev: bytes(o.prev, `${path}.prev`, 32),
    txRoot: bytes(o.txRoot, `${path}.txRoot`, 32),
    timeMs: int(o.timeMs, `${path}.timeMs`),
    configVersion: int(o.configVersion, `${path}.configVersion`),
  }
}

/** Checks shape and that the header's txRoot matches the transactions. */
export function checkBlock (v: unknown, path = 'block'): Block {
  const o = record(v, path, ['header', 'txs'])
  const block = {
    header: checkBlockHeader(o.header, `${path}.header`),
    txs: list(o.txs, `${path}.txs`, LIMITS.maxTxsPerBlock, (t, p) => checkEnvelope(t, p)),
  }
  if (!equalBytes(block.header.txRoot, txRootOf(block.txs))) {
    throw new BetascoError('BAD_SHAPE', `${path}.header.txRoot: does not match the transactions`)
  }
  return block
}

/** Verifies that `next` extends `prev` (same shard, next height, linked hash). */
export function checkLink (prev: BlockHeader, next: BlockHeader): void {
  if (next.shard !== prev.shard || next.height !== prev.height + 1 || !equalBytes(next.prev, blockHash(prev))) {
    throw new BetascoError('BAD_SHAPE', `block ${next.height} of ${next.shard.slice(0, 8)} does not extend block ${prev.height}`)
  }
}

export function encodeCommittedBlock (cb: CommittedBlock): Uint8Array {
  const out = encode(cb)
  if (out.length > LIMITS.maxBlockBytes) throw new BetascoError('TOO_LARGE', `block is ${out.length} bytes, limit is ${LIMITS.maxBlockBytes}`)
  return out
}

export function decodeCommittedBlock (data: Uint8Array): CommittedBlock {
  const o = record(decode(data, LIMITS.maxBlockBytes), 'committedBlock', ['block', 'cert'])
  return { block: checkBlock(o.block), cert: o.cert as Canonical }
}

