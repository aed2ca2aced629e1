import { describe, expect, it } from 'vitest'
import { verifyCommittedBlock } from '../../src/consensus/shard-orderer.ts'
import { nextConfig } from '../../src/consensus/config-change.ts'
import type { ConsensusKind, ShardConfig } from '../../src/core/shard-config.ts'
import { Cluster, clientTx, configTx, shardConfig } from './fixtures.ts'

const ids = ['a', 'b', 'c', 'd']

describe('switching the consensus of a live shard', () => {
  for (const [from, to] of [['raft', 'pbft'], ['pbft', 'raft'], ['pbft', 'pbft']] as [ConsensusKind, ConsensusKind][]) {
    it(`${from} → ${to} at a block boundary: no gap, no fork, every block certified under its own configuration`, () => {
      const c = new Cluster(shardConfig(from, ids))
      for (let i = 0; i < 6; i++) c.submit(ids[i % 4]!, clientTx(i))
      c.submit('b', configTx(1, 'switchConsensus', { consensus: to }))
      c.runUntil(() => ids.every((id) => c.orderer(id).config().version === 1))
      expect(c.orderer('a').kind()).toBe(to)
      for (let i = 6; i < 12; i++) c.submit(ids[i % 4]!, clientTx(i))
      c.runUntil(() => ids.every((id) => c.committedTxIds(id).length === 13))
      c.assertAgreement()
      // Replay the configuration history from the chain and check each block's certificate.
      let cfg: ShardConfig = shardConfig(from, ids)
      const kinds = new Set<string>()
      for (const cb of c.member('c').blocks) {
        expect(cb.block.header.configVersion).toBe(cfg.version)
        expect(verifyCommittedBlock(cfg, c.verifier, cb)).toBe(true)
        kinds.add((cb.cert as { k: string }).k)
        if (cb.block.txs.some((e) => e.tx.kind === 'config')) cfg = nextConfig(cfg, cb.block)
      }
      expect(cfg.consensus).toBe(to)
      expect([...kinds].sort()).toEqual([...new Set([from, to])].sort())
    })
  }

  it('refuses to switch a multi-member shard to solo: only the version advances', () => {
    const c = new Cluster(shardConfig('raft', ['a', 'b', 'c']))
    c.submit('a', configTx(1, 'switchConsensus', { consensus: 'solo' }))
    c.runUntil(() => ['a', 'b', 'c'].every((id) => c.orderer(id).config().version === 1))
    expect(c.orderer('b').kind()).toBe('raft')
    c.submit('b', clientTx(1))
    c.runUntil(() => ['a', 'b', 'c'].every((id) => c.committedTxIds(id).length === 2))
  })
})
