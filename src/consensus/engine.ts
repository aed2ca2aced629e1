// The seam between the shard orderer (epochs, chain, catch-up) and one consensus algorithm for
// one configuration epoch. An engine sees decoded messages and the shared pool, and reports
// blocks it committed; the ShardOrderer links, de-duplicates and persists them.
import type { Block, CommittedBlock } from '../core/block.ts'
import type { Canonical } from '../core/encoding.ts'
import type { ShardConfig } from '../core/shard-config.ts'
import type { Envelope } from '../core/transaction.ts'
import type { Notice, OrdererParams } from './orderer.ts'
import type { Signer, Verifier } from './signer.ts'
import type { TxPool } from './tx-pool.ts'

export interface ChainTip {
  /** Height of the last committed block, -1 before the first. */
  height: number
  hash: Uint8Array
  timeMs: number
}

export interface EngineContext {
  readonly self: string
  readonly config: ShardConfig
  readonly params: OrdererParams
  readonly signer: Signer
  readonly verifier: Verifier
  readonly seed: number
  readonly pool: TxPool
  /** The last block committed to the ledger (the start of the epoch, then advancing). */
  tip (): ChainTip
  /**
   * The last block the driver has surely made durable: the tip as of the previous `ready()`
   * (the driver persists a Ready before it asks for the next one). Hard state may drop what
   * the ledger holds only up to here, whatever order the driver writes one Ready's parts in.
   */
  durableTip (): ChainTip
  /** The certificate stored with the tip block (null before the first block). */
  tipCert (): unknown
  /** A recently committed block by height, when still retained in memory. */
  blockAt (height: number): CommittedBlock | undefined
  isCommitted (txId: string): boolean
  checkTx (tx: Envelope): boolean
  send (to: string, message: Canonical): void
  broadcast (message: Canonical): void
  /** Hands a committed block (height tip+1, or later while catching up) with its certificate. */
  commit (block: Block, cert: Canonical): void
  /** Asks the orderer to fetch committed blocks up to `height` from `peer` (state transfer). */
  needBlocks (height: number, peer: string): void
  notice (n: Notice): void
  /** Marks the engine's hard state as changed; it is emitted with the next Ready. */
  persist (): void
  /** Counts a message that decoded but failed authentication (a forged signature or sender). */
  forged (): void
}

export interface Engine {
  tick (nowMs: number): void
  /** `message` is decoded canonical data, not yet shape-checked: the engine checks it strictly. */
  onMessage (from: string, message: unknown): void
  /** A transaction entered the pool through this member's own submit. */
  onSubmit (tx: Envelope, id: string): void
  /** The orderer's tip advanced through fetched blocks. */
  onTipAdvanced (): void
  hardState (): Canonical
  leader (): string | null
  term (): number
}
