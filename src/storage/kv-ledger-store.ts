// The ledger rules, written once over the KvBackend seam: validation of what is written, the
// "block extends the head" check, the atomic batch of applyBlock, pruning and snapshots, and
// strict decoding of what is read. Engines only provide ordered tables and transactions.
import {
  BetascoError, ZERO_HASH, blockHash, checkBlock, checkCheckpoint, checkReceipt, checkShardConfig,
  encodeCheckpoint, encodeCommittedBlock, encodeReceipt, encodeShardConfig, equalBytes, toHex, txId, utf8,
  type Canonical, type Checkpoint, type CommittedBlock, type Receipt, type ShardConfig,
} from '../core/index.ts'
import type { ApplyBatch, LedgerStore, MetaWrite, ShardHead, StateEntry, StateRange } from './ledger-store.ts'
import type { KvBackend, KvReader, KvWriter } from './kv.ts'
import { prefixEnd } from './kv.ts'
import { checkHeight, checkShardId, keys, readU64, splitShardKey } from './keys.ts'
import { decodeChainRecord, encodeChainRecord, encodeStateValue, headOf, readRecord, type ChainRecord } from './records.ts'
import { stateDigest } from './state-digest.ts'
import { STORE_LIMITS } from './limits.ts'

const HOSTED = new Uint8Array([1])

export class KvLedgerStore implements LedgerStore {
  private readonly kv: KvBackend
  private closed = false
  private closing: Promise<void> | undefined

  constructor (kv: KvBackend) {
    this.kv = kv
  }

  // ── chain ──────────────────────────────────────────────────────────────────────────────────

  async getHead (shard: string): Promise<ShardHead | undefined> {
    const r = await this.chainRecord(this.reader(), checkShardId(shard))
    return r === undefined ? undefined : headOf(r)
  }

  async getBlock (shard: string, height: number): Promise<CommittedBlock | undefined> {
    checkShardId(shard)
    checkHeight(height)
    const data = await this.reader().get('blocks', keys.numbered(shard, height))
    return data === undefined ? undefined : this.readBlock(data, shard, height)
  }

  async getBlocks (shard: string, fromHeight: number, limit: number): Promise<CommittedBlock[]> {
    checkShardId(shard)
    checkHeight(fromHeight, 'fromHeight')
    const rows = await this.reader().entries('blocks', {
      gte: keys.numbered(shard, fromHeight), lt: prefixEnd(keys.shard(shard)), limit: listLimit(limit),
    })
    const out: CommittedBlock[] = []
    for (const [key, value] of rows) {
      const height = readU64(key, 64)
      if (height !== fromHeight + out.length) break // a gap: only consecutive blocks are returned
      out.push(this.readBlock(value, shard, height))
    }
    return out
  }

  async applyBlock (batch: ApplyBatch): Promise<ShardHead> {
    const plan = prepareApply(batch)
    return await this.write(async (read, write) => {
      const { shard, height } = plan
      const current = await this.chainRecord(read, shard)
      if (current === undefined) {
        if (height !== 0 || !equalBytes(plan.prev, ZERO_HASH)) {
          throw conflict(`block ${height} of shard ${short(shard)} does not extend the head: the shard has no block yet, so the next is the genesis (height 0, prev = 32 zero bytes)`)
        }
      } else if (height !== current.height + 1 || !equalBytes(plan.prev, current.hash)) {
        throw conflict(`block ${height} of shard ${short(shard)} does not extend the head (height ${current.height}, hash ${toHex(current.hash).slice(0, 16)}…): ${height !== current.height + 1 ? `expected height ${current.height + 1}` : 'its prev hash does not link'}; fetch the missing blocks or discard a forked block`)
      }
      let configVersion = current?.configVersion ?? null
      if (plan.config !== undefined) {
        const v = plan.config.value.version
        if (configVersion !== null && v !== configVersion + 1) {
          throw conflict(`shard config version ${v} of shard ${short(shard)} does not follow the stored version ${configVersion}; configurations advance one version at a time`)
        }
        configVersion = v
      }
      let stableHeight = current?.stableHeight ?? null
      if (plan.stableCheckpoint !== undefined) {
        const s = plan.stableCheckpoint
        if (stableHeight !== null && s < stableHeight) {
          throw conflict(`stable checkpoint ${s} of shard ${short(shard)} is older than the stable checkpoint ${stableHeight}`)
        }
        const inBatch = plan.checkpoint?.value.height === s
        if (!inBatch && await read.get('checkpoints', keys.numbered(shard, s)) === undefined) {
          throw conflict(`checkpoint ${s} of shard ${short(shard)} cannot become stable: it was never recorded; record it first (ApplyBatch.checkpoint)`)
        }
        stableHeight = s
      }

      write.put('blocks', keys.numbered(shard, height), plan.blockBytes)
      for (const [key, value] of plan.state) {
        if (value === null) write.del('state', key)
        else write.put('state', key, value)
      }
      for (const [key, value] of plan.receipts) write.put('receipts', key, value)
      if (plan.config !== undefined) write.put('configs', keys.numbered(shard, plan.config.value.version), plan.config.bytes)
      if (plan.checkpoint !== undefined) write.put('checkpoints', keys.numbered(shard, plan.checkpoint.value.height), plan.checkpoint.bytes)
      for (const [key, value] of plan.meta) {
        if (value === null) write.del('meta', key)
        else write.put('meta', key, value)
      }
      const next: ChainRecord = { height, hash: plan.hash, firstHeight: current?.firstHeight ?? 0, configVersion, stableHeight }
      write.put('chain', keys.shard(shard), encodeChainRecord(next))
      return headOf(next)
    })
  }

