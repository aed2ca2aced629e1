import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { example, TestCluster } from './cluster.ts'

for (const consensus of ['raft', 'pbft'] as const) {
  describe(`contract shards end to end over ${consensus}`, () => {
    let c: TestCluster
    beforeAll(async () => { c = await TestCluster.create({ nodes: 5, transport: 'libp2p' }) })
    afterAll(async () => { await c.close() })

    it('deploys through one entry node and invokes through every node with matching results', async () => {
      const deploy = await c.deployTx(await example('Counter'), consensus, 4)
      const d = await c.nodes[0]!.execute(deploy)
      expect(d.receipt.status).toBe('committed')
      const contract = deploy.tx.contract
      const members = c.nodes.filter(n => n.hostedShards().includes(contract))
      expect(members).toHaveLength(4)
      expect(d.needed).toBe(consensus === 'pbft' ? 2 : 1)
      for (let i = 0; i < c.nodes.length; i++) {
        const r = await c.nodes[i]!.execute(await c.invokeTx(contract, 'call', null))
        expect(r.receipt.status).toBe('committed')
        expect(r.receipt.result).toBe(i + 1)
        expect(r.matching).toBeGreaterThanOrEqual(r.needed)
      }
      const bad = await c.nodes[1]!.execute(await c.invokeTx(contract, 'add', 'not a number'))
      expect(bad.receipt.status).toBe('failed')
      expect(bad.receipt.error?.message).toMatch(/expected an integer/)
      const after = await c.nodes[2]!.execute(await c.invokeTx(contract, 'add', 10))
      expect(after.receipt.result).toBe(c.nodes.length + 10)
      // every member holds the same state
      await expect.poll(() => new Set(members.map(m => m.contractState(contract))).size, { timeout: 10_000 }).toBe(1)
      expect(JSON.parse(members[0]!.contractState(contract)!)).toMatchObject({ count: c.nodes.length + 10 })
    })

    it('answers what a contract is from any node, and that no node hosts an unknown one', async () => {
      const deploy = await c.deployTx(await example('Counter'), consensus, 4)
      await c.nodes[0]!.execute(deploy)
      const contract = deploy.tx.contract
      const member = c.nodes.find(n => n.hostedShards().includes(contract))!
      const outsider = c.nodes.find(n => !n.hostedShards().includes(contract))!
      const own = await member.lookupContract(contract)
      expect(own?.answeredBy).toEqual([member.id])
      const seen = await outsider.lookupContract(contract)
      expect(seen).toBeDefined()
      expect(seen!.config).toEqual(member.shardStatus(contract)!.config)
      expect(seen!.name).toBe('Counter')
      expect(seen!.methods).toContain('add')
      expect(seen!.height).toBeGreaterThanOrEqual(0)
      expect(seen!.needed).toBe(consensus === 'pbft' ? 2 : 1)
      expect(seen!.answeredBy.length).toBeGreaterThanOrEqual(seen!.needed)
      for (const p of seen!.answeredBy) expect(seen!.config.members.map(m => m.peerId)).toContain(p)
      const started = Date.now()
      expect(await outsider.lookupContract('ef'.repeat(32))).toBeUndefined()
      expect(Date.now() - started, 'every peer asked said no before the timeout').toBeLessThan(4_000)
    })

    it('carries async calls across shards: MainService logs to Logger', async () => {
      const logger = await c.deployTx(await example('Logger'), consensus, 4)
      const main = await c.deployTx(await example('MainService'), consensus, 4)
      await c.nodes[0]!.execute(logger)
      await c.nodes[1]!.execute(main)
      await c.nodes[2]!.execute(await c.invokeTx(main.tx.contract, 'registerLogger', logger.tx.contract))
      for (let i = 0; i < 3; i++) await c.nodes[i]!.execute(await c.invokeTx(main.tx.contract, 'call', null))
      await expect.poll(async () => (await c.nodes[3]!.execute(await c.invokeTx(logger.tx.contract, 'analyze', null))).receipt.result, { timeout: 20_000, interval: 300 }).toBe(3)
    })
  })
}

describe('node virtualization: 10 contracts on 5 nodes with overlapping shards', () => {
  let c: TestCluster
  beforeAll(async () => { c = await TestCluster.create({ nodes: 5, transport: 'libp2p' }) })
  afterAll(async () => { await c.close() })

  it('every node hosts several shards, and every contract keeps its own state', async () => {
    const code = await example('Counter')
    const deploys = []
    for (let i = 0; i < 10; i++) deploys.push(await c.deployTx(code, i % 2 === 0 ? 'raft' : 'pbft', i % 2 === 0 ? 3 : 4))
    await Promise.all(deploys.map(async (d, i) => await c.nodes[i % 5]!.execute(d)))
    const hosted = c.nodes.map(n => n.hostedShards().length)
    expect(hosted.reduce((a, b) => a + b, 0)).toBe(5 * 3 + 5 * 4)
    expect(Math.max(...hosted)).toBeGreaterThan(1)
    // contract i gets i + 1 calls, spread over entry nodes, all in flight together
    await Promise.all(deploys.flatMap((d, i) => Array.from({ length: i + 1 }, async (_, j) => await c.nodes[(i + j) % 5]!.execute(await c.invokeTx(d.tx.contract, 'call', null)))))
    for (const [i, d] of deploys.entries()) {
      const r = await c.nodes[i % 5]!.execute(await c.invokeTx(d.tx.contract, 'add', 0))
      expect(r.receipt.result).toBe(i + 1)
    }
  })
})
