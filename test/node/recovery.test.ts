import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContractHost, ExecOutcome } from '../../src/contract/types.ts'
import { txId } from '../../src/core/transaction.ts'
import { encodeNodeMessage } from '../../src/node/wire.ts'
import { callTx } from '../../src/shard/executor.ts'
import { signEnvelope } from '../../src/crypto/index.ts'
import { example, TestCluster } from './cluster.ts'

describe('restart from LevelDB', () => {
  let c: TestCluster
  beforeAll(async () => { c = await TestCluster.create({ nodes: 5, store: 'level', transport: 'libp2p' }) })
  afterAll(async () => { await c.close() })

  it('a member stopped mid-load restarts from its store and catches up without losing or repeating a tx', async () => {
    const deploy = await c.deployTx(await example('Counter'), 'raft', 3)
    await c.nodes[0]!.execute(deploy)
    const contract = deploy.tx.contract
    const memberIdx = c.nodes.findIndex(n => n.hostedShards().includes(contract))
    const member = c.nodes[memberIdx]!
    const entry = c.nodes.find(n => !n.hostedShards().includes(contract))!
    for (let i = 0; i < 5; i++) await entry.execute(await c.invokeTx(contract, 'call', null))
    // Stop the member while transactions are in flight.
    const inflight = Promise.all(Array.from({ length: 10 }, async () => await entry.execute(await c.invokeTx(contract, 'call', null))))
    const dir = (member as any).opts.store.location as string
    expect(typeof dir).toBe('string')
    await new Promise(resolve => setTimeout(resolve, 30))
    const identity = c.nodeIdentities[memberIdx]!
    await member.close()
    const results = await inflight
    expect(results.every(r => r.receipt.status === 'committed')).toBe(true)
    for (let i = 0; i < 5; i++) await entry.execute(await c.invokeTx(contract, 'call', null))
    // Restart over the same LevelDB directory.
    await (member as any).opts.store.close()
    const restarted = await c.startNode(identity, dir)
    expect(restarted.hostedShards()).toContain(contract)
    const last = await entry.execute(await c.invokeTx(contract, 'call', null))
    expect(last.receipt.result).toBe(21)
    await expect.poll(() => JSON.parse(restarted.contractState(contract) ?? '{}').count, { timeout: 15_000 }).toBe(21)
    // Every committed tx has exactly one receipt on the restarted member, none repeated.
    const ids = results.map(r => r.receipt.txId)
    for (const id of ids) expect((await restarted.localReceipt(id))?.status).toBe('committed')
    expect(new Set(ids).size).toBe(10)
  })
})

describe('catch-up beyond what members keep in memory', () => {
  // Members keep only the last `retainBlocks` committed blocks in memory (4 here, 1024 by
  // default, and 64 after a restart), and Raft's log keeps `snapshotEntries` (4 here, 64 by
  // default); older blocks are served from the members' ledgers.
  for (const consensus of ['raft', 'pbft'] as const) {
    it(`a ${consensus} member that missed many more blocks than that restarts and catches up from the others' ledgers`, async () => {
      const c = await TestCluster.create({ nodes: 4, store: 'level', transport: 'libp2p', params: { retainBlocks: 4, snapshotEntries: 4, maxBlocksPerFetch: 5 } })
      try {
        const deploy = await c.deployTx(await example('Counter'), consensus, consensus === 'raft' ? 3 : 4)
        await c.nodes[0]!.execute(deploy)
        const contract = deploy.tx.contract
        const members = c.nodes.filter(n => n.hostedShards().includes(contract))
        const member = members[0]!
        const entry = members[1]!
        const identity = c.nodeIdentities[c.nodes.indexOf(member)]!
        const dir = (member as any).opts.store.location as string
        await member.close()
        await (member as any).opts.store.close()
        const ids: string[] = []
        for (let i = 0; i < 25; i++) ids.push((await entry.execute(await c.invokeTx(contract, 'call', null))).receipt.txId)
        const height = entry.shardStatus(contract)?.height ?? -1
        expect(height, 'many more blocks than any member keeps in memory').toBeGreaterThan(20)

        const restarted = await c.startNode(identity, dir)
        // (checkpoint transactions keep adding blocks, so "caught up" is: at least that height)
        await expect.poll(() => restarted.shardStatus(contract)?.height ?? -1, { timeout: 20_000 }).toBeGreaterThanOrEqual(height)
        const served = c.nodes.filter(n => n !== restarted).reduce((sum, n) => sum + ((n as any).replicas.get(contract)?.ledgerServes ?? 0), 0)
        expect(served, 'batches of blocks the other members served from their ledgers').toBeGreaterThan(0)
        // (the orderer's height runs ahead of execution by a few blocks at most)
        await expect.poll(() => JSON.parse(restarted.contractState(contract) ?? '{}').count, { timeout: 10_000 }).toBe(25)
        for (const id of ids) expect((await restarted.localReceipt(id))?.status).toBe('committed')
        // and it takes part again: the next call commits with it
        const next = await entry.execute(await c.invokeTx(contract, 'call', null))
        expect(next.receipt.result).toBe(26)
        await expect.poll(() => JSON.parse(restarted.contractState(contract) ?? '{}').count, { timeout: 10_000 }).toBe(26)
      } finally {
        await c.close()
      }
    }, 60_000)
  }
})