  async pruneBlocks (shard: string, belowHeight: number): Promise<void> {
    checkShardId(shard)
    checkHeight(belowHeight, 'belowHeight')
    // Bounded: each step deletes at most pruneChunk blocks in one atomic batch that also
    // raises firstHeight, so a crash between steps leaves a consistent, partly pruned chain.
    for (let step = 0; ; step++) {
      const done = await this.write(async (read, write) => {
        const r = await this.chainRecord(read, shard)
        if (r === undefined) throw new BetascoError('NOT_FOUND', `shard ${short(shard)} has no chain to prune`)
        if (r.stableHeight === null || belowHeight > r.stableHeight) {
          throw conflict(`cannot prune shard ${short(shard)} below ${belowHeight}: blocks may only be pruned below the latest stable checkpoint (${r.stableHeight ?? 'none yet'})`)
        }
        if (belowHeight <= r.firstHeight) return true
        const to = Math.min(belowHeight, r.firstHeight + STORE_LIMITS.pruneChunk)
        write.delRange('blocks', keys.numbered(shard, r.firstHeight), keys.numbered(shard, to))
        write.put('chain', keys.shard(shard), encodeChainRecord({ ...r, firstHeight: to }))
        return to >= belowHeight
      })
      if (done) return
      if (step > Number.MAX_SAFE_INTEGER / STORE_LIMITS.pruneChunk) throw new BetascoError('INTERNAL', 'prune did not terminate')
    }
  }

