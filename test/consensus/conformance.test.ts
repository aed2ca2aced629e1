// One suite every Orderer implementation runs (js-libp2p's interface-compliance style): the
// behaviour the shard layer relies on, whatever the consensus.
import { describe, expect, it } from 'vitest'
import { encode } from '../../src/core/encoding.ts'
import type { ConsensusKind } from '../../src/core/shard-config.ts'
import { verifyCommittedBlock } from '../../src/consensus/shard-orderer.ts'
import { Cluster, clientTx, shardConfig } from './fixtures.ts'

const SHARDS: [ConsensusKind, string[]][] = [['solo', ['s0']], ['raft', ['r0', 'r1', 'r2']], ['pbft', ['p0', 'p1', 'p2', 'p3']]]

for (const [kind, ids] of SHARDS) {
  describe(`Orderer conformance: ${kind}`, () => {
    const all = (c: Cluster, count: number): boolean => ids.every((id) => c.committedTxIds(id).length === count)

    it('orders every submitted transaction exactly once into one hash-linked chain with valid certificates', () => {
      const c = new Cluster(shardConfig(kind, ids))
      const tx = (i: number): ReturnType<typeof clientTx> => clientTx(i, i % 4 === 0 ? 'call' : 'invoke')
      for (let i = 0; i < 25; i++) { c.submit(ids[i % ids.length]!, tx(i)); if (i % 7 === 0) c.round() }
      for (let i = 0; i < 5; i++) c.submit(ids[0]!, tx(i)) // resubmissions
      c.runUntil(() => all(c, 25))
      for (let r = 0; r < 10; r++) c.round()
      c.assertAgreement()
      for (const id of ids) expect(new Set(c.committedTxIds(id)).size).toBe(25)
      for (const cb of c.member(ids[0]!).blocks) {
        expect(verifyCommittedBlock(shardConfig(kind, ids), c.verifier, cb)).toBe(true)
        const kinds = cb.block.txs.map((e) => e.tx.kind)
        expect(kinds.indexOf('invoke') === -1 || kinds.lastIndexOf('call') < kinds.indexOf('invoke')).toBe(true)
      }
      const st = c.orderer(ids[0]!).status()
      expect(st).toMatchObject({ kind, member: true, height: c.height(ids[0]!), pendingTxs: 0, configVersion: 0 })
      expect(st.leader).not.toBeNull()
    })

    it('a certificate does not verify for another block or under another configuration', () => {
      const c = new Cluster(shardConfig(kind, ids))
      c.submit(ids[0]!, clientTx(1))
      c.submit(ids[0]!, clientTx(2))
      c.runUntil(() => all(c, 2))
      const blocks = c.member(ids[0]!).blocks.filter((cb) => cb.block.txs.length > 0)
      const cb = blocks[0]!
      const other = { ...cb, block: { ...cb.block, header: { ...cb.block.header, timeMs: cb.block.header.timeMs + 1 } } }
      expect(verifyCommittedBlock(shardConfig(kind, ids), c.verifier, other)).toBe(false)
      expect(verifyCommittedBlock({ ...shardConfig(kind, ids), version: 1 }, c.verifier, cb)).toBe(false)
      expect(verifyCommittedBlock(shardConfig(kind, ids), c.verifier, { ...cb, cert: { junk: true } })).toBe(false)
    })

    it('drops malformed input with a counted notice, and refuses submissions at a non-member', () => {
      const c = new Cluster(shardConfig(kind, ids), [...ids, 'outsider'])
      const before = c.orderer(ids[0]!).status()
      for (const data of [new Uint8Array([1, 2, 3]), encode({ e: 0, m: { t: 'nonsense' } }), encode({ e: 'x', m: {} })]) {
        c.step(ids[0]!, { type: 'message', from: ids[1] ?? 'x', data })
      }
      expect(c.orderer(ids[0]!).status().counters.malformed).toBe(before.counters.malformed + 3)
      expect(c.orderer(ids[0]!).status().height).toBe(before.height)
      c.submit('outsider', clientTx(1))
      expect(c.member('outsider').notices).toContainEqual(expect.objectContaining({ type: 'refused', code: 'NOT_MEMBER' }))
    })

    it('every member restarted from what it persisted comes back at its height and keeps ordering', () => {
      const c = new Cluster(shardConfig(kind, ids))
      for (let i = 0; i < 10; i++) c.submit(ids[i % ids.length]!, clientTx(i))
      c.runUntil(() => all(c, 10))
      const heights = ids.map((id) => c.height(id))
      for (const id of ids) { c.crash(id); c.restart(id) }
      expect(ids.map((id) => c.orderer(id).status().height)).toEqual(heights)
      for (let i = 0; i < 10; i++) c.submit(ids[i % ids.length]!, clientTx(i)) // already committed: ignored
      for (let i = 10; i < 15; i++) c.submit(ids[i % ids.length]!, clientTx(i))
      c.runUntil(() => all(c, 15), 5000)
      c.assertAgreement()
    })
  })
}
