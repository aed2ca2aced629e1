// The one storage seam of a node (DESIGN §5): everything a node keeps about the shards it hosts.
// Environment-free and async; memory, LevelDB (Node) and IndexedDB (browser) implement it and
// all run the same conformance suite (test/storage/conformance.ts).
import type { Canonical, Checkpoint, CommittedBlock, Receipt, ShardConfig } from '../core/index.ts'

/** The last applied block of a shard, and the lowest block height still stored. */
export interface ShardHead {
  height: number
  hash: Uint8Array
  /**
   * Lowest height whose block is still stored: 0 normally, raised by `pruneBlocks`, and
   * `checkpoint.height + 1` after `installSnapshot` (then no block is stored yet).
   */
  firstHeight: number
}

/** One change to a contract's state: set a key to a canonical value, or delete it. */
export type StateWrite =
  | { type: 'put', key: string, value: Canonical }
  | { type: 'del', key: string }

/** One change to node metadata; `value: null` deletes the record. */
export interface MetaWrite {
  ns: string
  key: string
  value: Uint8Array | null
}

/** Everything one committed block changes, written in one atomic batch by `applyBlock`. */
export interface ApplyBatch {
  block: CommittedBlock
  /** State changes the block's execution made, applied in order (last write of a key wins). */
  state?: StateWrite[]
  /** Receipts of the block's transactions (shard and height must be the block's). */
  receipts?: Receipt[]
  /** A new shard configuration that this block ordered (version = latest version + 1). */
  config?: ShardConfig
  /** A checkpoint to record (this member's digest at a height ≤ the block's). */
  checkpoint?: Checkpoint
  /** Height of a recorded checkpoint (earlier or in this batch) that became stable with this block. */
  stableCheckpoint?: number
  /** Node metadata to persist with the block (e.g. the consensus' applied index). */
  meta?: MetaWrite[]
}

/** A key range over a shard's state, in UTF-8 byte order of the keys; `gte` inclusive, `lt` exclusive. */
export interface StateRange {
  gte?: string
  lt?: string
  /** At most this many entries (default and maximum: STORE_LIMITS.maxListEntries). */
  limit?: number
}

export type StateEntry = [key: string, value: Canonical]

export interface LedgerStore {
  // ── chain ────────────────────────────────────────────────────────────────────────────────
  /** Head of a shard, or undefined when nothing was applied or installed for it. */
  getHead (shard: string): Promise<ShardHead | undefined>
  /** A committed block, or undefined when it was never stored or was pruned. */
  getBlock (shard: string, height: number): Promise<CommittedBlock | undefined>
  /** Consecutive stored blocks from `fromHeight` upwards, at most `limit` (≤ maxListEntries). */
  getBlocks (shard: string, fromHeight: number, limit: number): Promise<CommittedBlock[]>
  /**
   * Commits a block with everything it changes in one atomic batch. Refuses with
   * STORE_CONFLICT, changing nothing, unless the block extends the head (same shard, height =
   * head + 1 or 0 for a new shard, prev = head hash) and the config/checkpoint fit.
   */
  applyBlock (batch: ApplyBatch): Promise<ShardHead>
  /** Deletes blocks below `belowHeight` (≤ latest stable checkpoint height); head and state stay. */
  pruneBlocks (shard: string, belowHeight: number): Promise<void>
  /**
   * Replaces everything stored for a shard with a stable checkpoint, its full state and its
   * configuration, atomically (a new member starting from a checkpoint). The state must hash
   * to `checkpoint.stateDigest` (see `stateDigest`).
   */
  installSnapshot (shard: string, checkpoint: Checkpoint, state: StateEntry[], config: ShardConfig): Promise<ShardHead>

  // ── state ────────────────────────────────────────────────────────────────────────────────
  getState (shard: string, key: string): Promise<Canonical | undefined>
  /** State entries in key order (UTF-8 bytes), bounded; page with `gte` = last key + '\0'. */
  listState (shard: string, range?: StateRange): Promise<StateEntry[]>

  // ── receipts, checkpoints, configurations ────────────────────────────────────────────────
  getReceipt (txId: string): Promise<Receipt | undefined>
  getCheckpoint (shard: string, height: number): Promise<Checkpoint | undefined>
  getStableCheckpoint (shard: string): Promise<Checkpoint | undefined>
  getShardConfig (shard: string, version: number): Promise<ShardConfig | undefined>
  getLatestShardConfig (shard: string): Promise<ShardConfig | undefined>

  // ── hosted shards (node virtualization) ──────────────────────────────────────────────────
  addHostedShard (shard: string): Promise<void>
  removeHostedShard (shard: string): Promise<void>
  /** Hosted shard IDs in ascending order. */
  listHostedShards (): Promise<string[]>

  // ── node metadata (consensus hard state, identities, settings) ───────────────────────────
  getMeta (ns: string, key: string): Promise<Uint8Array | undefined>
  putMeta (ns: string, key: string, value: Uint8Array): Promise<void>
  deleteMeta (ns: string, key: string): Promise<void>
  /** Several meta writes in one atomic batch. */
  putMetaBatch (writes: MetaWrite[]): Promise<void>
  /** Records of a namespace in key order, bounded by maxListEntries. */
  listMeta (ns: string): Promise<Array<[key: string, value: Uint8Array]>>

  /** Waits for writes in flight, then releases the backend; every later call throws STORE_CLOSED. */
  close (): Promise<void>
}
