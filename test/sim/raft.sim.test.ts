import { describe, expect, it } from 'vitest'
import { runCampaign } from '../../src/sim/campaign.ts'
import { runSimulation } from '../../src/sim/simulation.ts'
import { describeFailures, NETWORK_FAULTS } from './helpers.ts'

describe('raft under the seeded fault simulator', () => {
  it('50 seeds: agreement, validity, at-most-once, durability and liveness after healing hold', () => {
    const s = runCampaign({ consensus: 'raft' }, 1, 50)
    expect(s.failed.length, describeFailures(s)).toBe(0)
    expect(s.passed).toBe(50)
    // A green run must come from a simulator that injected every crash-fault class.
    for (const c of NETWORK_FAULTS) expect(s.faults[c], `fault class ${c}`).toBeGreaterThan(0)
    for (const c of ['equivocate', 'forge', 'silent'] as const) expect(s.faults[c]).toBe(0) // Raft tolerates crash faults only
    expect(s.observed.elections).toBeGreaterThan(50) // leaders changed under faults
    expect(s.observed.blocksFetched).toBeGreaterThan(0) // lagging members caught up
    expect(s.observed.switches).toBeGreaterThan(0) // some seeds switch consensus mid-run
    expect(s.observed.malformed).toBeGreaterThan(0) // corrupted bytes reached members and were refused
    expect(s.txsCommitted).toBeGreaterThan(50 * 15 - 1)
  })

  it('is a pure function of its seed', () => {
    const a = runSimulation({ consensus: 'raft', seed: 4242 })
    const b = runSimulation({ consensus: 'raft', seed: 4242 })
    expect(b).toEqual(a)
    const c = runSimulation({ consensus: 'raft', seed: 4243 })
    expect(c.trace).not.toEqual(a.trace)
  })

  it('reports a liveness violation with its seed, a trace and the reproducing command', () => {
    const r = runSimulation({ consensus: 'raft', seed: 1, healAtMs: 300, livenessBoundMs: 0 })
    expect(r.ok).toBe(false)
    expect(r.violation?.invariant).toBe('liveness')
    expect(r.trace.length).toBeGreaterThan(0)
    expect(r.repro).toBe('npm run sim -- --consensus raft --seeds 1 --seed-base 1')
  })

  it('without faults every transaction commits and nothing is injected', () => {
    const r = runSimulation({ consensus: 'raft', seed: 9, rates: { drop: 0, duplicate: 0, reorder: 0, delay: 0, malformed: 0, replay: 0, partition: 0, crash: 0 } })
    expect(r.ok).toBe(true)
    expect(Object.values(r.faults).every((n) => n === 0)).toBe(true)
    expect(r.txsCommitted).toBe(r.txsSubmitted)
  })
})
