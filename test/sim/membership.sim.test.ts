import { describe, expect, it } from 'vitest'
import { runSimulation } from '../../src/sim/simulation.ts'

describe('membership changes under faults', () => {
  for (const consensus of ['raft', 'pbft'] as const) {
    it(`${consensus}: a spare node joins, then an original member leaves, one change at a time, with no fork or lost transaction`, () => {
      const seeds = consensus === 'raft' ? 12 : 6
      for (let seed = 700; seed < 700 + seeds; seed++) {
        const r = runSimulation({ consensus, seed, membership: true, switchConsensus: false })
        expect(r.ok, `seed ${seed}: ${r.violation?.invariant}: ${r.violation?.message}`).toBe(true)
        const spare = `n${r.nodes - 1}`
        expect(r.finalConfig?.version).toBe(2)
        expect(r.finalConfig?.members).toContain(spare)
        expect(r.finalConfig?.members).toHaveLength(r.nodes - 1) // one added, one removed
        expect(r.txsCommitted).toBe(r.txsSubmitted)
        expect(r.faults.crash + r.faults.partition + r.faults.drop).toBeGreaterThan(0)
      }
    })
  }
})
