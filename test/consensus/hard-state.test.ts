import { describe, expect, it } from 'vitest'
import { encode } from '../../src/core/encoding.ts'
import { Cluster, clientTx, shardConfig } from './fixtures.ts'

function engineOf (c: Cluster, id: string): Record<string, unknown[] | number> {
  return (c.member(id).hard as { engine: Record<string, unknown[] | number> }).engine
}

describe('hard state stays small: committed blocks live in the ledger, not in every write', () => {
  it('raft persists its log compacted at the applied point, and a restart from it continues', () => {
    const ids = ['a', 'b', 'c']
    const c = new Cluster(shardConfig('raft', ids))
    for (let i = 0; i < 60; i++) { c.submit(ids[i % 3]!, clientTx(i)); if (i % 5 === 0) c.round() }
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 60))
    for (let r = 0; r < 5; r++) c.round()
    for (const id of ids) {
      const h = engineOf(c, id)
      // Compacted up to what earlier Readies made durable: at most the last block or two remain.
      expect((h.log as unknown[]).length).toBeLessThanOrEqual(2)
      expect(h.sh).toBeGreaterThanOrEqual(c.height(id) - 1)
    }
    const bytes = encode(c.member('a').hard).length
    expect(bytes).toBeLessThan(4096) // no blocks inside
    for (const id of ids) { c.crash(id); c.restart(id) }
    for (let i = 60; i < 65; i++) c.submit('b', clientTx(i))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 65))
    c.assertAgreement()
  })

  it('pbft writes executed prepared certificates without their blocks and restores them from the ledger', () => {
    const ids = ['p0', 'p1', 'p2', 'p3']
    const c = new Cluster(shardConfig('pbft', ids))
    for (let i = 0; i < 6; i++) { c.submit('p1', clientTx(i)); c.round() }
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 6))
    const before = engineOf(c, 'p2')
    const executed = before.executed as { pc: { pp: { b: unknown } } }[]
    const certs = executed.length + (before.prepared as unknown[]).length
    expect(executed.length).toBeGreaterThan(0)
    expect(executed.every((x) => x.pc.pp.b === null)).toBe(true)
    c.crash('p2')
    c.restart('p2')
    c.member('p2').hard = null
    c.step('p2', { type: 'tick', nowMs: c.nowMs })
    // The restored replica writes the same certificates again: they were re-attached from its blocks.
    const after = engineOf(c, 'p2')
    expect((after.executed as unknown[]).length + (after.prepared as unknown[]).length).toBe(certs)
    expect((after.executed as unknown[]).length).toBeGreaterThanOrEqual(executed.length)
    c.submit('p2', clientTx(99))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 7))
    expect((engineOf(c, 'p2').executed as unknown[]).length).toBeGreaterThan(0)
    // And a view change right after (primary down) still agrees on everything.
    c.crash('p0')
    for (let i = 100; i < 104; i++) c.submit('p3', clientTx(i))
    c.runUntil(() => ['p1', 'p2', 'p3'].every((id) => c.committedTxIds(id).length === 11))
    c.assertAgreement()
  })
})
