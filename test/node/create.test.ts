// The package's embeddable node: createNode from the files `betasco network init` writes (as
// JSON), LevelDB ledgers, contract workers, libp2p on loopback with the locator.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createNode, type RunningNode } from '../../src/index.ts'
import { createNetwork, genesisToJson, identityId, identityToJson, networkId, signEnvelope } from '../../src/crypto/index.ts'
import { contractIdFor, type TxBody } from '../../src/core/transaction.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { LevelLedgerStore } from '../../src/storage/level.ts'
import type { LedgerStore } from '../../src/storage/ledger-store.ts'
import { example, FAST_PARAMS } from './cluster.ts'

describe('createNode (the betasco package entry point)', () => {
  const running: RunningNode[] = []
  const stores: LedgerStore[] = []
  let dir: string | undefined
  afterAll(async () => {
    for (const r of running) await r.stop()
    for (const s of stores) await s.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('runs a network of embedded nodes from identity files that deploys and invokes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'betasco-create-'))
    const material = await createNetwork({ name: 'embedded', orgs: ['org1', 'org2'], scheme: 'sm2', nodesPerOrg: 2, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
    const genesisJson = JSON.parse(JSON.stringify(genesisToJson(material.genesis)))
    const nodes = material.identities.filter(i => i.kind === 'node')
    for (const [i, identity] of nodes.entries()) {
      const store = await LevelLedgerStore.open(join(dir, `n${i}`))
      stores.push(store)
      running.push(await createNode({
        genesis: genesisJson,
        identity: JSON.parse(JSON.stringify(identityToJson(identity))),
        store,
        contracts: { spawn: nodeContractWorkers() },
        network: { listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dhtServer: true, bootstrap: running.map(r => `${r.peer.node.getMultiaddrs()[0]!.toString()}`) },
        params: FAST_PARAMS,
        locate: true
      }))
    }
    await expect.poll(() => running.every(r => r.node.peers().size === nodes.length - 1), { timeout: 20_000 }).toBe(true)
    const user = material.identities.find(i => i.kind === 'user')!
    const from = identityId(user.publicKey)
    const net = networkId(material.genesis)
    const code = await example('Counter')
    const deploy: TxBody = { v: 1, network: net, kind: 'deploy', contract: contractIdFor(net, from, 'd1', code), method: 'onCreate', arg: null, nonce: 'd1', from, deploy: { code, shardSize: 3, consensus: 'pbft', gasLimit: 100_000, checkpointInterval: 50 } }
    expect((await running[0]!.node.execute(await signEnvelope(deploy, user))).receipt.status).toBe('committed')
    for (const [i, r] of running.entries()) {
      const tx: TxBody = { v: 1, network: net, kind: 'invoke', contract: deploy.contract, method: 'call', arg: null, nonce: `i${i}`, from }
      expect((await r.node.execute(await signEnvelope(tx, user))).receipt.result).toBe(i + 1)
    }
    await expect(createNode({ genesis: genesisJson, identity: identityToJson(user), store: stores[0]!, contracts: { spawn: nodeContractWorkers() } })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  }, 120_000)
})
