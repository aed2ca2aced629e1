import { describe, expect, it } from 'vitest'
import { runCampaign } from '../../src/sim/campaign.ts'
import { ALL_FAULTS, describeFailures } from './helpers.ts'

describe('pbft under the seeded fault simulator, more seeds', () => {
  it('seeds 18-34: no fork among honest members, every transaction committed once, live after healing', () => {
    const s = runCampaign({ consensus: 'pbft' }, 18, 17)
    expect(s.failed.length, describeFailures(s)).toBe(0)
    for (const c of ALL_FAULTS) expect(s.faults[c], `fault class ${c}`).toBeGreaterThan(0)
    expect(s.observed.forged).toBeGreaterThan(0)
  })
})
