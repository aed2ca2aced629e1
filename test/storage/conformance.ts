// The LedgerStore conformance suite (js-libp2p interface-compliance style): one list of named
// cases that every implementation runs — memory and LevelDB under vitest, IndexedDB inside a
// real Chromium page. No vitest imports here: it is bundled into the browser page as is.
import {
  BetascoError, blockHash, encode, equalBytes, toHex, ZERO_HASH, LIMITS,
  type Canonical, type CommittedBlock,
} from '../../src/core/index.ts'
import type { LedgerStore, ApplyBatch, Table } from '../../src/storage/index.ts'
import { STORE_LIMITS, computeStateDigest, stateDigest, readAllState } from '../../src/storage/index.ts'
import { keys } from '../../src/storage/keys.ts'
import {
  SHARD_A, SHARD_B, SHARD_C, checkpointAt, expectedStateAt, extendChain, receiptsOf, sampleBatch, sampleBlock,
  sampleConfig, shardId,
} from './fixtures.ts'

/** What a runner gives each case besides `open`. */
export interface ConformanceTools {
  /** Overwrites a row of a logical table with raw bytes, while no store is open. */
  corrupt (table: Table, key: Uint8Array, value: Uint8Array): Promise<void>
}

export interface ConformanceCase {
  name: string
  /**
   * `open` opens the same (initially empty) ledger each time it is called; a case closes a
   * store before opening it again.
   */
  run (open: () => Promise<LedgerStore>, tools: ConformanceTools): Promise<void>
}

// ── a tiny assert helper ─────────────────────────────────────────────────────────────────────

function fail (message: string): never {
  throw new Error(`assertion failed: ${message}`)
}

function ok (condition: unknown, message: string): asserts condition {
  if (!condition) fail(message)
}

function show (v: unknown): string {
  if (v === undefined) return 'undefined'
  try {
    return toHex(encode(v)).slice(0, 120)
  } catch {
    return String(v)
  }
}

/** Deep equality through the canonical encoding (covers JSON values and byte strings). */
function same (actual: unknown, expected: unknown, message: string): void {
  if (actual === undefined || expected === undefined) {
    if (actual !== expected) fail(`${message}: expected ${show(expected)}, got ${show(actual)}`)
    return
  }
  if (!equalBytes(encode(actual), encode(expected))) fail(`${message}: expected ${show(expected)}, got ${show(actual)}`)
}

async function rejects (promise: Promise<unknown> | (() => Promise<unknown>), code: string, message: string): Promise<BetascoError> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (err) {
    if (err instanceof BetascoError && err.code === code) return err
    fail(`${message}: expected ${code}, got ${err instanceof BetascoError ? err.code : String(err)}`)
  }
  fail(`${message}: expected ${code}, but it succeeded`)
}

// ── shared steps ─────────────────────────────────────────────────────────────────────────────

/** A digest of everything a case may observe about one shard, to prove that nothing changed. */
async function snapshotOf (store: LedgerStore, shard: string): Promise<string> {
  const head = await store.getHead(shard)
  const blocks = head === undefined ? [] : await store.getBlocks(shard, head.firstHeight, STORE_LIMITS.maxListEntries)
  const receipts = []
  for (const b of blocks) for (const r of receiptsOf(b)) receipts.push(await store.getReceipt(r.txId) ?? null)
  return toHex(encode({
    head: head === undefined ? null : { ...head },
    blocks: blocks as unknown as Canonical,
    state: await readAllState(store, shard),
    receipts: receipts as unknown as Canonical,
    config: (await store.getLatestShardConfig(shard) ?? null) as unknown as Canonical,
    stable: (await store.getStableCheckpoint(shard) ?? null) as unknown as Canonical,
  } as Canonical))
}

async function expectState (store: LedgerStore, shard: string, expected: Map<string, Canonical>, message: string): Promise<void> {
  const entries = await readAllState(store, shard)
  same(entries.map(([k]) => k).sort(), [...expected.keys()].sort(), `${message}: state keys`)
  for (const [k, v] of entries) same(v, expected.get(k), `${message}: state ${k}`)
}

async function withStore (open: () => Promise<LedgerStore>, body: (store: LedgerStore) => Promise<void>): Promise<void> {
  const store = await open()
  try {
    await body(store)
  } finally {
    await store.close()
  }
}

const hashOfBlock = (cb: CommittedBlock): Uint8Array => blockHash(cb.block.header)

// ── the cases ────────────────────────────────────────────────────────────────────────────────