  async installSnapshot (shard: string, checkpoint: Checkpoint, state: StateEntry[], config: ShardConfig): Promise<ShardHead> {
    checkShardId(shard)
    const cp = checkCheckpoint(checkpoint)
    const cfg = checkShardConfig(config)
    if (cp.shard !== shard) throw new BetascoError('BAD_ARGUMENT', `snapshot checkpoint is of shard ${short(cp.shard)}, not ${short(shard)}`)
    if (cfg.contract !== shard) throw new BetascoError('BAD_ARGUMENT', `snapshot config is of contract ${short(cfg.contract)}, not ${short(shard)}`)
    if (!Array.isArray(state) || state.length > STORE_LIMITS.maxSnapshotEntries) {
      throw new BetascoError('TOO_LARGE', `a snapshot holds at most ${STORE_LIMITS.maxSnapshotEntries} state entries`)
    }
    const rows = state.map(([key, value]) => [keys.state(shard, key), encodeStateValue(value, key)] as const)
    if (!equalBytes(stateDigest(state), cp.stateDigest)) {
      throw new BetascoError('BAD_ARGUMENT', `snapshot state of shard ${short(shard)} does not hash to the checkpoint's state digest at height ${cp.height}; fetch the state from members whose digests agree`)
    }
    const cpBytes = encodeCheckpoint(cp)
    const cfgBytes = encodeShardConfig(cfg)
    return await this.write(async (_read, write) => {
      const from = keys.shard(shard)
      const to = prefixEnd(from)
      for (const table of ['blocks', 'state', 'checkpoints', 'configs'] as const) write.delRange(table, from, to)
      for (const [key, value] of rows) write.put('state', key, value)
      write.put('checkpoints', keys.numbered(shard, cp.height), cpBytes)
      write.put('configs', keys.numbered(shard, cfg.version), cfgBytes)
      const next: ChainRecord = { height: cp.height, hash: cp.blockHash, firstHeight: cp.height + 1, configVersion: cfg.version, stableHeight: cp.height }
      write.put('chain', from, encodeChainRecord(next))
      return headOf(next)
    })
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────

  async getState (shard: string, key: string): Promise<Canonical | undefined> {
    checkShardId(shard)
    const data = await this.reader().get('state', keys.state(shard, key))
    return data === undefined ? undefined : readRecord.state(data, `state ${JSON.stringify(key.slice(0, 40))} of shard ${short(shard)}`)
  }

  async listState (shard: string, range: StateRange = {}): Promise<StateEntry[]> {
    checkShardId(shard)
    const prefix = keys.shard(shard)
    const rows = await this.reader().entries('state', {
      gte: range.gte === undefined ? prefix : keys.state(shard, range.gte),
      lt: range.lt === undefined ? prefixEnd(prefix) : keys.state(shard, range.lt),
      limit: listLimit(range.limit ?? STORE_LIMITS.maxListEntries),
    })
    return rows.map(([k, v]) => {
      const key = corruptKey(() => utf8.decode(splitShardKey(k).rest))
      return [key, readRecord.state(v, `state ${JSON.stringify(key.slice(0, 40))} of shard ${short(shard)}`)]
    })
  }

  // ── receipts, checkpoints, configurations ──────────────────────────────────────────────────

  async getReceipt (id: string): Promise<Receipt | undefined> {
    checkShardId(id) // a tx ID has the same form as a shard ID: 64 lowercase hex
    const data = await this.reader().get('receipts', keys.receipt(id))
    return data === undefined ? undefined : readRecord.receipt(data, `receipt of tx ${short(id)}`)
  }

  async getCheckpoint (shard: string, height: number): Promise<Checkpoint | undefined> {
    checkShardId(shard)
    checkHeight(height)
    const data = await this.reader().get('checkpoints', keys.numbered(shard, height))
    return data === undefined ? undefined : readRecord.checkpoint(data, `checkpoint ${height} of shard ${short(shard)}`)
  }

  async getStableCheckpoint (shard: string): Promise<Checkpoint | undefined> {
    const r = await this.chainRecord(this.reader(), checkShardId(shard))
    if (r?.stableHeight == null) return undefined
    const cp = await this.getCheckpoint(shard, r.stableHeight)
    if (cp === undefined) throw new BetascoError('STORE_CORRUPT', `stable checkpoint ${r.stableHeight} of shard ${short(shard)} is missing; re-sync the shard`)
    return cp
  }

  async getShardConfig (shard: string, version: number): Promise<ShardConfig | undefined> {
    checkShardId(shard)
    checkHeight(version, 'version')
    const data = await this.reader().get('configs', keys.numbered(shard, version))
    return data === undefined ? undefined : readRecord.config(data, `config ${version} of shard ${short(shard)}`)
  }

  async getLatestShardConfig (shard: string): Promise<ShardConfig | undefined> {
    const r = await this.chainRecord(this.reader(), checkShardId(shard))
    if (r?.configVersion == null) return undefined
    const cfg = await this.getShardConfig(shard, r.configVersion)
    if (cfg === undefined) throw new BetascoError('STORE_CORRUPT', `config ${r.configVersion} of shard ${short(shard)} is missing; re-sync the shard`)
    return cfg
  }

  // ── hosted shards ──────────────────────────────────────────────────────────────────────────

  async addHostedShard (shard: string): Promise<void> {
    const key = keys.shard(checkShardId(shard))
    await this.write(async (_r, w) => { w.put('hosted', key, HOSTED) })
  }

  async removeHostedShard (shard: string): Promise<void> {
    const key = keys.shard(checkShardId(shard))
    await this.write(async (_r, w) => { w.del('hosted', key) })
  }

  async listHostedShards (): Promise<string[]> {
    const rows = await this.reader().keys('hosted', { limit: STORE_LIMITS.maxListEntries })
    return rows.map((k) => corruptKey(() => checkShardId(utf8.decode(k))))
  }

  // ── node metadata ──────────────────────────────────────────────────────────────────────────

  async getMeta (ns: string, key: string): Promise<Uint8Array | undefined> {
    const data = await this.reader().get('meta', keys.meta(ns, key))
    return data?.slice()
  }

  async putMeta (ns: string, key: string, value: Uint8Array): Promise<void> {
    await this.putMetaBatch([{ ns, key, value }])
  }

  async deleteMeta (ns: string, key: string): Promise<void> {
    await this.putMetaBatch([{ ns, key, value: null }])
  }

  async putMetaBatch (writes: MetaWrite[]): Promise<void> {
    const rows = prepareMeta(writes)
    await this.write(async (_r, w) => {
      for (const [key, value] of rows) {
        if (value === null) w.del('meta', key)
        else w.put('meta', key, value)
      }
    })
  }

  async listMeta (ns: string): Promise<Array<[string, Uint8Array]>> {
    const prefix = keys.metaPrefix(ns)
    const rows = await this.reader().entries('meta', { gte: prefix, lt: prefixEnd(prefix), limit: STORE_LIMITS.maxListEntries })
    return rows.map(([k, v]) => [corruptKey(() => utf8.decode(k.subarray(prefix.length))), v.slice()])
  }

  async close (): Promise<void> {
    this.closed = true
    this.closing ??= this.kv.close()
    await this.closing
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private reader (): KvReader {
    if (this.closed) throw closedError()
    return this.kv.reader
  }

  private async write<T> (fn: (read: KvReader, write: KvWriter) => Promise<T>): Promise<T> {
    if (this.closed) throw closedError()
    return await this.kv.transact(fn)
  }

  private async chainRecord (read: KvReader, shard: string): Promise<ChainRecord | undefined> {
    const data = await read.get('chain', keys.shard(shard))
    return data === undefined ? undefined : decodeChainRecord(data, shard)
  }

  private readBlock (data: Uint8Array, shard: string, height: number): CommittedBlock {
    const cb = readRecord.block(data, `block ${height} of shard ${short(shard)}`)
    if (cb.block.header.shard !== shard || cb.block.header.height !== height) {
      throw new BetascoError('STORE_CORRUPT', `stored block ${height} of shard ${short(shard)} holds block ${cb.block.header.height} of shard ${short(cb.block.header.shard)}; re-sync the shard`)
    }
    return cb
  }
}

// ── validation of an ApplyBatch, before any engine is touched ──────────────────────────────────

interface ApplyPlan {
  shard: string
  height: number
  prev: Uint8Array
  hash: Uint8Array
  blockBytes: Uint8Array
  /** Encoded state rows; value null deletes. */
  state: Array<[Uint8Array, Uint8Array | null]>
  receipts: Array<[Uint8Array, Uint8Array]>
  config?: { value: ShardConfig, bytes: Uint8Array }
  checkpoint?: { value: Checkpoint, bytes: Uint8Array }
  stableCheckpoint?: number
  meta: Array<[Uint8Array, Uint8Array | null]>
}

/** Checks shapes, limits and internal consistency of a batch and encodes it; touches no state. */
function prepareApply (batch: ApplyBatch): ApplyPlan {
  if (batch === null || typeof batch !== 'object' || batch.block === null || typeof batch.block !== 'object') {
    throw new BetascoError('BAD_ARGUMENT', 'applyBlock needs { block: CommittedBlock, ... }')
  }
  const block = asBadArgument(() => checkBlock(batch.block.block, 'block'))
  const header = block.header
  const shard = header.shard
  const blockBytes = encodeCommittedBlock(batch.block)
  let total = blockBytes.length

  const stateWrites = batch.state ?? []
  if (!Array.isArray(stateWrites) || stateWrites.length > STORE_LIMITS.maxStateWritesPerBlock) {
    throw new BetascoError('TOO_LARGE', `a block writes at most ${STORE_LIMITS.maxStateWritesPerBlock} state keys`)
  }
  const state: Array<[Uint8Array, Uint8Array | null]> = stateWrites.map((w) => {
    const key = keys.state(shard, w.key)
    if (w.type === 'del') return [key, null]
    if (w.type !== 'put') throw new BetascoError('BAD_ARGUMENT', `state write type must be 'put' or 'del', got ${String((w as { type: unknown }).type)}`)
    const value = encodeStateValue(w.value, w.key)
    total += value.length
    return [key, value]
  })

  const receiptList = batch.receipts ?? []
  if (!Array.isArray(receiptList) || receiptList.length > Math.min(STORE_LIMITS.maxReceiptsPerBlock, block.txs.length)) {
    throw new BetascoError('BAD_ARGUMENT', `block ${header.height} has ${block.txs.length} transactions; it carries at most one receipt per transaction`)
  }
  const seen = new Set<number>()
  const receipts: Array<[Uint8Array, Uint8Array]> = receiptList.map((r) => {
    const receipt = asBadArgument(() => checkReceipt(r))
    if (receipt.shard !== shard || receipt.height !== header.height) {
      throw new BetascoError('BAD_ARGUMENT', `receipt of tx ${short(receipt.txId)} names block ${receipt.height} of shard ${short(receipt.shard)}, not block ${header.height} of ${short(shard)}`)
    }
    const env = block.txs[receipt.index]
    if (env === undefined || seen.has(receipt.index) || txId(env.tx) !== receipt.txId) {
      throw new BetascoError('BAD_ARGUMENT', `receipt of tx ${short(receipt.txId)} does not match transaction ${receipt.index} of block ${header.height} (or repeats it)`)
    }
    seen.add(receipt.index)
    const bytes = encodeReceipt(receipt)
    total += bytes.length
    return [keys.receipt(receipt.txId), bytes]
  })

  const plan: ApplyPlan = {
    shard, height: header.height, prev: header.prev, hash: blockHash(header), blockBytes, state, receipts, meta: prepareMeta(batch.meta ?? []),
  }
  if (batch.config !== undefined) {
    const value = asBadArgument(() => checkShardConfig(batch.config))
    if (value.contract !== shard) throw new BetascoError('BAD_ARGUMENT', `config of contract ${short(value.contract)} cannot be applied with a block of shard ${short(shard)}`)
    plan.config = { value, bytes: encodeShardConfig(value) }
  }
  if (batch.checkpoint !== undefined) {
    const value = asBadArgument(() => checkCheckpoint(batch.checkpoint))
    if (value.shard !== shard || value.height > header.height) {
      throw new BetascoError('BAD_ARGUMENT', `checkpoint ${value.height} of shard ${short(value.shard)} cannot be recorded with block ${header.height} of shard ${short(shard)}`)
    }
    if (value.height === header.height && !equalBytes(value.blockHash, plan.hash)) {
      throw new BetascoError('BAD_ARGUMENT', `checkpoint ${value.height} names a block hash that is not this block's`)
    }
    plan.checkpoint = { value, bytes: encodeCheckpoint(value) }
  }
  if (batch.stableCheckpoint !== undefined) {
    plan.stableCheckpoint = checkHeight(batch.stableCheckpoint, 'stableCheckpoint')
    if (plan.stableCheckpoint > header.height) throw new BetascoError('BAD_ARGUMENT', `stable checkpoint ${plan.stableCheckpoint} is above block ${header.height}`)
  }
  for (const [, v] of plan.meta) total += v?.length ?? 0
  if (total > STORE_LIMITS.maxBatchBytes) throw new BetascoError('TOO_LARGE', `block ${header.height} writes ${total} bytes in one batch, limit is ${STORE_LIMITS.maxBatchBytes}`)
  return plan
}

function prepareMeta (writes: MetaWrite[]): Array<[Uint8Array, Uint8Array | null]> {
  if (!Array.isArray(writes) || writes.length > STORE_LIMITS.maxMetaWritesPerBatch) {
    throw new BetascoError('TOO_LARGE', `a meta batch holds at most ${STORE_LIMITS.maxMetaWritesPerBatch} writes`)
  }
  return writes.map((w) => {
    const key = keys.meta(w.ns, w.key)
    if (w.value === null) return [key, null]
    if (!(w.value instanceof Uint8Array)) throw new BetascoError('BAD_ARGUMENT', `meta value of ${w.ns}/${w.key} must be bytes (Uint8Array) or null to delete`)
    if (w.value.length > STORE_LIMITS.maxMetaValueBytes) {
      throw new BetascoError('TOO_LARGE', `meta value of ${w.ns}/${w.key} is ${w.value.length} bytes, limit is ${STORE_LIMITS.maxMetaValueBytes}`)
    }
    return [key, w.value.slice()]
  })
}

function listLimit (limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > STORE_LIMITS.maxListEntries) {
    throw new BetascoError('BAD_ARGUMENT', `limit must be an integer in [1, ${STORE_LIMITS.maxListEntries}], got ${String(limit)}`)
  }
  return limit
}

function asBadArgument<T> (check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof BetascoError && err.code === 'BAD_SHAPE') throw new BetascoError('BAD_ARGUMENT', `cannot store it: ${err.message}`, undefined, { cause: err })
    throw err
  }
}

function corruptKey<T> (read: () => T): T {
  try {
    return read()
  } catch (err) {
    throw new BetascoError('STORE_CORRUPT', `a stored key cannot be decoded (${(err as Error).message}); the store is damaged`, undefined, { cause: err })
  }
}

function conflict (message: string): BetascoError {
  return new BetascoError('STORE_CONFLICT', message)
}

function closedError (): BetascoError {
  return new BetascoError('STORE_CLOSED', 'the ledger store is closed; open a new one to read or write')
}

function short (id: string): string {
  return id.slice(0, 8)
}
