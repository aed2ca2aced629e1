// Bounds of the ledger store (a limit on everything): key and value sizes, batch sizes and how
// many records one read returns. Values larger than these are refused with TOO_LARGE.
import { LIMITS } from '../core/index.ts'

export const STORE_LIMITS = {
  /** A state key: a top-level key of the contract's `Global`, UTF-8 bytes. */
  maxStateKeyBytes: 1024,
  /** One state value's canonical encoding. */
  maxStateValueBytes: 4 * 1024 * 1024,
  /** State writes in one applied block. */
  maxStateWritesPerBlock: 10_000,
  /** Sum of the encoded block, state values, receipts and meta values of one applyBlock. */
  maxBatchBytes: 64 * 1024 * 1024,
  /** Receipts in one applied block: at most one per transaction. */
  maxReceiptsPerBlock: LIMITS.maxTxsPerBlock,
  /** Entries in an installed snapshot. */
  maxSnapshotEntries: 1_000_000,
  /** Records one list call returns (blocks, state entries, meta records, hosted shards). */
  maxListEntries: 10_000,
  /** Meta namespace: [a-z0-9._-], this many characters. */
  maxMetaNamespaceLength: 64,
  maxMetaKeyBytes: 256,
  maxMetaValueBytes: 1024 * 1024,
  maxMetaWritesPerBatch: 1000,
  /** Blocks deleted per atomic step of `pruneBlocks` and records per step of a snapshot clear. */
  pruneChunk: 1000,
} as const
