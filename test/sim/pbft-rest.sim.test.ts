import { describe, expect, it } from 'vitest'
import { runCampaign } from '../../src/sim/campaign.ts'
import { runSimulation } from '../../src/sim/simulation.ts'
import { ALL_FAULTS, describeFailures } from './helpers.ts'

describe('pbft under the seeded fault simulator, last seeds', () => {
  it('seeds 35-50: no fork among honest members, every transaction committed once, live after healing', () => {
    const s = runCampaign({ consensus: 'pbft' }, 35, 16)
    expect(s.failed.length, describeFailures(s)).toBe(0)
    for (const c of ALL_FAULTS) expect(s.faults[c], `fault class ${c}`).toBeGreaterThan(0)
  })

  it('an equivocating primary of a 4-member shard is exposed by quorums, never forks the chain', () => {
    let equivocations = 0
    for (let seed = 500; seed < 510; seed++) {
      const r = runSimulation({ consensus: 'pbft', seed, nodes: 4, byzantine: 1 })
      expect(r.ok, r.violation?.message).toBe(true)
      equivocations += r.faults.equivocate
    }
    expect(equivocations).toBeGreaterThan(0)
  })
})
