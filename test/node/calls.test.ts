import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNetwork, identityId, signEnvelope } from '../../src/crypto/index.ts'
import { txId, type TxBody } from '../../src/core/transaction.ts'
import { TestCluster } from './cluster.ts'

const CALLER = `
contract Caller {
  function onCreate() { Global.errors = []; Global.answers = [] }
  export function go(target) { executeContract(target, 'fail', 1) }
  export function ask(target) { executeContract(target, 'double', 21, 'got') }
  export function goThenThrow(target) { executeContract(target, 'double', 1, 'got'); throw new Error('caller changed its mind') }
  function got(reply) { Global.answers.push(reply.result) }
  onError(call, error) { Global.errors.push({ method: call.method, code: error.code, message: error.message }) }
}`
const CALLEE = `
contract Callee {
  function onCreate() { Global.calls = 0 }
  export function fail(x) { Global.calls++; throw new Error('callee refuses ' + x) }
  export function double(x) { Global.calls++; return x * 2 }
  export function calls() { return Global.calls }
}`

for (const consensus of ['raft', 'pbft'] as const) {
  describe(`async calls, phase 1 and 2 (${consensus})`, () => {
    let c: TestCluster
    let caller: string
    let callee: string
    const state = async (contract: string): Promise<Record<string, unknown>> => {
      const r = await c.nodes[0]!.execute(await c.invokeTx(contract, 'calls', null))
      return { calls: r.receipt.result }
    }
    const callerState = (): Record<string, any> => {
      const m = c.nodes.find(n => n.hostedShards().includes(caller))!
      return JSON.parse(m.contractState(caller)!)
    }
    beforeAll(async () => {
      c = await TestCluster.create({ nodes: 5, transport: 'libp2p' })
      const d1 = await c.deployTx(CALLER, consensus, 4)
      const d2 = await c.deployTx(CALLEE, consensus, 4)
      caller = d1.tx.contract
      callee = d2.tx.contract
      await c.nodes[0]!.execute(d1)
      await c.nodes[0]!.execute(d2)
    })
    afterAll(async () => { await c.close() })

    it('a callee failure reaches the caller\'s onError (phase 2)', async () => {
      await c.nodes[1]!.execute(await c.invokeTx(caller, 'go', callee))
      await expect.poll(() => callerState().errors.length, { timeout: 15_000 }).toBe(1)
      expect(callerState().errors[0]).toMatchObject({ method: 'fail', message: expect.stringMatching(/callee refuses 1/) })
    })

    it('a handler receives the callee\'s result', async () => {
      await c.nodes[2]!.execute(await c.invokeTx(caller, 'ask', callee))
      await expect.poll(() => callerState().answers, { timeout: 15_000 }).toEqual([42])
    })

    it('calls of a failed execution are never sent', async () => {
      const before = (await state(callee)).calls as number
      const r = await c.nodes[3]!.execute(await c.invokeTx(caller, 'goThenThrow', callee))
      expect(r.receipt.status).toBe('failed')
      expect(r.receipt.calls).toEqual([])
      await new Promise(resolve => setTimeout(resolve, 500))
      expect((await state(callee)).calls).toBe(before)
    })
  })
}

describe('first-hop admission', () => {
  let c: TestCluster
  beforeAll(async () => { c = await TestCluster.create({ nodes: 4, transport: 'libp2p' }) })
  afterAll(async () => { await c.close() })

  it('refuses bad signatures, impostors, outsiders and other networks, storing nothing', async () => {
    const deploy = await c.deployTx('contract K { export function f() { return 1 } }', 'raft', 3)
    await c.nodes[0]!.execute(deploy)
    const contract = deploy.tx.contract
    const good = await c.invokeTx(contract, 'f', null)
    const tampered = { ...good, tx: { ...good.tx, arg: 'changed' } }
    await expect(c.nodes[1]!.submit(tampered)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
    // A user of an organization that is not in this genesis.
    const outsiders = await createNetwork({ name: 'other', orgs: ['evil'], scheme: 'ed25519', nodesPerOrg: 1, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
    const mallory = outsiders.identities.find(i => i.kind === 'user')!
    const foreign: TxBody = { ...good.tx, nonce: 'mallory', from: identityId(mallory.publicKey), network: outsiders.identities[0]!.network }
    await expect(c.nodes[1]!.submit(await signEnvelope(foreign, mallory))).rejects.toMatchObject({ code: 'WRONG_NETWORK' })
    const sameNetwork = { ...foreign, network: c.network }
    await expect(c.nodes[1]!.submit({ tx: sameNetwork, proofs: [{ cert: mallory.certBytes, sig: new Uint8Array(64) }] })).rejects.toMatchObject({ code: 'UNKNOWN_ORG' })
    // A node identity cannot act as a client; contract-issued kinds cannot be submitted by clients.
    const node = c.nodeIdentities[0]!
    await expect(c.nodes[1]!.submit(await signEnvelope({ ...good.tx, nonce: 'node', from: identityId(node.publicKey) }, node))).rejects.toMatchObject({ code: 'CERT_INVALID' })
    await expect(c.nodes[1]!.submit({ ...good, tx: { ...good.tx, kind: 'call' } })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    for (const env of [tampered]) {
      for (const n of c.nodes) expect(await n.localReceipt(txId(env.tx))).toBeUndefined()
    }
    expect(c.nodes[1]!.counters.refused).toBe(5)
    // The genuine one still goes through.
    expect((await c.nodes[1]!.execute(good)).receipt.result).toBe(1)
    // A node that is shutting down takes nothing new.
    await c.nodes[3]!.close()
    await expect(c.nodes[3]!.submit(await c.invokeTx(contract, 'f', null))).rejects.toMatchObject({ code: 'CLOSED' })
  })
})
