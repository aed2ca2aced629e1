import { describe, expect, it } from 'vitest'
import { blockHash, makeBlock } from '../../src/core/block.ts'
import { decode, encode } from '../../src/core/encoding.ts'
import { Prng } from '../../src/consensus/prng.ts'
import { pbftQuorum } from '../../src/consensus/pbft/pbft.ts'
import { verifyCommittedBlock } from '../../src/consensus/shard-orderer.ts'
import { ByzantineActor } from '../../src/sim/byzantine.ts'
import { zeroFaults } from '../../src/sim/faults.ts'
import { Cluster, clientTx, CONTRACT, shardConfig } from './fixtures.ts'

const ids = ['p0', 'p1', 'p2', 'p3']

function msgType (data: Uint8Array): string {
  return String((decode(data) as { m: { t: string } }).m.t)
}

function engineHard (c: Cluster, id: string): Record<string, unknown> {
  return (c.member(id).hard as { engine: Record<string, unknown> }).engine
}

describe('pbft orderer', () => {
  it('quorums are 2f + 1 for n = 3f + 1 and intersect in an honest member for other n', () => {
    expect([4, 7, 10, 13].map(pbftQuorum)).toEqual([3, 5, 7, 9])
    for (let n = 1; n <= 20; n++) {
      const f = Math.floor((n - 1) / 3)
      expect(2 * pbftQuorum(n) - n).toBeGreaterThanOrEqual(f + 1)
      expect(pbftQuorum(n)).toBeLessThanOrEqual(n - f)
    }
  })

  it('normal case: every replica commits the same blocks, each with a certificate of q signed commits', () => {
    const c = new Cluster(shardConfig('pbft', ids))
    for (let i = 0; i < 20; i++) c.submit(ids[i % 4]!, clientTx(i, i % 5 === 0 ? 'call' : 'invoke'))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 20))
    c.assertAgreement()
    for (const cb of c.member('p2').blocks) {
      expect(verifyCommittedBlock(shardConfig('pbft', ids), c.verifier, cb)).toBe(true)
      // A certificate with one signature fewer is not enough.
      const cert = cb.cert as { com: unknown[] }
      expect(verifyCommittedBlock(shardConfig('pbft', ids), c.verifier, { ...cb, cert: { ...cert, com: cert.com.slice(1) } as never })).toBe(false)
    }
    expect(c.orderer('p1').status().term).toBe(0) // no view change in the normal case
  })

  it('replaces a crashed primary through a view change and keeps ordering', () => {
    const c = new Cluster(shardConfig('pbft', ids))
    c.submit('p1', clientTx(0))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 1))
    c.crash('p0')
    for (let i = 1; i < 6; i++) c.submit('p2', clientTx(i))
    const live = ['p1', 'p2', 'p3']
    c.runUntil(() => live.every((id) => c.committedTxIds(id).length === 6))
    for (const id of live) {
      expect(c.orderer(id).status().term).toBeGreaterThanOrEqual(1)
      expect(c.orderer(id).status().leader).not.toBe('p0')
    }
    c.restart('p0')
    c.runUntil(() => c.committedTxIds('p0').length === 6)
    c.assertAgreement()
  })

  it('a primary that silently censors requests is replaced', () => {
    const c = new Cluster(shardConfig('pbft', ids))
    c.filter = (from, m) => from !== 'p0' || !['pp'].includes(msgType(m.data))
    for (let i = 0; i < 3; i++) c.submit('p3', clientTx(i))
    c.runUntil(() => ['p1', 'p2', 'p3'].every((id) => c.committedTxIds(id).length === 3))
    expect(c.orderer('p1').status().leader).not.toBe('p0')
    c.assertAgreement()
  })

  it('survives f equivocating members (primary included): no fork, and every transaction commits', () => {
    for (const n of [4, 7]) {
      const members = Array.from({ length: n }, (_, i) => `p${i}`)
      const f = Math.floor((n - 1) / 3)
      const c = new Cluster(shardConfig('pbft', members))
      const counts = zeroFaults()
      const byz = new Map<string, ByzantineActor>()
      for (let i = 0; i < f; i++) {
        const id = members[i * 2]! // p0 is the first primary
        byz.set(id, new ByzantineActor(id, members, CONTRACT, ['equivocate', 'forge', 'replay'], c.signers.get(id)!, new Prng(i + 1), counts))
      }
      c.tamper = (from, m) => byz.get(from)?.tamper(m) ?? [m]
      for (let i = 0; i < 24; i++) c.submit(members[1 + (i % (n - 1))]!, clientTx(i))
      const honest = members.filter((id) => !byz.has(id))
      c.runUntil(() => {
        for (const [id, b] of byz) for (const m of b.onTick()) c.queue.push({ from: id, m })
        return honest.every((id) => c.committedTxIds(id).length === 24)
      }, 5000)
      expect(counts.equivocate).toBeGreaterThan(0)
      expect(counts.forge).toBeGreaterThan(0)
      const chains = honest.map((id) => c.member(id).blocks)
      for (const chain of chains) expect(chain.map((cb) => encode(cb.block.header))).toEqual(chains[0]!.map((cb) => encode(cb.block.header)))
      expect(honest.reduce((a, id) => a + c.orderer(id).status().counters.forged, 0)).toBeGreaterThan(0)
      for (const id of honest) expect(new Set(c.committedTxIds(id)).size).toBe(24)
    }
  })

  it('advances stable checkpoints, and the high watermark stops ordering while checkpoints cannot form', () => {
    const c = new Cluster(shardConfig('pbft', ids)) // checkpoint period K = 4, window 2K = 8
    let ckptsBlocked = true
    c.filter = (_from, m) => !(ckptsBlocked && msgType(m.data) === 'ckpt')
    for (let i = 0; i < 100; i++) c.submit('p1', clientTx(i))
    for (let r = 0; r < 40; r++) c.round()
    // Each transaction fills a sequence number only through a batch; without stable checkpoints
    // at most 2K sequence numbers above the last stable one can be ordered.
    const stuck = c.committedTxIds('p1').length
    expect(stuck).toBeLessThanOrEqual(8 * 8)
    expect(stuck).toBeGreaterThan(0)
    expect((engineHard(c, 'p1').stable as { s: number }).s).toBe(0)
    expect(engineHard(c, 'p1').lastExec as number).toBeLessThanOrEqual(8)
    ckptsBlocked = false
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 100))
    expect((engineHard(c, 'p1').stable as { s: number }).s).toBeGreaterThan(0)
    c.assertAgreement()
  })

  it('a replica cut off for many checkpoints catches up by state transfer and votes again', () => {
    const c = new Cluster(shardConfig('pbft', ids))
    c.cut.add('p3')
    for (let i = 0; i < 60; i++) { c.submit('p1', clientTx(i)); if (i % 4 === 0) c.round() }
    c.runUntil(() => ['p0', 'p1', 'p2'].every((id) => c.committedTxIds(id).length === 60))
    expect(c.height('p3')).toBe(-1)
    c.cut.delete('p3')
    c.runUntil(() => c.committedTxIds('p3').length === 60)
    expect(c.orderer('p3').status().counters.blocksFetched).toBeGreaterThan(0)
    // p3 is needed for a quorum now that p2 is gone: ordering continues only if p3 rejoined.
    c.cut.add('p2')
    for (let i = 60; i < 64; i++) c.submit('p3', clientTx(i))
    c.runUntil(() => ['p0', 'p1', 'p3'].every((id) => c.committedTxIds(id).length === 64))
    c.cut.delete('p2')
    c.runUntil(() => c.committedTxIds('p2').length === 64)
    c.assertAgreement()
  })

  it('de-duplicates a request submitted at every replica, again and again, and after commit', () => {
    const c = new Cluster(shardConfig('pbft', ids))
    for (let k = 0; k < 3; k++) for (const id of ids) c.submit(id, clientTx(7))
    c.round()
    for (const id of ids) c.submit(id, clientTx(7))
    c.submit('p2', clientTx(8))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length >= 2))
    for (let r = 0; r < 20; r++) c.round()
    for (const id of ids) c.submit(id, clientTx(7))
    for (let r = 0; r < 20; r++) c.round()
    for (const id of ids) expect(c.committedTxIds(id).sort()).toEqual(['n-7', 'n-8'])
  })

  it('ignores a validly signed pre-prepare from a non-primary, and counts votes signed in another member\'s name as forged', () => {
    const c = new Cluster(shardConfig('pbft', ids))
    c.submit('p1', clientTx(1))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 1))
    const tip = c.member('p2').blocks[0]!.block
    const block = makeBlock(CONTRACT, 1, blockHash(tip.header), [clientTx(99)], tip.header.timeMs, 0)
    const core = { t: 'pp', e: 0, v: 0, s: 2, d: blockHash(block.header), r: 'p2' }
    const pp = { ...core, b: block, sig: c.signers.get('p2')!.sign(encode(core)) }
    c.queue.length = 0
    c.step('p3', { type: 'message', from: 'p2', data: encode({ e: 0, m: pp }) })
    expect(c.queue.filter((q) => q.from === 'p3' && msgType(q.m.data) === 'prep')).toEqual([])

    const forged = encode({ e: 0, m: { t: 'prep', e: 0, v: 0, s: 2, d: new Uint8Array(32), r: 'p1', sig: new Uint8Array(32) } })
    const before = c.orderer('p3').status().counters.forged
    c.step('p3', { type: 'message', from: 'p2', data: forged })
    expect(c.orderer('p3').status().counters.forged).toBe(before + 1)
    c.submit('p1', clientTx(2))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 2))
    expect(c.committedTxIds('p3')).toEqual(['n-1', 'n-2'])
  })
})
