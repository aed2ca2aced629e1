// The one ordering interface every shard uses (paper §2.3): transactions in, hash-linked blocks
// out, never execution. Implementations are deterministic state machines in the style of
// etcd/raft's Step/Ready: `step` feeds one input, `ready` drains what the driver must do.
import type { Canonical } from '../core/encoding.ts'
import type { CommittedBlock } from '../core/block.ts'
import type { ConsensusKind, ShardConfig } from '../core/shard-config.ts'
import type { Envelope } from '../core/transaction.ts'
import type { ErrorCode } from '../core/errors.ts'
import type { Signer, Verifier } from './signer.ts'

export type OrdererInput =
  /** Logical clock: one tick of `params.tickMs`; `nowMs` is the driver's clock, used only as proposed block time. */
  | { type: 'tick', nowMs: number }
  /** Bytes received from another member; `from` is authenticated by the transport. */
  | { type: 'message', from: string, data: Uint8Array }
  /** A transaction to order (already admitted by the shard layer). */
  | { type: 'submit', tx: Envelope }

export interface OutMessage {
  to: string
  data: Uint8Array
}

export type Notice =
  | { type: 'leader', leader: string | null, term: number }
  | { type: 'view', view: number, primary: string }
  | { type: 'config', config: ShardConfig }
  | { type: 'refused', txId: string, code: ErrorCode, message: string }
  | { type: 'dropped', from: string, reason: string }
  /**
   * `from` asked for blocks from `height`, older than the ones kept in memory: the driver
   * serves them from its ledger (a `blocks` message, see ledgerBlocksMessage).
   */
  | { type: 'fetch-ledger', from: string, height: number }

/**
 * What the driver must do after a step, in this order: persist `hardState` (when not null,
 * replacing the previous one) and append `committed` blocks to the ledger, durably; only then
 * send `messages` and deliver `notices` (etcd's rule: persist before acknowledging).
 */
export interface Ready {
  hardState: Canonical | null
  committed: CommittedBlock[]
  messages: OutMessage[]
  notices: Notice[]
}

export interface OrdererStatus {
  kind: ConsensusKind
  self: string
  configVersion: number
  member: boolean
  /** Height of the last committed block, -1 before the shard's first block. */
  height: number
  /** Raft: current leader; PBFT: current primary; solo: the sequencer. */
  leader: string | null
  /** Raft term or PBFT view. */
  term: number
  pendingTxs: number
  counters: OrdererCounters
}

export interface OrdererCounters {
  malformed: number
  forged: number
  staleEpoch: number
  refused: number
  blocksFetched: number
  viewChanges: number
  elections: number
}

export interface Orderer {
  readonly self: string
  kind (): ConsensusKind
  step (input: OrdererInput): void
  ready (): Ready
  status (): OrdererStatus
  config (): ShardConfig
}

export interface OrdererParams {
  /** Length of one tick, used to turn the timeouts below into virtual time. */
  tickMs: number
  maxTxsPerBlock: number
  maxBlockBytes: number
  /** Pending transactions held per shard; beyond it submissions are refused with QUEUE_FULL. */
  maxPoolTxs: number
  /** Recently committed blocks kept in memory to serve lagging members. */
  retainBlocks: number
  maxBlocksPerFetch: number
  /** Every this many ticks a member tells the others its height (catch-up, epoch switches). */
  tipGossipTicks: number
  /** Raft: election timeout is electionTicks + random[0, electionTicks). */
  electionTicks: number
  heartbeatTicks: number
  maxEntriesPerAppend: number
  /** Raft: compact the log after this many applied entries (a snapshot at a checkpoint). */
  snapshotEntries: number
  /** PBFT: checkpoint period K in sequence numbers; the watermark window is 2K. */
  checkpointPeriod: number
  /** PBFT: ticks a replica waits for progress on a pending request before a view change. */
  viewChangeTicks: number
  maxInFlightBatches: number
  /** PBFT: a pre-prepare's time may be at most this far ahead of the replica's clock. */
  maxClockSkewMs: number
  /** Remembered committed tx IDs for de-duplication (older ones are de-duplicated by the shard layer's ledger). */
  maxRememberedTxs: number
}

export const DEFAULT_PARAMS: OrdererParams = {
  tickMs: 10,
  maxTxsPerBlock: 500,
  maxBlockBytes: 4 * 1024 * 1024,
  maxPoolTxs: 20_000,
  retainBlocks: 1024,
  maxBlocksPerFetch: 32,
  tipGossipTicks: 40,
  electionTicks: 15,
  heartbeatTicks: 3,
  maxEntriesPerAppend: 32,
  snapshotEntries: 64,
  checkpointPeriod: 16,
  viewChangeTicks: 40,
  maxInFlightBatches: 8,
  maxClockSkewMs: 5_000,
  maxRememberedTxs: 1_000_000,
}

export interface OrdererComponents {
  signer: Signer
  verifier: Verifier
  /** Seed for randomized timeouts (mixed with the node ID and term; no Math.random). */
  seed: number
  /** Validity of a transaction relayed by another member (signatures, admission); default accepts. */
  checkTx?: (tx: Envelope) => boolean
  params?: Partial<OrdererParams>
}

/** What a restarted member hands back: its last hard state and its most recent committed blocks, in order. */
export interface Restored {
  hardState: Canonical | null
  blocks: CommittedBlock[]
}
