// The state digest that checkpoints carry (paper §2.4): SHA-256 over a domain tag followed by
// the canonical encoding of each [key, value] pair in UTF-8 key order. Streaming, so a large
// state never has to be encoded in one piece; identical on every engine.
import { BetascoError, compareBytes, encode, sha256, utf8, type Canonical } from '../core/index.ts'
import type { LedgerStore, StateEntry } from './ledger-store.ts'
import { STORE_LIMITS } from './limits.ts'

const DOMAIN = utf8.encode('betasco/state-digest/v1')

/** Orders state keys the way every store iterates them: by UTF-8 bytes (= code points). */
export function compareStateKeys (a: string, b: string): number {
  return compareBytes(utf8.encode(a), utf8.encode(b))
}

/** Digest of a state given as entries in any order; duplicate keys are refused. */
export function stateDigest (entries: Iterable<StateEntry>): Uint8Array {
  const sorted = [...entries].map(([key, value]) => ({ k: utf8.encode(key), key, value }))
  sorted.sort((a, b) => compareBytes(a.k, b.k))
  const h = sha256.create().update(DOMAIN)
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!
    if (i > 0 && compareBytes(sorted[i - 1]!.k, e.k) === 0) {
      throw new BetascoError('BAD_ARGUMENT', `state has the key ${JSON.stringify(e.key.slice(0, 40))} twice`)
    }
    h.update(encode([e.key, e.value]))
  }
  return h.digest()
}

/** Every state entry of a shard in key order, read page by page; refuses more than `maxEntries`. */
export async function readAllState (store: LedgerStore, shard: string, maxEntries: number = STORE_LIMITS.maxSnapshotEntries): Promise<StateEntry[]> {
  const out: StateEntry[] = []
  let gte: string | undefined
  for (;;) {
    const page = await store.listState(shard, gte === undefined ? {} : { gte })
    out.push(...page)
    if (out.length > maxEntries) throw new BetascoError('TOO_LARGE', `shard ${shard.slice(0, 8)} has more than ${maxEntries} state entries`)
    if (page.length < STORE_LIMITS.maxListEntries) return out
    gte = page[page.length - 1]![0] + '\u0000'
  }
}

/** The digest of a shard's stored state (what a member puts in its checkpoint). */
export async function computeStateDigest (store: LedgerStore, shard: string): Promise<Uint8Array> {
  return stateDigest(await readAllState(store, shard))
}

export type { Canonical }
