import { describe, expect, it } from 'vitest'
import { REGRESSION_SEEDS } from '../../src/sim/regressions.ts'
import { runSimulation } from '../../src/sim/simulation.ts'

describe('simulator regression seeds', () => {
  for (const reg of REGRESSION_SEEDS) {
    it(`${reg.consensus} seed ${reg.seed} stays fixed: ${reg.bug}`, () => {
      const r = runSimulation({ consensus: reg.consensus, seed: reg.seed })
      expect(r.ok, `${r.violation?.invariant}: ${r.violation?.message}\n${r.trace.join('\n')}`).toBe(true)
      expect(r.txsCommitted).toBe(r.txsSubmitted)
    })
  }
})
