// What the storage test page exposes on `window.__storage` for the Node side of the tests.
import type { ChainCheck } from '../crash-check.ts'

export interface CaseResult {
  ok: boolean
  error?: string
  ms: number
}

export interface StoragePageApi {
  /** Names of the conformance cases bundled into the page. */
  cases: string[]
  runCase (name: string): Promise<CaseResult>
  /** Starts applying crash-test blocks to the 'crash' database; logs "applied <h>" after each. */
  crashStart (): void
  /** Opens the 'crash' database, checks the chain, closes it; `created`: the open created it. */
  crashCheck (lastAcked: number): Promise<ChainCheck & { created: boolean }>
  /** Applies `blocks` more blocks, closes the store, returns the new head height. */
  crashExtend (blocks: number): Promise<number>
}
