import { ClassicLevel } from 'classic-level'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decode, encode } from '../../src/core/encoding.ts'
import { keys } from '../../src/storage/keys.ts'
import { levelKey } from '../../src/storage/level.ts'
import type { LedgerStore } from '../../src/storage/ledger-store.ts'
import type { BetascoNode } from '../../src/node/node.ts'
import { example, TestCluster } from './cluster.ts'

const storeOf = (n: BetascoNode): LedgerStore & { location: string } => (n as any).opts.store

for (const consensus of ['raft', 'pbft'] as const) {
  describe(`checkpoints (${consensus})`, () => {
    let c: TestCluster
    beforeAll(async () => { c = await TestCluster.create({ nodes: 5, store: 'level', transport: 'libp2p' }) })
    afterAll(async () => { await c.close() })

    it('become stable every C blocks, and a member whose stored state was corrupted repairs it at the next one', async () => {
      const deploy = await c.deployTx(await example('Counter'), consensus, 4, undefined, 3)
      await c.nodes[0]!.execute(deploy)
      const shard = deploy.tx.contract
      const members = c.nodes.filter(n => n.hostedShards().includes(shard))
      const entry = c.nodes.find(n => !n.hostedShards().includes(shard)) ?? c.nodes[0]!
      for (let i = 0; i < 4; i++) await entry.execute(await c.invokeTx(shard, 'call', null))
      await expect.poll(async () => (await storeOf(members[0]!).getStableCheckpoint(shard))?.height ?? -1, { timeout: 15_000 }).toBeGreaterThanOrEqual(2)
      const cp = (await storeOf(members[0]!).getStableCheckpoint(shard))!
      for (const m of members) {
        await expect.poll(async () => (await storeOf(m).getCheckpoint(shard, cp.height))?.stateDigest, { timeout: 10_000 }).toEqual(cp.stateDigest)
      }

      // Stop one member, corrupt its stored state on disk, restart it.
      const victimIdx = c.nodes.indexOf(members[1]!)
      const victim = members[1]!
      const dir = storeOf(victim).location
      await victim.close()
      await storeOf(victim).close()
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
      await db.open()
      const k = levelKey('state', keys.state(shard, 'Global'))
      const before = JSON.parse(decode(await db.get(k) as Uint8Array) as string)
      expect(before.count).toBeGreaterThan(0)
      await db.put(k, encode(JSON.stringify({ count: 1000 })))
      await db.close()
      const restarted = await c.startNode(c.nodeIdentities[victimIdx]!, dir)
      expect(JSON.parse(restarted.contractState(shard)!).count).toBe(1000) // it really reads the corrupted state
      const repaired = new Promise<number>(resolve => restarted.on(e => { if (e.type === 'repaired' && e.shard === shard) resolve(e.height) }))

      // Enough transactions to pass the next checkpoints; clients keep getting correct results.
      let expected = 4
      for (let i = 0; i < 7; i++) {
        const r = await entry.execute(await c.invokeTx(shard, 'call', null))
        expected++
        if (consensus === 'pbft') expect(r.receipt.result).toBe(expected)
      }
      await repaired
      await expect.poll(() => JSON.parse(restarted.contractState(shard)!).count, { timeout: 15_000 }).toBe(expected)
      const healthy = JSON.parse(members[0]!.contractState(shard)!)
      expect(healthy.count).toBe(expected)
    })
  })
}
