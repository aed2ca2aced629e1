import { describe, expect, it } from 'vitest'
import { runCampaign } from '../../src/sim/campaign.ts'
import { ALL_FAULTS, describeFailures } from './helpers.ts'

describe('pbft under the seeded fault simulator with f Byzantine members', () => {
  // Seeds 1-17 here, 18-34 in pbft-more.sim.test.ts and 35-50 in pbft-rest.sim.test.ts, so each file stays short.
  it('seeds 1-17: no fork among honest members, every transaction committed once, live after healing', () => {
    const s = runCampaign({ consensus: 'pbft' }, 1, 17)
    expect(s.failed.length, describeFailures(s)).toBe(0)
    // Every fault class, Byzantine ones included, actually happened.
    for (const c of ALL_FAULTS) expect(s.faults[c], `fault class ${c}`).toBeGreaterThan(0)
    expect(s.observed.forged).toBeGreaterThan(0) // honest members caught forged messages
    expect(s.observed.viewChanges).toBeGreaterThan(0)
    expect(s.observed.blocksFetched).toBeGreaterThan(0)
    expect(s.txsCommitted).toBeGreaterThan(17 * 15 - 1)
  })
})
