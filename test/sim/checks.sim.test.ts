import { describe, expect, it } from 'vitest'
import { runSimulation } from '../../src/sim/simulation.ts'

// The simulator's invariant checks must be able to fail: each mutation below must be caught.
describe('the simulator catches broken runs', () => {
  it('a member that commits a different block at a height is reported as an agreement violation', () => {
    for (const consensus of ['raft', 'pbft'] as const) {
      const r = runSimulation({ consensus, seed: 1, sabotage: 'fork', byzantine: 0, membership: false })
      expect(r.ok).toBe(false)
      expect(r.violation?.invariant).toBe('agreement')
      expect(r.violation?.message).toMatch(/two different blocks committed at height 1/)
      expect(r.trace.at(-1)).toMatch(/VIOLATION agreement/)
    }
  })

  it('a driver that loses Raft\'s hard state across restarts is caught', () => {
    const r = runSimulation({ consensus: 'raft', seed: 3, sabotage: 'forget-hard-state', rates: { crash: 0.3 } })
    expect(r.ok).toBe(false)
    expect(r.faults.restart).toBeGreaterThan(0)
  })

  it('the same seeds pass without the mutations', () => {
    expect(runSimulation({ consensus: 'raft', seed: 1, byzantine: 0, membership: false }).ok).toBe(true)
    expect(runSimulation({ consensus: 'raft', seed: 3, rates: { crash: 0.3 } }).ok).toBe(true)
  })
})
