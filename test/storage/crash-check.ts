// What the crash tests check after every kill, shared by the LevelDB child-process test and the
// IndexedDB-in-Chromium test: each block up to the head is whole (block, every receipt, the
// state it wrote), nothing beyond the head exists, and no acknowledged block was lost.
import { blockHash, encode, equalBytes, toHex, ZERO_HASH } from '../../src/core/index.ts'
import type { LedgerStore } from '../../src/storage/index.ts'
import { readAllState } from '../../src/storage/index.ts'
import { expectedStateAt, receiptsOf, sampleBatch, sampleBlock } from './fixtures.ts'

export const CRASH_SHARD = 'd'.repeat(64)
/** Every crash-test block also rewrites a blob of this size, so a write takes a while. */
export const CRASH_BLOB_BYTES = 32 * 1024

export interface ChainCheck {
  /** Head height, or -1 when the store holds no block. */
  height: number
  errors: string[]
}

export async function checkChain (store: LedgerStore, lastAcked: number): Promise<ChainCheck> {
  const errors: string[] = []
  const head = await store.getHead(CRASH_SHARD)
  const height = head?.height ?? -1
  if (height < lastAcked) errors.push(`head ${height} is below the last acknowledged block ${lastAcked}: an applied block was lost`)
  let prev: Uint8Array = ZERO_HASH
  for (let h = 0; h <= height; h++) {
    const cb = await store.getBlock(CRASH_SHARD, h)
    const expected = sampleBatch(CRASH_SHARD, h, prev, { blobBytes: CRASH_BLOB_BYTES })
    if (cb === undefined) { errors.push(`block ${h} ≤ head ${height} is missing`); break }
    if (!equalBytes(encode(cb), encode(expected.block))) errors.push(`block ${h} differs from the block that was applied`)
    for (const r of expected.receipts!) {
      const got = await store.getReceipt(r.txId)
      if (got === undefined || !equalBytes(encode(got), encode(r))) errors.push(`receipt ${r.index} of block ${h} is missing or wrong`)
    }
    prev = blockHash(cb.block.header)
  }
  if (head !== undefined && !equalBytes(head.hash, prev)) errors.push(`head hash ${toHex(head.hash).slice(0, 16)} is not the hash of block ${height}`)
  // The state is exactly what blocks 0..head wrote: no partial block, nothing from block head+1.
  const state = await readAllState(store, CRASH_SHARD)
  const want = height < 0 ? new Map() : expectedStateAt(height, CRASH_BLOB_BYTES)
  if (!equalBytes(encode(state), encode([...want].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))) {
    errors.push(`state is not the state after block ${height}`)
  }
  if (await store.getBlock(CRASH_SHARD, height + 1) !== undefined) errors.push(`block ${height + 1} exists beyond the head`)
  for (const r of receiptsOf(sampleBlock(CRASH_SHARD, height + 1, prev))) {
    if (await store.getReceipt(r.txId) !== undefined) errors.push(`a receipt of block ${height + 1} exists beyond the head`)
  }
  return { height, errors }
}

/**
 * Applies sample blocks after the head as fast as it can, calling `onApplied` after each one
 * is durable, until `maxBlocks` blocks or `maxMs` have passed (bounded even if never killed).
 */
export async function runChain (store: LedgerStore, onApplied: (height: number) => void, maxBlocks: number, maxMs: number): Promise<number> {
  const started = Date.now()
  const head = await store.getHead(CRASH_SHARD)
  let prev = head?.hash ?? ZERO_HASH
  let h = head === undefined ? 0 : head.height + 1
  for (let n = 0; n < maxBlocks && Date.now() - started < maxMs; n++, h++) {
    const batch = sampleBatch(CRASH_SHARD, h, prev, { blobBytes: CRASH_BLOB_BYTES })
    await store.applyBlock(batch)
    prev = blockHash(batch.block.block.header)
    onApplied(h)
  }
  return h - 1
}
