// One member's copy of one contract shard: its orderer (Raft, PBFT or solo), its execution,
// its storage. Inputs (ticks, messages, submissions) are applied one at a time; after each the
// orderer's Ready is handled in etcd's order: execute and persist committed blocks with their
// receipts, state and configuration in one atomic batch, persist the hard state, and only then
// send messages and deliver notices. A replica restarted from its store resumes where it was.
import { BetascoError } from '../core/errors.ts'
import type { CommittedBlock } from '../core/block.ts'
import { decode, encode, type Canonical } from '../core/encoding.ts'
import type { Receipt } from '../core/receipt.ts'
import type { ShardConfig } from '../core/shard-config.ts'
import type { Envelope, TxBody } from '../core/transaction.ts'
import { createOrderer, DEFAULT_PARAMS, endsEpoch, ledgerBlocksMessage, nextConfig } from '../consensus/index.ts'
import type { Notice, Orderer, OrdererInput, OrdererParams, OrdererStatus, Signer, Verifier } from '../consensus/index.ts'
import type { ContractDescription, ContractHost } from '../contract/types.ts'
import type { LedgerStore, MetaWrite } from '../storage/ledger-store.ts'
import { executeBlock, type ContractRecord } from './executor.ts'
import { CheckpointTally, votesIn } from './checkpoints.ts'
import { computeStateDigest, stateDigest } from '../storage/state-digest.ts'
import { fromHex, toHex } from '../core/bytes.ts'
import { blockHash } from '../core/block.ts'

const NS_HARD = 'orderer'
const NS_CONFIG0 = 'config0'
const NS_CONTRACT = 'contract'
const NS_CP = 'cp'
const STATE_KEY = 'Global'
/** Blocks handed back to a restarted orderer so it can serve lagging members. */
const RESTORE_BLOCKS = 64
/** Ledger reads for lagging members at once (one per member). */
const MAX_LEDGER_SERVES = 8

export interface ReplicaDeps {
  self: string
  network: string
  store: LedgerStore
  host: ContractHost
  signer: Signer
  verifier: Verifier
  seed: number
  params?: Partial<OrdererParams>
  checkTx?: (tx: Envelope) => boolean
  /** Sends an orderer message of this shard to another member. */
  send: (to: string, shard: string, data: Uint8Array) => void
  /** Contract-issued transactions this shard produced (async calls, callbacks, error notices). */
  outgoing: (shard: string, txs: TxBody[], config: ShardConfig) => void
  /** A block was executed and stored. */
  committed?: (shard: string, block: CommittedBlock, receipts: Receipt[]) => void
  notice?: (shard: string, notice: Notice) => void
  /** This member's state digest at a checkpoint height: the node submits its checkpoint tx. */
  checkpoint?: (shard: string, height: number, digest: string) => void
  /** A stable checkpoint disagreed with this member's state, which was rebuilt by replay. */
  repaired?: (shard: string, height: number) => void
}

export class ShardReplica {
  readonly shard: string
  private orderer: Orderer
  private readonly deps: ReplicaDeps
  private record: ContractRecord | undefined
  private state: string
  private queue: Promise<void> = Promise.resolve()
  private closed = false
  private failure: Error | undefined
  private readonly tally = new CheckpointTally()
  private description: ContractDescription | undefined
  /** Repairs done by replay (for status and tests). */
  repairs = 0
  /** Batches of blocks served from the ledger to lagging members (for status and tests). */
  ledgerServes = 0
  private readonly serving = new Set<string>()

  private readonly config0: ShardConfig

  private constructor (shard: string, orderer: Orderer, deps: ReplicaDeps, record: ContractRecord | undefined, state: string, config0: ShardConfig) {
    this.config0 = config0
    this.shard = shard
    this.orderer = orderer
    this.deps = deps
    this.record = record
    this.state = state
  }