export const conformanceCases: ConformanceCase[] = [
  {
    name: 'applies a genesis block and reads back block, head, receipts, state, config, checkpoint and meta',
    run: async (open) => withStore(open, async (store) => {
      same(await store.getHead(SHARD_A), undefined, 'empty store has no head')
      const batch = sampleBatch(SHARD_A, 0, ZERO_HASH, { txs: 3 })
      batch.checkpoint = checkpointAt(SHARD_A, batch.block)
      batch.stableCheckpoint = 0
      batch.meta = [{ ns: 'raft', key: 'applied', value: new Uint8Array([0, 0, 0, 1]) }]
      const head = await store.applyBlock(batch)
      same(head, { height: 0, hash: hashOfBlock(batch.block), firstHeight: 0 }, 'returned head')
      same(await store.getHead(SHARD_A), head, 'stored head')
      same(await store.getBlock(SHARD_A, 0), batch.block, 'block 0')
      same(await store.getBlock(SHARD_A, 1), undefined, 'block 1 absent')
      for (const r of batch.receipts!) same(await store.getReceipt(r.txId), r, `receipt ${r.index}`)
      same(await store.getReceipt('0'.repeat(64)), undefined, 'unknown receipt')
      await expectState(store, SHARD_A, expectedStateAt(0), 'state')
      same(await store.getState(SHARD_A, 'height'), 0, 'state height')
      same(await store.getState(SHARD_A, 'nope'), undefined, 'missing key')
      same(await store.getShardConfig(SHARD_A, 0), batch.config, 'config 0')
      same(await store.getLatestShardConfig(SHARD_A), batch.config, 'latest config')
      same(await store.getShardConfig(SHARD_A, 1), undefined, 'config 1 absent')
      same(await store.getCheckpoint(SHARD_A, 0), batch.checkpoint, 'checkpoint 0')
      same(await store.getStableCheckpoint(SHARD_A), batch.checkpoint, 'stable checkpoint')
      same(await store.getMeta('raft', 'applied'), new Uint8Array([0, 0, 0, 1]), 'meta written with the block')
    }),
  },
  {
    name: 'applies a chain and returns consecutive block ranges, configs by version and checkpoints',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 11)
      const head = await store.getHead(SHARD_A)
      same(head?.height, 11, 'head height')
      same(head?.hash, hashOfBlock(batches[11]!.block), 'head hash')
      const range = await store.getBlocks(SHARD_A, 3, 5)
      same(range.map((b) => b.block.header.height), [3, 4, 5, 6, 7], 'range heights')
      same(range, batches.slice(3, 8).map((b) => b.block), 'range blocks')
      same((await store.getBlocks(SHARD_A, 10, 100)).length, 2, 'range clipped at head')
      same(await store.getBlocks(SHARD_A, 12, 10), [], 'range above head')
      await expectState(store, SHARD_A, expectedStateAt(11), 'state after 12 blocks')

      const b12 = sampleBatch(SHARD_A, 12, head!.hash)
      b12.config = sampleConfig(SHARD_A, 1, 13)
      const cp10 = checkpointAt(SHARD_A, batches[10]!.block)
      b12.checkpoint = cp10
      await store.applyBlock(b12)
      same(await store.getLatestShardConfig(SHARD_A), b12.config, 'config 1 is latest')
      same(await store.getShardConfig(SHARD_A, 0), batches[0]!.config, 'config 0 kept')
      same(await store.getCheckpoint(SHARD_A, 10), cp10, 'checkpoint 10 recorded')
      same(await store.getStableCheckpoint(SHARD_A), undefined, 'not stable yet')
      const b13 = sampleBatch(SHARD_A, 13, hashOfBlock(b12.block))
      b13.stableCheckpoint = 10
      await store.applyBlock(b13)
      same(await store.getStableCheckpoint(SHARD_A), cp10, 'checkpoint 10 stable')
      await rejects(store.getBlocks(SHARD_A, 0, STORE_LIMITS.maxListEntries + 1), 'BAD_ARGUMENT', 'limit above maximum')
    }),
  },
  {
    name: 'refuses a block at the wrong height with STORE_CONFLICT and changes nothing',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 3)
      const before = await snapshotOf(store, SHARD_A)
      const prev = hashOfBlock(batches[3]!.block)
      await rejects(store.applyBlock(sampleBatch(SHARD_A, 5, prev)), 'STORE_CONFLICT', 'height gap')
      await rejects(store.applyBlock(sampleBatch(SHARD_A, 3, hashOfBlock(batches[2]!.block), { timeMs: 1 })), 'STORE_CONFLICT', 'same height again')
      await rejects(store.applyBlock(sampleBatch(SHARD_A, 0, ZERO_HASH, { timeMs: 1 })), 'STORE_CONFLICT', 'second genesis')
      same(await snapshotOf(store, SHARD_A), before, 'nothing changed')
      const late = sampleBatch(SHARD_A, 5, prev)
      for (const r of late.receipts!) same(await store.getReceipt(r.txId), undefined, 'no receipt of the refused block')
    }),
  },
  {
    name: 'refuses a block whose prev hash does not link, with its receipts, state, config and meta unwritten',
    run: async (open) => withStore(open, async (store) => {
      await extendChain(store, SHARD_A, 2)
      const before = await snapshotOf(store, SHARD_A)
      const forked = sampleBatch(SHARD_A, 3, new Uint8Array(32).fill(1), { txs: 2 })
      forked.state = [{ type: 'put', key: 'height', value: 999 }, { type: 'del', key: 'k0' }]
      forked.config = sampleConfig(SHARD_A, 1, 4)
      forked.meta = [{ ns: 'raft', key: 'term', value: new Uint8Array([9]) }]
      await rejects(store.applyBlock(forked), 'STORE_CONFLICT', 'forked block')
      same(await snapshotOf(store, SHARD_A), before, 'nothing changed')
      for (const r of forked.receipts!) same(await store.getReceipt(r.txId), undefined, 'no receipt')
      same(await store.getMeta('raft', 'term'), undefined, 'no meta')
    }),
  },
  {
    name: 'refuses a block of another shard linked onto this head, and a first block that is not a genesis',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 2)
      const beforeA = await snapshotOf(store, SHARD_A)
      // Block of shard B at A's next height, linked to A's head.
      await rejects(store.applyBlock(sampleBatch(SHARD_B, 3, hashOfBlock(batches[2]!.block))), 'STORE_CONFLICT', 'wrong shard')
      await rejects(store.applyBlock(sampleBatch(SHARD_B, 0, new Uint8Array(32).fill(2))), 'STORE_CONFLICT', 'genesis with a non-zero prev')
      same(await snapshotOf(store, SHARD_A), beforeA, 'shard A unchanged')
      same(await store.getHead(SHARD_B), undefined, 'shard B still empty')
      same(await readAllState(store, SHARD_B), [], 'shard B has no state')
    }),
  },
  {
    name: 'refuses a config that skips a version and a stable mark for an unrecorded checkpoint, atomically',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 1)
      const before = await snapshotOf(store, SHARD_A)
      const skip = sampleBatch(SHARD_A, 2, hashOfBlock(batches[1]!.block))
      skip.config = sampleConfig(SHARD_A, 2, 3)
      await rejects(store.applyBlock(skip), 'STORE_CONFLICT', 'config version 2 after 0')
      const unstable = sampleBatch(SHARD_A, 2, hashOfBlock(batches[1]!.block))
      unstable.stableCheckpoint = 1
      await rejects(store.applyBlock(unstable), 'STORE_CONFLICT', 'unrecorded checkpoint made stable')
      same(await snapshotOf(store, SHARD_A), before, 'nothing changed')
      const good = sampleBatch(SHARD_A, 2, hashOfBlock(batches[1]!.block))
      good.config = sampleConfig(SHARD_A, 1, 3)
      await store.applyBlock(good)
      same((await store.getLatestShardConfig(SHARD_A))?.version, 1, 'version 1 accepted')
    }),
  },
  {
    name: 'refuses malformed batches with BAD_ARGUMENT: receipts that do not match, foreign checkpoints, bad keys',
    run: async (open) => withStore(open, async (store) => {
      const g = sampleBatch(SHARD_A, 0, ZERO_HASH, { txs: 2 })
      const wrongTx = { ...g, receipts: [{ ...g.receipts![0]!, index: 1 }] }
      await rejects(store.applyBlock(wrongTx), 'BAD_ARGUMENT', 'receipt for another tx index')
      const twice = { ...g, receipts: [g.receipts![0]!, g.receipts![0]!] }
      await rejects(store.applyBlock(twice), 'BAD_ARGUMENT', 'receipt repeated')
      const wrongHeight = { ...g, receipts: [{ ...g.receipts![0]!, height: 4 }] }
      await rejects(store.applyBlock(wrongHeight), 'BAD_ARGUMENT', 'receipt of another height')
      const foreignCp = { ...g, checkpoint: { ...checkpointAt(SHARD_A, g.block), shard: SHARD_B } }
      await rejects(store.applyBlock(foreignCp), 'BAD_ARGUMENT', 'checkpoint of another shard')
      const foreignCfg = { ...g, config: sampleConfig(SHARD_B, 0) }
      await rejects(store.applyBlock(foreignCfg), 'BAD_ARGUMENT', 'config of another shard')
      const tampered = { ...g, block: { ...g.block, block: { ...g.block.block, txs: g.block.block.txs.slice(1) } } }
      await rejects(store.applyBlock(tampered), 'BAD_ARGUMENT', 'txRoot does not match')
      await rejects(store.applyBlock({ ...g, state: [{ type: 'put', key: 'bad\uD800', value: 1 }] }), 'BAD_ARGUMENT', 'lone surrogate key')
      await rejects(store.getState('A'.repeat(64), 'x'), 'BAD_ARGUMENT', 'uppercase shard ID')
      await rejects(store.getBlock(SHARD_A, -1), 'BAD_ARGUMENT', 'negative height')
      same(await store.getHead(SHARD_A), undefined, 'nothing applied')
      await store.applyBlock(g)
      same((await store.getHead(SHARD_A))?.height, 0, 'the well-formed batch applies')
    }),
  },
  {
    name: 'deletes state keys, and the last write of a key within one block wins',
    run: async (open) => withStore(open, async (store) => {
      const g = sampleBatch(SHARD_A, 0, ZERO_HASH)
      g.state = [{ type: 'put', key: 'a', value: 1 }, { type: 'put', key: 'b', value: 2 }, { type: 'put', key: 'c', value: null }]
      await store.applyBlock(g)
      same(await store.getState(SHARD_A, 'c'), null, 'null is a value, not a delete')
      const b1 = sampleBatch(SHARD_A, 1, hashOfBlock(g.block))
      b1.state = [
        { type: 'del', key: 'a' }, { type: 'put', key: 'b', value: 3 }, { type: 'put', key: 'b', value: 4 },
        { type: 'put', key: 'd', value: 5 }, { type: 'del', key: 'd' }, { type: 'del', key: 'never-there' },
      ]
      await store.applyBlock(b1)
      same(await store.getState(SHARD_A, 'a'), undefined, 'a deleted')
      same(await store.getState(SHARD_A, 'b'), 4, 'b: last write wins')
      same(await store.getState(SHARD_A, 'd'), undefined, 'd put then deleted')
      same(await readAllState(store, SHARD_A), [['b', 4], ['c', null]], 'remaining state')
    }),
  },
  {
    name: 'keeps many shards side by side without crosstalk',
    run: async (open) => withStore(open, async (store) => {
      const shards = Array.from({ length: 12 }, (_, i) => shardId(i + 1))
      for (let round = 0; round < 4; round++) {
        for (const [i, shard] of shards.entries()) if (round <= i % 4) await extendChain(store, shard, round)
      }
      for (const [i, shard] of shards.entries()) {
        const top = i % 4
        same((await store.getHead(shard))?.height, top, `head of shard ${i}`)
        await expectState(store, shard, expectedStateAt(top), `state of shard ${i}`)
        same((await store.getBlocks(shard, 0, 100)).every((b) => b.block.header.shard === shard), true, `blocks of shard ${i} are its own`)
        same((await store.getLatestShardConfig(shard))?.contract, shard, `config of shard ${i}`)
      }
      same(await store.getHead(shardId(99)), undefined, 'an unknown shard')
    }),
  },
  {
    name: 'persists blocks, state, receipts, configs, checkpoints, hosted shards and meta across close and reopen',
    run: async (open) => {
      let before = ''
      let batches: ApplyBatch[] = []
      await withStore(open, async (store) => {
        batches = await extendChain(store, SHARD_A, 6)
        const b7 = sampleBatch(SHARD_A, 7, hashOfBlock(batches[6]!.block))
        b7.checkpoint = checkpointAt(SHARD_A, batches[5]!.block)
        b7.stableCheckpoint = 5
        await store.applyBlock(b7)
        batches.push(b7)
        await store.addHostedShard(SHARD_A)
        await store.putMeta('node', 'identity', new Uint8Array([4, 5, 6]))
        before = await snapshotOf(store, SHARD_A)
      })
      await withStore(open, async (store) => {
        same(await snapshotOf(store, SHARD_A), before, 'everything of the shard survives')
        same(await store.listHostedShards(), [SHARD_A], 'hosted shards survive')
        same(await store.getMeta('node', 'identity'), new Uint8Array([4, 5, 6]), 'meta survives')
        await extendChain(store, SHARD_A, 8)
        same((await store.getHead(SHARD_A))?.height, 8, 'the chain continues after reopening')
      })
    },
  },
  {
    name: 'prunes blocks below a stable checkpoint and keeps head, state, receipts and later blocks',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 9)
      await rejects(store.pruneBlocks(SHARD_A, 3), 'STORE_CONFLICT', 'prune without a stable checkpoint')
      const b10 = sampleBatch(SHARD_A, 10, hashOfBlock(batches[9]!.block))
      b10.checkpoint = checkpointAt(SHARD_A, batches[6]!.block)
      b10.stableCheckpoint = 6
      await store.applyBlock(b10)
      await rejects(store.pruneBlocks(SHARD_A, 7), 'STORE_CONFLICT', 'prune above the stable checkpoint')
      same(await store.getBlock(SHARD_A, 0), batches[0]!.block, 'refused prune removed nothing')
      const headBefore = await store.getHead(SHARD_A)
      await store.pruneBlocks(SHARD_A, 6)
      for (let h = 0; h < 6; h++) same(await store.getBlock(SHARD_A, h), undefined, `block ${h} pruned`)
      same(await store.getBlock(SHARD_A, 6), batches[6]!.block, 'block 6 kept')
      same((await store.getBlocks(SHARD_A, 0, 100)).length, 0, 'range from a pruned height is empty')
      same((await store.getBlocks(SHARD_A, 6, 100)).length, 5, 'blocks 6..10 remain')
      same(await store.getHead(SHARD_A), { ...headBefore!, firstHeight: 6 }, 'head kept, firstHeight raised')
      await expectState(store, SHARD_A, expectedStateAt(10), 'state kept')
      same(await store.getReceipt(batches[1]!.receipts![0]!.txId), batches[1]!.receipts![0], 'receipts kept')
      await store.pruneBlocks(SHARD_A, 4)
      same((await store.getHead(SHARD_A))?.firstHeight, 6, 'pruning lower again is a no-op')
      await extendChain(store, SHARD_A, 11)
      same((await store.getHead(SHARD_A))?.height, 11, 'chain continues after pruning')
    }),
  },
  {
    name: 'installs a snapshot atomically, replacing old data, and continues the chain from its checkpoint',
    run: async (open) => withStore(open, async (store) => {
      // A source chain elsewhere; this store holds a stale, divergent copy of the shard.
      const source = await (async () => {
        const out: ApplyBatch[] = []
        let prev: Uint8Array = ZERO_HASH
        for (let h = 0; h <= 8; h++) { const b = sampleBatch(SHARD_A, h, prev); out.push(b); prev = hashOfBlock(b.block) }
        return out
      })()
      await extendChain(store, SHARD_A, 2, { timeMs: 5 })
      await store.applyBlock(sampleBatch(SHARD_B, 0, ZERO_HASH))
      const beforeB = await snapshotOf(store, SHARD_B)
      const cp = checkpointAt(SHARD_A, source[8]!.block)
      const state = [...expectedStateAt(8)].reverse() // any order is accepted
      const config = sampleConfig(SHARD_A, 3, 7)
      const head = await store.installSnapshot(SHARD_A, cp, state, config)
      same(head, { height: 8, hash: cp.blockHash, firstHeight: 9 }, 'head at the checkpoint, no blocks')
      same(await store.getBlock(SHARD_A, 0), undefined, 'old blocks gone')
      same(await store.getBlocks(SHARD_A, 0, 10), [], 'no block range')
      await expectState(store, SHARD_A, expectedStateAt(8), 'installed state')
      same(await store.getStableCheckpoint(SHARD_A), cp, 'checkpoint stable')
      same(await store.getLatestShardConfig(SHARD_A), config, 'config installed')
      same(await store.getShardConfig(SHARD_A, 0), undefined, 'old config gone')
      same(await computeStateDigest(store, SHARD_A), cp.stateDigest, 'stored state hashes to the checkpoint digest')
      same(await snapshotOf(store, SHARD_B), beforeB, 'other shards untouched')
      // The next block links to the checkpoint's block hash.
      const b9 = sampleBatch(SHARD_A, 9, cp.blockHash)
      await store.applyBlock(b9)
      same(await store.getHead(SHARD_A), { height: 9, hash: hashOfBlock(b9.block), firstHeight: 9 }, 'chain continues')
      await expectState(store, SHARD_A, expectedStateAt(9), 'state after the next block')
    }),
  },
  {
    name: 'refuses a snapshot whose state does not hash to the checkpoint digest, changing nothing',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 3)
      const before = await snapshotOf(store, SHARD_A)
      const cp = checkpointAt(SHARD_A, batches[3]!.block)
      const state = [...expectedStateAt(3)]
      state[0] = [state[0]![0], 'tampered']
      await rejects(store.installSnapshot(SHARD_A, cp, state, sampleConfig(SHARD_A, 1)), 'BAD_ARGUMENT', 'digest mismatch')
      await rejects(store.installSnapshot(SHARD_A, { ...cp, shard: SHARD_B }, [...expectedStateAt(3)], sampleConfig(SHARD_A, 1)), 'BAD_ARGUMENT', 'checkpoint of another shard')
      await rejects(store.installSnapshot(SHARD_A, cp, [...expectedStateAt(3), ['height', 3]], sampleConfig(SHARD_A, 1)), 'BAD_ARGUMENT', 'duplicate key')
      same(await snapshotOf(store, SHARD_A), before, 'nothing changed')
    }),
  },
  {
    name: 'throws STORE_CLOSED for reads and writes after close',
    run: async (open) => {
      const store = await open()
      await extendChain(store, SHARD_A, 0)
      await store.close()
      await store.close() // closing twice is harmless
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['getHead', () => store.getHead(SHARD_A)],
        ['getBlock', () => store.getBlock(SHARD_A, 0)],
        ['getBlocks', () => store.getBlocks(SHARD_A, 0, 1)],
        ['getState', () => store.getState(SHARD_A, 'height')],
        ['listState', () => store.listState(SHARD_A)],
        ['getReceipt', () => store.getReceipt('0'.repeat(64))],
        ['getCheckpoint', () => store.getCheckpoint(SHARD_A, 0)],
        ['getStableCheckpoint', () => store.getStableCheckpoint(SHARD_A)],
        ['getLatestShardConfig', () => store.getLatestShardConfig(SHARD_A)],
        ['listHostedShards', () => store.listHostedShards()],
        ['getMeta', () => store.getMeta('node', 'x')],
        ['listMeta', () => store.listMeta('node')],
        ['putMeta', () => store.putMeta('node', 'x', new Uint8Array(1))],
        ['addHostedShard', () => store.addHostedShard(SHARD_A)],
        ['applyBlock', () => store.applyBlock(sampleBatch(SHARD_B, 0, ZERO_HASH))],
        ['pruneBlocks', () => store.pruneBlocks(SHARD_A, 0)],
      ]
      for (const [name, call] of calls) await rejects(call, 'STORE_CLOSED', name)
      const again = await open()
      same((await again.getHead(SHARD_B)), undefined, 'the refused write did not happen')
      await again.close()
    },
  },
  {
    name: 'iterates state in UTF-8 key order and pages with gte, lt and limit',
    run: async (open) => withStore(open, async (store) => {
      // UTF-16 order would put U+1F600 (a surrogate pair) before U+FFFD; UTF-8 order puts it after.
      const keysInOrder = ['', 'A', 'B', 'a', 'a\u0000', 'aa', 'b', 'é', '\uFFFD', '\u{1F600}']
      const g = sampleBatch(SHARD_A, 0, ZERO_HASH)
      g.state = [...keysInOrder].reverse().map((key, i) => ({ type: 'put' as const, key, value: i }))
      await store.applyBlock(g)
      const all = await store.listState(SHARD_A)
      same(all.map(([k]) => k), keysInOrder, 'full order')
      same((await store.listState(SHARD_A, { gte: 'a', lt: 'b' })).map(([k]) => k), ['a', 'a\u0000', 'aa'], 'range [a, b)')
      same((await store.listState(SHARD_A, { gte: 'b', limit: 2 })).map(([k]) => k), ['b', 'é'], 'gte with limit')
      same((await store.listState(SHARD_A, { lt: 'A' })).map(([k]) => k), [''], 'lt only')
      same(await store.listState(SHARD_A, { gte: 'z', lt: 'a' }), [], 'empty range')
      same(await store.getState(SHARD_A, '\u{1F600}'), 0, 'astral key reads back')
      same(stateDigest(all), stateDigest([...all].reverse()), 'digest does not depend on input order')
      same(await computeStateDigest(store, SHARD_A), stateDigest(all), 'stored digest equals the entries digest')
      // Many keys: paging through readAllState crosses several pages of maxListEntries? Keep it
      // cheap: 300 keys with a small page via explicit limits.
      const b1 = sampleBatch(SHARD_A, 1, hashOfBlock(g.block))
      b1.state = Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: `n${String(i).padStart(3, '0')}`, value: i }))
      await store.applyBlock(b1)
      const seen: string[] = []
      let gte = 'n'
      for (let page = 0; page < 20; page++) {
        const rows = await store.listState(SHARD_A, { gte, lt: 'o', limit: 64 })
        seen.push(...rows.map(([k]) => k))
        if (rows.length < 64) break
        gte = rows[rows.length - 1]![0] + '\u0000'
      }
      same(seen, b1.state.map((w) => w.key), 'paged keys in order, none lost or repeated')
      await rejects(store.listState(SHARD_A, { limit: 0 }), 'BAD_ARGUMENT', 'limit 0')
    }),
  },
  {
    name: 'stores values near the size limits and refuses values over them with TOO_LARGE',
    run: async (open) => withStore(open, async (store) => {
      const bigValue = new Uint8Array(STORE_LIMITS.maxStateValueBytes - 16).fill(3)
      const bigKey = 'k'.repeat(STORE_LIMITS.maxStateKeyBytes)
      // About 15 MiB of transactions, under the 16 MiB block limit.
      const g = sampleBatch(SHARD_A, 0, ZERO_HASH, { txs: 240, argChars: 64_000 })
      g.state = [{ type: 'put', key: bigKey, value: bigValue }]
      const bigMeta = new Uint8Array(STORE_LIMITS.maxMetaValueBytes).fill(5)
      g.meta = [{ ns: 'n', key: 'm'.repeat(STORE_LIMITS.maxMetaKeyBytes), value: bigMeta }]
      await store.applyBlock(g)
      const back = await store.getBlock(SHARD_A, 0)
      same(back?.block.txs.length, 240, 'large block read back')
      same(back, g.block, 'large block identical')
      same(await store.getState(SHARD_A, bigKey), bigValue, 'large value read back')
      same(await store.getMeta('n', 'm'.repeat(STORE_LIMITS.maxMetaKeyBytes)), bigMeta, 'large meta read back')

      const next = (): ApplyBatch => sampleBatch(SHARD_A, 1, hashOfBlock(g.block))
      await rejects(store.applyBlock({ ...next(), state: [{ type: 'put', key: 'v', value: new Uint8Array(STORE_LIMITS.maxStateValueBytes) }] }), 'TOO_LARGE', 'value over the limit')
      await rejects(store.applyBlock({ ...next(), state: [{ type: 'put', key: 'k'.repeat(STORE_LIMITS.maxStateKeyBytes + 1), value: 1 }] }), 'TOO_LARGE', 'key over the limit')
      await rejects(store.applyBlock({ ...next(), state: Array.from({ length: STORE_LIMITS.maxStateWritesPerBlock + 1 }, () => ({ type: 'del' as const, key: 'x' })) }), 'TOO_LARGE', 'too many writes')
      await rejects(store.putMeta('n', 'x', new Uint8Array(STORE_LIMITS.maxMetaValueBytes + 1)), 'TOO_LARGE', 'meta over the limit')
      const huge = sampleBatch(SHARD_A, 1, hashOfBlock(g.block), { txs: 270, argChars: 64_000 })
      await rejects(store.applyBlock(huge), 'TOO_LARGE', `block over ${LIMITS.maxBlockBytes} bytes`)
      same((await store.getHead(SHARD_A))?.height, 0, 'refused batches wrote nothing')
    }),
  },
  {
    name: 'reports a corrupt stored record as STORE_CORRUPT instead of returning garbage',
    run: async (open, tools) => {
      let cb: CommittedBlock | undefined
      let receiptTx = ''
      await withStore(open, async (store) => {
        const [g] = await extendChain(store, SHARD_A, 1)
        cb = g!.block
        receiptTx = g!.receipts![0]!.txId
      })
      const encoded = encode(cb)
      const flipped = encoded.slice()
      flipped[flipped.length - 40]! ^= 0xff
      await tools.corrupt('blocks', keys.numbered(SHARD_A, 0), flipped)
      await tools.corrupt('state', keys.state(SHARD_A, 'height'), new Uint8Array([0xff, 0x00]))
      await tools.corrupt('receipts', keys.receipt(receiptTx), encode({ v: 1, not: 'a receipt' }))
      await tools.corrupt('chain', keys.shard(SHARD_B), new Uint8Array([1, 2, 3]))
      await tools.corrupt('blocks', keys.numbered(SHARD_A, 1), encoded) // block 0 stored as block 1
      await withStore(open, async (store) => {
        await rejects(store.getBlock(SHARD_A, 0), 'STORE_CORRUPT', 'bit-flipped block')
        await rejects(store.getBlock(SHARD_A, 1), 'STORE_CORRUPT', 'block under the wrong height')
        await rejects(store.getState(SHARD_A, 'height'), 'STORE_CORRUPT', 'truncated state value')
        await rejects(store.getReceipt(receiptTx), 'STORE_CORRUPT', 'receipt of the wrong shape')
        await rejects(store.getHead(SHARD_B), 'STORE_CORRUPT', 'chain record garbage')
        same((await store.getHead(SHARD_A))?.height, 1, 'intact records still read')
      })
    },
  },
  {
    name: 'keeps node metadata by namespace, with atomic batches and deletes',
    run: async (open) => withStore(open, async (store) => {
      await store.putMeta('raft', 'term', new Uint8Array([1]))
      await store.putMeta('raft', 'vote', new Uint8Array([2]))
      await store.putMeta('raft-x', 'term', new Uint8Array([3]))
      await store.putMeta('pbft', 'view', new Uint8Array([4]))
      same(await store.getMeta('raft', 'term'), new Uint8Array([1]), 'raft/term')
      same(await store.getMeta('raft-x', 'term'), new Uint8Array([3]), 'namespaces are separate')
      same(await store.listMeta('raft'), [['term', new Uint8Array([1])], ['vote', new Uint8Array([2])]], 'list one namespace')
      await store.putMetaBatch([
        { ns: 'raft', key: 'term', value: new Uint8Array([5]) },
        { ns: 'raft', key: 'vote', value: null },
        { ns: 'pbft', key: 'view', value: new Uint8Array([6]) },
      ])
      same(await store.listMeta('raft'), [['term', new Uint8Array([5])]], 'batch applied')
      same(await store.getMeta('pbft', 'view'), new Uint8Array([6]), 'batch across namespaces')
      await rejects(store.putMetaBatch([{ ns: 'raft', key: 'term', value: new Uint8Array([7]) }, { ns: 'Bad NS', key: 'x', value: new Uint8Array(1) }]), 'BAD_ARGUMENT', 'bad namespace')
      same(await store.getMeta('raft', 'term'), new Uint8Array([5]), 'refused batch wrote nothing')
      const value = await store.getMeta('raft', 'term')
      value![0] = 99
      same(await store.getMeta('raft', 'term'), new Uint8Array([5]), 'returned bytes are a copy')
      await store.deleteMeta('raft', 'term')
      same(await store.getMeta('raft', 'term'), undefined, 'deleted')
    }),
  },
  {
    name: 'tracks the set of hosted shards in ascending order',
    run: async (open) => withStore(open, async (store) => {
      same(await store.listHostedShards(), [], 'none at first')
      await store.addHostedShard(SHARD_C)
      await store.addHostedShard(SHARD_A)
      await store.addHostedShard(SHARD_A)
      same(await store.listHostedShards(), [SHARD_A, SHARD_C], 'added, deduplicated, sorted')
      await store.removeHostedShard(SHARD_C)
      await store.removeHostedShard(SHARD_B)
      same(await store.listHostedShards(), [SHARD_A], 'removed')
      await rejects(store.addHostedShard('xyz'), 'BAD_ARGUMENT', 'not a contract ID')
    }),
  },
  {
    name: 'serialises competing applyBlock calls: exactly one of two blocks at the same height wins',
    run: async (open) => withStore(open, async (store) => {
      const [g] = await extendChain(store, SHARD_A, 0)
      const prev = hashOfBlock(g!.block)
      const one = sampleBatch(SHARD_A, 1, prev, { timeMs: 111 })
      const two = sampleBatch(SHARD_A, 1, prev, { timeMs: 222 })
      const results = await Promise.allSettled([store.applyBlock(one), store.applyBlock(two)])
      const won = results.filter((r) => r.status === 'fulfilled').length
      same(won, 1, 'one fulfilled')
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      ok(lost.reason instanceof BetascoError && lost.reason.code === 'STORE_CONFLICT', 'the other is a STORE_CONFLICT')
      const winner = results[0]!.status === 'fulfilled' ? one : two
      same(await store.getBlock(SHARD_A, 1), winner.block, 'stored block is the winner')
      // Interleaved writes to many shards at once all land.
      await Promise.all([SHARD_B, SHARD_C, shardId(7)].map((s) => extendChain(store, s, 3)))
      for (const s of [SHARD_B, SHARD_C, shardId(7)]) same((await store.getHead(s))?.height, 3, `shard ${s.slice(0, 4)} complete`)
    }),
  },
  {
    name: 'computes the checkpoint state digest the same way from the store and from entries',
    run: async (open) => withStore(open, async (store) => {
      const batches = await extendChain(store, SHARD_A, 6, { blobBytes: 1000 })
      const expected = stateDigest(expectedStateAt(6, 1000))
      same(await computeStateDigest(store, SHARD_A), expected, 'digest of the stored state')
      same(checkpointAt(SHARD_A, batches[6]!.block, 1000).stateDigest, expected, 'fixture checkpoint digest')
      ok(!equalBytes(stateDigest(expectedStateAt(5, 1000)), expected), 'a different state has a different digest')
      same(toHex(stateDigest([])), toHex(stateDigest(new Map())), 'empty state digest is stable')
      same(sampleBlock(SHARD_A, 0, ZERO_HASH).block.header.height, 0, 'fixture sanity')
    }),
  },
]
