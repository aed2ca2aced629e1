import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { identityId, signEnvelope } from '../../src/crypto/index.ts'
import type { TxBody } from '../../src/core/transaction.ts'
import { selectMembers } from '../../src/network/locator.ts'
import { example, TestCluster } from './cluster.ts'

const membersOf = (c: TestCluster, shard: string): string[] => {
  const statuses = c.nodes.filter(n => n !== undefined && n.hostedShards().includes(shard)).map(n => n.shardStatus(shard)!.config)
  const newest = statuses.sort((a, b) => b.version - a.version)[0]
  return newest === undefined ? [] : newest.members.map(m => m.peerId).sort()
}

for (const [consensus, k] of [['raft', 3], ['pbft', 4]] as const) describe(`churn: shards re-configure one member at a time (${consensus}, k = ${k})`, () => {
  let c: TestCluster
  beforeAll(async () => { c = await TestCluster.create({ nodes: 5, reconfigure: true, spareNodes: 12, transport: 'libp2p' }) })
  afterAll(async () => { await c.close() })

  it('replaces a member that left, and the new member catches up and serves', async () => {
    const deploy = await c.deployTx(await example('Counter'), consensus, k)
    await c.nodes[0]!.execute(deploy)
    const shard = deploy.tx.contract
    for (let i = 0; i < 3; i++) await c.nodes[i]!.execute(await c.invokeTx(shard, 'call', null))
    const before = membersOf(c, shard)
    expect(before).toHaveLength(k)
    // A member that is not the entry we use goes away for good.
    const goneIdx = c.nodes.findIndex(n => before.includes(n.id) && n !== c.nodes[0])
    const gone = c.nodes[goneIdx]!
    await c.kill(gone)
    await expect.poll(() => membersOf(c, shard).includes(gone.id), { timeout: 20_000, interval: 200 }).toBe(false)
    // three members again, spanning organizations as formation does
    const orgOfPeer = (p: string): string => c.nodeIdentities.find(i => i.peerId === p)!.org
    await expect.poll(() => { const m = membersOf(c, shard); return m.length === k && new Set(m.map(orgOfPeer)).size >= 2 }, { timeout: 20_000, interval: 200 }).toBe(true)
    const after = membersOf(c, shard)
    const newcomer = c.nodes.find(n => after.includes(n.id) && !before.includes(n.id))!
    expect(newcomer).toBeDefined()
    await expect.poll(() => JSON.parse(newcomer.contractState(shard) ?? '{}').count, { timeout: 20_000 }).toBe(3)
    const entry = c.nodes.find(n => n !== gone)!
    const r = await entry.execute(await c.invokeTx(shard, 'call', null))
    expect(r.receipt.result).toBe(4)
    await expect.poll(() => JSON.parse(newcomer.contractState(shard) ?? '{}').count, { timeout: 10_000 }).toBe(4)
  })

  it('moves a shard to k closer nodes that join, one member at a time', async () => {
    const live = c.nodes.filter(n => (n as any).closed !== true)
    const liveIds = live.map(n => n.id)
    const spareIds = c.spares.map(s => s.peerId!)
    // A contract whose 3 closest nodes, once the spares join, are all spares: k closer nodes
    // displace the whole shard (the case the paper left open).
    let deploy = await c.deployTx(await example('Counter'), consensus, k)
    // membership as formation would pick it: closest, spanning at least two organizations
    const everyone = [...c.nodes.filter(n => liveIds.includes(n.id)).map(n => ({ peerId: n.id, org: c.nodeIdentities.find(i => i.peerId === n.id)!.org })), ...c.spares.map(s => ({ peerId: s.peerId!, org: s.org }))]
    const wanted = (contract: string): string[] => selectMembers(contract, everyone, k, 2)
    for (let i = 0; i < 500 && !wanted(deploy.tx.contract).every(p => spareIds.includes(p)); i++) {
      deploy = await c.deployTx(await example('Counter'), consensus, k)
    }
    const shard = deploy.tx.contract
    const target = wanted(shard).sort()
    expect(target.every(p => spareIds.includes(p))).toBe(true)
    await live[0]!.execute(deploy)
    await live[1]!.execute(await c.invokeTx(shard, 'call', null))
    const original = membersOf(c, shard)
    expect(original.every(p => liveIds.includes(p))).toBe(true)
    for (const id of c.spares.filter(s => target.includes(s.peerId!))) await c.startNode(id)
    await expect.poll(() => membersOf(c, shard), { timeout: 60_000, interval: 300 }).toEqual(target)
    const nodes = c.nodes.filter(n => target.includes(n.id))
    await expect.poll(() => nodes.map(n => JSON.parse(n.contractState(shard) ?? '{}').count), { timeout: 20_000 }).toEqual(Array.from({ length: k }, () => 1))
    const r = await live[2]!.execute(await c.invokeTx(shard, 'call', null))
    expect(r.receipt.result).toBe(2)
    // The original members let go of the shard.
    await expect.poll(() => live.filter(n => n.hostedShards().includes(shard)).length, { timeout: 10_000 }).toBe(0).catch((e: unknown) => {
      for (const n of live.filter(n => n.hostedShards().includes(shard))) { const st = n.shardStatus(shard)!; console.log('STUCK', n.id.slice(-4), 'joining', (n as any).joining.get(shard), 'lastCheck', Date.now() - (n as any).lastChurnCheck, 'closed', (n as any).closed, 'v', st.config.version, 'h', st.height, 'members', st.config.members.map(m => m.peerId.slice(-4)), 'leader', st.leader?.slice(-4), 'newest', membersOf(c, shard).map(p => p.slice(-4)), 'heights', nodes.map(x => x.shardStatus(shard)?.height), 'versions', nodes.map(x => x.shardStatus(shard)?.config.version)) }
      throw e
    })
  }, 120_000)

  if (consensus === 'raft') it('switches a live shard from Raft to PBFT by an admin\'s configuration transaction', async () => {
    const deploy = await c.deployTx(await example('Counter'), 'raft', 4)
    const shard = deploy.tx.contract
    const entry = c.nodes.find(n => (n as any).closed !== true)!
    await entry.execute(deploy)
    expect((await entry.execute(await c.invokeTx(shard, 'call', null))).needed).toBe(1)
    const admin = c.users.find(u => u.role === 'admin')!
    const client = c.users.find(u => u.role === 'client')!
    const tx = (who: typeof admin, nonce: string): TxBody => ({ v: 1, network: c.network, kind: 'config', contract: shard, method: 'switchConsensus', arg: { consensus: 'pbft' }, nonce, from: identityId(who.publicKey) })
    await expect(entry.submit(await signEnvelope(tx(client, 'sw-client'), client))).rejects.toMatchObject({ code: 'NOT_ADMITTED' })
    await entry.execute(await signEnvelope(tx(admin, 'sw-admin'), admin))
    await expect.poll(() => c.nodes.find(n => n.hostedShards().includes(shard))!.shardStatus(shard)!.config.consensus, { timeout: 10_000 }).toBe('pbft')
    const r = await entry.execute(await c.invokeTx(shard, 'call', null))
    expect(r.receipt.result).toBe(2)
    expect(r.needed).toBe(2)
  })
})