  /** Creates the replica of a new shard (configuration version 0), or reopens it from the store. */
  static async open (deps: ReplicaDeps, shard: string, initial?: ShardConfig): Promise<ShardReplica> {
    const { store } = deps
    const stored = await store.getMeta(NS_CONFIG0, shard)
    let config0: ShardConfig
    if (stored !== undefined) {
      config0 = decode(stored) as unknown as ShardConfig
    } else {
      if (initial === undefined) throw new BetascoError('NOT_FOUND', `shard ${shard.slice(0, 12)}… is not hosted here`)
      if (initial.contract !== shard || initial.version !== 0) throw new BetascoError('BAD_ARGUMENT', 'a new shard starts from configuration version 0 of its own contract')
      config0 = initial
      await store.putMetaBatch([{ ns: NS_CONFIG0, key: shard, value: encode(initial) }])
      await store.addHostedShard(shard)
    }
    const latest = (await store.getLatestShardConfig(shard)) ?? config0
    const hard = await store.getMeta(NS_HARD, shard)
    const head = await store.getHead(shard)
    const blocks = head === undefined ? [] : await store.getBlocks(shard, Math.max(head.firstHeight, head.height - RESTORE_BLOCKS + 1), RESTORE_BLOCKS)
    const orderer = createOrderer(latest, {
      signer: deps.signer,
      verifier: deps.verifier,
      seed: deps.seed,
      ...(deps.checkTx !== undefined ? { checkTx: deps.checkTx } : {}),
      ...(deps.params !== undefined ? { params: deps.params } : {})
    }, head === undefined && hard === undefined ? undefined : { hardState: hard === undefined ? null : decode(hard) as Canonical, blocks })
    const recordBytes = await store.getMeta(NS_CONTRACT, shard)
    const record = recordBytes === undefined ? undefined : decode(recordBytes) as unknown as ContractRecord
    const state = await store.getState(shard, STATE_KEY)
    const replica = new ShardReplica(shard, orderer, deps, record, typeof state === 'string' ? state : '{}', config0)
    if (record !== undefined) await replica.ensureLoaded(record)
    return replica
  }

