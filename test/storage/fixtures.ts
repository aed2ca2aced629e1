// A deterministic sample chain for the storage tests: blocks, receipts and state writes are a
// pure function of (shard, height, prev), so a test (or a crash-test child process, or a page
// in Chromium) can rebuild what every block must have written.
import {
  blockHash, makeBlock, txId, ZERO_HASH,
  type Canonical, type Checkpoint, type CommittedBlock, type Envelope, type Receipt, type ShardConfig,
} from '../../src/core/index.ts'
import type { ApplyBatch, LedgerStore, StateWrite } from '../../src/storage/index.ts'
import { stateDigest } from '../../src/storage/index.ts'

export const SHARD_A = 'a'.repeat(64)
export const SHARD_B = 'b'.repeat(64)
export const SHARD_C = 'c'.repeat(64)
const NETWORK = 'e'.repeat(64)
const FROM = 'f'.repeat(64)

export function shardId (n: number): string {
  return n.toString(16).padStart(64, '0')
}

export interface ChainOptions {
  /** Transactions in the block (default 1 + height % 3). */
  txs?: number
  /** Size of each transaction's string argument (default: a small map). */
  argChars?: number
  /** Size of a `blob` state value written by every block (default: none). */
  blobBytes?: number
  /** Distinguishes competing blocks at one height. */
  timeMs?: number
}

export function sampleEnvelope (shard: string, height: number, i: number, argChars = 0): Envelope {
  return {
    tx: {
      v: 1, network: NETWORK, kind: 'invoke', contract: shard, method: 'call',
      arg: argChars > 0 ? 'x'.repeat(argChars) : { h: height, i }, nonce: `${height}-${i}`, from: FROM,
    },
    proofs: [{ cert: new Uint8Array([1, 2, 3]), sig: new Uint8Array(64).fill(7) }],
  }
}

export function sampleConfig (shard: string, version: number, fromHeight = 0): ShardConfig {
  return {
    v: 1, contract: shard, version, fromHeight, consensus: 'raft', shardSize: 1 + version,
    members: Array.from({ length: 1 + version }, (_, i) => ({ peerId: `peer-${i}`, org: `org${i % 2}` })),
    gasLimit: 1_000_000, checkpointInterval: 5, codeHash: new Uint8Array(32).fill(9),
  }
}

export function blob (height: number, size: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (height * 31 + i) & 255
  return out
}

export function stateWritesAt (height: number, blobBytes = 0): StateWrite[] {
  const writes: StateWrite[] = [
    { type: 'put', key: 'height', value: height },
    { type: 'put', key: `k${height % 7}`, value: { h: height, tag: `v${height}` } },
  ]
  if (height % 2 === 1) writes.push({ type: 'del', key: `k${(height + 3) % 7}` })
  if (blobBytes > 0) writes.push({ type: 'put', key: 'blob', value: blob(height, blobBytes) })
  return writes
}

/** The state after blocks 0..height of the sample chain (from genesis). */
export function expectedStateAt (height: number, blobBytes = 0): Map<string, Canonical> {
  const state = new Map<string, Canonical>()
  for (let h = 0; h <= height; h++) {
    for (const w of stateWritesAt(h, blobBytes)) {
      if (w.type === 'put') state.set(w.key, w.value)
      else state.delete(w.key)
    }
  }
  return state
}

export function sampleBlock (shard: string, height: number, prev: Uint8Array, opts: ChainOptions = {}): CommittedBlock {
  const n = opts.txs ?? 1 + (height % 3)
  const txs = Array.from({ length: n }, (_, i) => sampleEnvelope(shard, height, i, opts.argChars))
  return { block: makeBlock(shard, height, prev, txs, opts.timeMs ?? 1_700_000_000_000 + height, 0), cert: { term: 1, height } }
}

export function receiptsOf (cb: CommittedBlock): Receipt[] {
  const { shard, height } = cb.block.header
  return cb.block.txs.map((e, index) => ({
    v: 1, txId: txId(e.tx), shard, height, index, status: 'committed', result: height * 100 + index, error: null, gasUsed: 10 + index, calls: [],
  }))
}

/** The batch of block `height` of the sample chain; the genesis carries config version 0. */
export function sampleBatch (shard: string, height: number, prev: Uint8Array, opts: ChainOptions = {}): ApplyBatch {
  const block = sampleBlock(shard, height, prev, opts)
  const batch: ApplyBatch = { block, state: stateWritesAt(height, opts.blobBytes), receipts: receiptsOf(block) }
  if (height === 0) batch.config = sampleConfig(shard, 0)
  return batch
}

export function checkpointAt (shard: string, cb: CommittedBlock, blobBytes = 0): Checkpoint {
  const height = cb.block.header.height
  return { v: 1, shard, height, blockHash: blockHash(cb.block.header), stateDigest: stateDigest(expectedStateAt(height, blobBytes)) }
}

/** Applies blocks from the store's head up to `toHeight` (inclusive); returns the applied batches. */
export async function extendChain (store: LedgerStore, shard: string, toHeight: number, opts: ChainOptions = {}): Promise<ApplyBatch[]> {
  const head = await store.getHead(shard)
  let prev = head === undefined ? ZERO_HASH : head.hash
  const out: ApplyBatch[] = []
  for (let h = head === undefined ? 0 : head.height + 1; h <= toHeight; h++) {
    const batch = sampleBatch(shard, h, prev, opts)
    await store.applyBlock(batch)
    prev = blockHash(batch.block.block.header)
    out.push(batch)
  }
  return out
}
