// Transaction IDs are needed on every hop of ordering (pool, de-duplication, proposals); the
// hash is computed once per body object and remembered beside it.
import { checkBlockHeader, type Block } from '../core/block.ts'
import { equalBytes } from '../core/bytes.ts'
import { BetascoError } from '../core/errors.ts'
import { hashOf } from '../core/hash.ts'
import { LIMITS } from '../core/limits.ts'
import { list, record } from '../core/shape.ts'
import { checkEnvelope, txId } from '../core/transaction.ts'
import type { TxBody } from '../core/transaction.ts'

const cache = new WeakMap<TxBody, string>()

export function txIdOf (tx: TxBody): string {
  let id = cache.get(tx)
  if (id === undefined) {
    id = txId(tx)
    cache.set(tx, id)
  }
  return id
}

/**
 * `checkBlock` of core, computing the transaction IDs through the cache above: a decoded block
 * is checked once (txRoot) and its IDs are needed again right after (pool, de-duplication,
 * validation), so each is hashed once instead of twice. The txRoot definition must stay
 * `txRootOf`'s; test/consensus/tx-id.test.ts holds the two together.
 */
export function checkBlockCached (v: unknown, path = 'block'): Block {
  const o = record(v, path, ['header', 'txs'])
  const header = checkBlockHeader(o.header, `${path}.header`)
  const txs = list(o.txs, `${path}.txs`, LIMITS.maxTxsPerBlock, (t, p) => checkEnvelope(t, p))
  if (!equalBytes(header.txRoot, hashOf(txs.map((e) => txIdOf(e.tx))))) {
    throw new BetascoError('BAD_SHAPE', `${path}.header.txRoot: does not match the transactions`)
  }
  return { header, txs }
}