  /** Feeds one input; inputs are applied in order, each after the previous one's Ready. */
  step (input: OrdererInput): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.closed) return
      if (this.failure !== undefined) throw this.failure
      try {
        this.orderer.step(input)
        await this.handleReady()
      } catch (err) {
        // A block that cannot be executed or stored stops this replica rather than letting it
        // run ahead of its own ledger; reopening it from the store resumes from the last block.
        this.failure = err instanceof Error ? err : new Error(String(err))
        throw this.failure
      }
    })
    this.queue = run.catch(() => {})
    return run
  }

  status (): OrdererStatus & { contract: ContractRecord | undefined } {
    return { ...this.orderer.status(), contract: this.record }
  }

  config (): ShardConfig {
    return this.orderer.config()
  }

  /** Configuration version 0 of the shard (as formed at deploy). */
  initialConfig (): ShardConfig {
    return this.config0
  }

  contract (): ContractRecord | undefined {
    return this.record
  }

  /** Current Global (JSON text) of this member. */
  currentState (): string {
    return this.state
  }

  async close (): Promise<void> {
    await this.queue
    this.closed = true
    if (this.record !== undefined) await this.deps.host.unload(this.shard).catch(() => {})
  }

  private async ensureLoaded (record: ContractRecord): Promise<ContractDescription> {
    // Loaded once per replica; a replay re-runs the deploy against the same loaded code.
    if (this.description !== undefined) return this.description
    this.description = await this.deps.host.load({ contractId: record.contract, source: record.code, file: 'contract.js', info: { shard: record.contract } })
    return this.description
  }

  /**
   * Rebuilds the state by re-executing every stored block from the shard's first, checking it
   * against the stable digest at its height, through the block in hand. Returns the state after
   * `current`, or undefined when the blocks are not all stored (pruned: state transfer needed).
   */
  private async replay (current: CommittedBlock, stable: { height: number, digest: string }): Promise<string | undefined> {
    const { store } = this.deps
    const head = await store.getHead(this.shard)
    if (head === undefined || head.firstHeight !== 0) return undefined
    let state = '{}'
    let written = false
    let record: ContractRecord | undefined
    let matched = false
    for (let h = 0; h <= current.block.header.height; h++) {
      const cb = h === current.block.header.height ? current : await store.getBlock(this.shard, h)
      if (cb === undefined) return undefined
      const out = await executeBlock(cb, {
        network: this.deps.network,
        shard: this.shard,
        host: this.deps.host,
        gasLimit: this.orderer.config().gasLimit,
        record,
        state,
        executed: async () => false,
        ensureLoaded: async (r) => await this.ensureLoaded(r)
      })
      if (out.state !== undefined) { state = out.state; written = true }
      if (out.record !== undefined) record = out.record
      if (h === stable.height) {
        const entries: Array<[string, string]> = written ? [[STATE_KEY, state]] : []
        if (toHex(stateDigest(entries)) !== stable.digest) return undefined
        matched = true
      }
    }
    return matched ? state : undefined
  }

  private async handleReady (): Promise<void> {
    const ready = this.orderer.ready()
    const { store } = this.deps
    let hardWritten = false
    for (const cb of ready.committed) {
      const epoch = this.orderer.config()
      const outcome = await executeBlock(cb, {
        network: this.deps.network,
        shard: this.shard,
        host: this.deps.host,
        gasLimit: epoch.gasLimit,
        record: this.record,
        state: this.state,
        executed: async (id) => (await store.getReceipt(id)) !== undefined,
        ensureLoaded: async (r) => await this.ensureLoaded(r)
      })
      const meta: MetaWrite[] = []
      if (outcome.record !== undefined) meta.push({ ns: NS_CONTRACT, key: this.shard, value: encode(outcome.record) })
      if (!hardWritten && ready.hardState !== null) {
        meta.push({ ns: NS_HARD, key: this.shard, value: encode(ready.hardState) })
        hardWritten = true
      }
      const height = cb.block.header.height
      let config: ShardConfig | undefined
      if (height === 0) {
        const stored = await store.getMeta(NS_CONFIG0, this.shard)
        if (stored !== undefined) config = decode(stored) as unknown as ShardConfig
      } else if (endsEpoch(cb.block)) {
        const current = await store.getLatestShardConfig(this.shard)
        if (current !== undefined) config = nextConfig(current, cb.block)
      }
      let newState = outcome.state
      let stable: { height: number, digest: string } | undefined
      for (const vote of votesIn(cb.block, epoch)) stable = this.tally.add(vote, epoch) ?? stable
      let checkpointBatch = {}
      if (stable !== undefined) {
        const own = await store.getMeta(NS_CP, `${this.shard}/${stable.height}`)
        if (own !== undefined && toHex(own) !== stable.digest) {
          const replayed = await this.replay(cb, stable)
          if (replayed !== undefined) { newState = replayed; this.repairs++; this.deps.repaired?.(this.shard, stable.height) }
        }
        const at = await store.getBlock(this.shard, stable.height) ?? (stable.height === height ? cb : undefined)
        if (at !== undefined) {
          checkpointBatch = {
            checkpoint: { v: 1 as const, shard: this.shard, height: stable.height, blockHash: blockHash(at.block.header), stateDigest: fromHex(stable.digest) },
            stableCheckpoint: stable.height
          }
        }
      }
      await store.applyBlock({
        block: cb,
        receipts: outcome.receipts,
        ...(newState !== undefined ? { state: [{ type: 'put' as const, key: STATE_KEY, value: newState }] } : {}),
        ...checkpointBatch,
        ...(config !== undefined ? { config } : {}),
        meta
      })
      if (newState !== undefined) this.state = newState
      if (outcome.record !== undefined) this.record = outcome.record
      if ((height + 1) % epoch.checkpointInterval === 0) {
        const digest = toHex(await computeStateDigest(store, this.shard))
        await store.putMeta(NS_CP, `${this.shard}/${height}`, fromHex(digest))
        this.deps.checkpoint?.(this.shard, height, digest)
      }
      this.deps.committed?.(this.shard, cb, outcome.receipts)
      if (outcome.outgoing.length > 0) this.deps.outgoing(this.shard, outcome.outgoing, this.orderer.config())
    }
    if (!hardWritten && ready.hardState !== null) await store.putMeta(NS_HARD, this.shard, encode(ready.hardState))
    for (const m of ready.messages) this.deps.send(m.to, this.shard, m.data)
    for (const n of ready.notices) {
      if (n.type === 'fetch-ledger') this.serveFromLedger(n.from, n.height)
      else this.deps.notice?.(this.shard, n)
    }
  }

  /**
   * Sends a member that lags by more than the orderer keeps in memory the stored blocks from
   * `height` on (one batch; it asks again for the next). Outside the input queue: a read
   * does not hold up consensus. One read per member at a time, a few at once.
   */
  private serveFromLedger (to: string, height: number): void {
    if (this.serving.has(to) || this.serving.size >= MAX_LEDGER_SERVES) return
    this.serving.add(to)
    const { store } = this.deps
    void (async () => {
      const head = await store.getHead(this.shard)
      // Below firstHeight the blocks are not kept here either (a pruned ledger): the member asks another.
      if (head === undefined || height < head.firstHeight || height > head.height) return
      const blocks = await store.getBlocks(this.shard, height, this.deps.params?.maxBlocksPerFetch ?? DEFAULT_PARAMS.maxBlocksPerFetch)
      if (blocks.length === 0 || this.closed) return
      this.deps.send(to, this.shard, ledgerBlocksMessage(this.orderer.config().version, blocks))
      this.ledgerServes++
    })().catch(() => { /* a closed store: the member asks again, maybe another member */ })
      .finally(() => { this.serving.delete(to) })
  }
}
