// Sample values of the core model shared by the core tests.
import type { TxBody } from '../../src/core/index.ts'

export function sampleTx (overrides: Partial<TxBody> = {}): TxBody {
  return {
    v: 1, network: 'a'.repeat(64), kind: 'invoke', contract: 'b'.repeat(64), method: 'call', arg: { n: 1 },
    nonce: 'n-1', from: 'c'.repeat(64), ...overrides,
  }
}