/** A host that lies: every successful result becomes 666 (a Byzantine member's execution). */
function lying (host: ContractHost): ContractHost {
  return {
    ...host,
    load: host.load.bind(host),
    unload: host.unload.bind(host),
    close: host.close.bind(host),
    execute: async (req): Promise<ExecOutcome> => {
      const out = await host.execute(req)
      return out.ok ? { ...out, result: 666 } : out
    }
  }
}

describe('PBFT with a Byzantine member', () => {
  let c: TestCluster
  beforeAll(async () => { c = await TestCluster.create({ nodes: 5, transport: 'libp2p' }) })
  afterAll(async () => { await c.close() })

  it('clients only ever get correct results, and forged async calls never execute', async () => {
    const logger = await c.deployTx(await example('Logger'), 'pbft', 4)
    const counter = await c.deployTx(await example('Counter'), 'pbft', 4)
    await c.nodes[0]!.execute(logger)
    await c.nodes[0]!.execute(counter)
    const members = c.nodes.filter(n => n.hostedShards().includes(counter.tx.contract))
    const liar = members[0]!
    const realHost = (liar as any).opts.host as ContractHost
    ;(liar as any).opts.host = lying(realHost)
    for (const r of (liar as any).replicas.values()) (r as any).deps.host = (liar as any).opts.host
    for (let i = 1; i <= 6; i++) {
      const entry = c.nodes[i % c.nodes.length]!
      const r = await entry.execute(await c.invokeTx(counter.tx.contract, 'call', null))
      expect(r.receipt.result).toBe(i)
      // the liar really did store a wrong result: the client was protected by f + 1 matching
      await expect.poll(async () => (await liar.localReceipt(r.receipt.txId))?.result, { timeout: 5_000 }).toBe(666)
    }
    // The liar forges a call to the Logger as if the Counter shard had issued it.
    const loggerMembers = c.nodes.filter(n => n.hostedShards().includes(logger.tx.contract))
    const forgedTx = callTx(c.network, counter.tx.contract, 'f'.repeat(64), { id: 'a'.repeat(64), index: 0, contract: logger.tx.contract, method: 'log', arg: 'forged', handler: null })
    const env = await signEnvelope(forgedTx, (liar as any).opts.identity)
    const counterConfig = liar.shardStatus(counter.tx.contract)!.config
    for (const m of loggerMembers) (liar as any).opts.transport.send(m.id, encodeNodeMessage({ t: 'call', env, caller: counterConfig }))
    await new Promise(resolve => setTimeout(resolve, 800))
    const analyze = await c.nodes[4]!.execute(await c.invokeTx(logger.tx.contract, 'analyze', null))
    expect(analyze.receipt.result).toBe(0)
    for (const m of loggerMembers) expect(await m.localReceipt(txId(forgedTx))).toBeUndefined()
  })
})
