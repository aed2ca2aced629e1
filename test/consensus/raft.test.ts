import { describe, expect, it } from 'vitest'
import { encode } from '../../src/core/encoding.ts'
import { verifyCommittedBlock } from '../../src/consensus/shard-orderer.ts'
import { Cluster, clientTx, configTx, shardConfig } from './fixtures.ts'

const ids = ['a', 'b', 'c']

function leaders (c: Cluster): string[] {
  return [...c.members.values()].filter((m) => m.orderer !== null && !c.cut.has(m.id) && m.orderer.status().leader === m.id).map((m) => m.id)
}

function submitMany (c: Cluster, at: string, from: number, count: number): void {
  for (let i = from; i < from + count; i++) c.submit(at, clientTx(i))
}

function engineHard (c: Cluster, id: string): Record<string, unknown> {
  return (c.member(id).hard as { engine: Record<string, unknown> }).engine
}

describe('raft orderer', () => {
  it('elects exactly one leader per term, and the others follow it', () => {
    const c = new Cluster(shardConfig('raft', ids))
    c.runUntil(() => leaders(c).length === 1 && ids.every((id) => c.orderer(id).status().leader === leaders(c)[0]))
    const terms = ids.map((id) => c.orderer(id).status().term)
    expect(new Set(terms).size).toBe(1)
    // Every leader notice names at most one leader per term, across all members.
    const byTerm = new Map<number, Set<string>>()
    for (const m of c.members.values()) for (const n of m.notices) if (n.type === 'leader' && n.leader !== null) (byTerm.get(n.term) ?? byTerm.set(n.term, new Set()).get(n.term)!).add(n.leader)
    for (const s of byTerm.values()) expect(s.size).toBe(1)
  })

  it('replicates transactions submitted at any member into the same hash-linked chain', () => {
    const c = new Cluster(shardConfig('raft', ids))
    c.runUntil(() => leaders(c).length === 1)
    submitMany(c, 'a', 0, 10)
    submitMany(c, 'b', 10, 10)
    submitMany(c, 'c', 20, 10)
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 30))
    c.assertAgreement()
    expect(new Set(c.committedTxIds('a')).size).toBe(30)
    for (const cb of c.member('b').blocks) expect(verifyCommittedBlock(shardConfig('raft', ids), c.verifier, cb)).toBe(true)
  })

  it('orders contract-issued transactions before client transactions in a block', () => {
    const c = new Cluster(shardConfig('raft', ids))
    c.runUntil(() => leaders(c).length === 1)
    const leader = leaders(c)[0]!
    c.submit(leader, clientTx(1))
    c.submit(leader, clientTx(2, 'call'))
    c.submit(leader, clientTx(3))
    c.submit(leader, clientTx(4, 'call'))
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 4))
    const block = c.member('a').blocks.find((cb) => cb.block.txs.length > 0)!
    expect(block.block.txs.map((e) => e.tx.nonce)).toEqual(['n-2', 'n-4', 'n-1', 'n-3'])
  })

  it('elects a new leader in a higher term when the leader crashes, and the old one catches up on restart', () => {
    const c = new Cluster(shardConfig('raft', ids))
    c.runUntil(() => leaders(c).length === 1)
    const old = leaders(c)[0]!
    const oldTerm = c.orderer(old).status().term
    submitMany(c, old, 0, 5)
    c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 5))
    c.crash(old)
    const rest = ids.filter((id) => id !== old)
    c.runUntil(() => leaders(c).length === 1)
    const neu = leaders(c)[0]!
    expect(neu).not.toBe(old)
    expect(c.orderer(neu).status().term).toBeGreaterThan(oldTerm)
    submitMany(c, rest[0]!, 5, 5)
    c.runUntil(() => rest.every((id) => c.committedTxIds(id).length === 10))
    c.restart(old)
    expect(c.orderer(old).status().height).toBe(c.height(old)) // restored from its own blocks
    c.runUntil(() => c.committedTxIds(old).length === 10)
    c.assertAgreement()
  })

  it('a partitioned leader steps down and commits nothing; after the partition heals the chains agree', () => {
    const c = new Cluster(shardConfig('raft', ['a', 'b', 'c', 'd', 'e']))
    const all = ['a', 'b', 'c', 'd', 'e']
    c.runUntil(() => leaders(c).length === 1)
    const old = leaders(c)[0]!
    const buddy = all.find((id) => id !== old)!
    // Minority side: the old leader and one follower; the majority elects a new leader.
    const minority = new Set([old, buddy])
    c.filter = (from, m) => minority.has(from) === minority.has(m.to)
    c.submit(old, clientTx(100)) // stranded on the minority side
    c.runUntil(() => all.filter((id) => !minority.has(id)).some((id) => c.orderer(id).status().leader === id))
    const majority = all.filter((id) => !minority.has(id))
    submitMany(c, majority[0]!, 0, 6)
    c.runUntil(() => majority.every((id) => c.committedTxIds(id).length >= 6))
    expect(c.committedTxIds(old)).not.toContain('n-100')
    c.runUntil(() => c.orderer(old).status().leader !== old) // check-quorum
    c.filter = () => true
    c.runUntil(() => all.every((id) => c.committedTxIds(id).length === 7))
    c.assertAgreement()
    expect(new Set(c.committedTxIds('a')).size).toBe(7)
  })

  it('adds and then removes one member at a time through config transactions', () => {
    const c = new Cluster(shardConfig('raft', ids), [...ids, 'd'])
    c.runUntil(() => leaders(c).length === 1)
    expect(c.orderer('d').status().member).toBe(false)
    submitMany(c, 'a', 0, 3)
    c.submit('a', configTx(1, 'addMember', { peerId: 'd', org: 'org2' }))
    c.runUntil(() => ids.every((id) => c.orderer(id).config().version === 1))
    expect(c.orderer('a').config().members.map((m) => m.peerId)).toEqual(['a', 'b', 'c', 'd'])
    // The new member syncs the chain from the others (tip gossip and fetch) and joins.
    c.runUntil(() => c.orderer('d').status().member && c.orderer('d').config().version === 1)
    submitMany(c, 'd', 10, 4)
    c.runUntil(() => [...ids, 'd'].every((id) => c.committedTxIds(id).length === 8))
    c.submit('b', configTx(2, 'removeMember', { peerId: 'a' }))
    c.runUntil(() => ['b', 'c', 'd'].every((id) => c.orderer(id).config().version === 2))
    expect(c.orderer('b').config().members.map((m) => m.peerId)).toEqual(['b', 'c', 'd'])
    submitMany(c, 'c', 20, 3)
    c.runUntil(() => ['b', 'c', 'd'].every((id) => c.committedTxIds(id).length === 12))
    expect(c.orderer('a').status().member).toBe(false)
    c.assertAgreement()
    const versions = c.member('d').blocks.map((cb) => cb.block.header.configVersion)
    expect(versions).toEqual([...versions].sort((x, y) => x - y)) // epochs never interleave
  })

  it('compacts its log into a snapshot and brings a member that missed the compacted entries up to date', () => {
    const c = new Cluster(shardConfig('raft', ids))
    c.runUntil(() => leaders(c).length === 1)
    const leader = leaders(c)[0]!
    const lagger = ids.find((id) => id !== leader)!
    c.cut.add(lagger)
    for (let k = 0; k < 30; k++) { c.submit(leader, clientTx(k)); c.round() }
    c.runUntil(() => c.committedTxIds(leader).length === 30)
    expect(engineHard(c, leader).si as number).toBeGreaterThan(0) // the applied prefix was compacted
    expect(c.height(lagger)).toBeLessThan(c.height(leader))
    c.cut.delete(lagger)
    c.runUntil(() => c.committedTxIds(lagger).length === 30)
    c.assertAgreement()
    expect(c.orderer(lagger).status().counters.blocksFetched).toBeGreaterThan(0)
  })

  it('refuses messages from non-members and malformed ones without changing state', () => {
    const c = new Cluster(shardConfig('raft', ids))
    c.runUntil(() => leaders(c).length === 1)
    const before = c.orderer('a').status()
    c.step('a', { type: 'message', from: 'b', data: new TextEncoder().encode('{"e":0}') })
    c.step('a', { type: 'message', from: 'b', data: encode({ e: 0, m: { t: 'app', term: 'x' } }) })
    c.step('a', { type: 'message', from: 'b', data: encode({ e: 0, m: { t: 'nope' } }) })
    c.step('a', { type: 'message', from: 'zz', data: encode({ e: 0, m: { t: 'vote', term: 99, li: 0, lt: 0 } }) })
    const after = c.orderer('a').status()
    expect(after.counters.malformed).toBe(before.counters.malformed + 4)
    expect(after.term).toBe(before.term)
    expect(after.height).toBe(before.height)
  })
})
