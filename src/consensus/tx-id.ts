// Transaction IDs are needed on every hop of ordering (pool, de-duplication, proposals); the
// hash is computed once per body object and remembered beside it.
import { txId } from '../core/transaction.ts'
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
