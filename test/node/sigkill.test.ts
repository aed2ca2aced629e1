// A shard member in its own process, killed with SIGKILL while transactions are in flight,
// restarted from its LevelDB: no committed transaction is lost, none is executed twice.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { genesisToJson, identityToJson } from '../../src/crypto/index.ts'
import { closestPeers } from '../../src/network/distance.ts'
import { example, FAST_PARAMS, TestCluster } from './cluster.ts'

interface Child {
  proc: ChildProcess
  info: { peerId: string, addr: string, shards: string[] }
  ask: (shard: string, txIds: string[]) => Promise<{ state: string | null, receipts: string[] }>
}

async function startChild (setupFile: string): Promise<Child> {
  const proc = spawn(process.execPath, [new URL('./member-child.ts', import.meta.url).pathname, setupFile], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: proc.stdout! })
  const waiting: Array<(l: string) => void> = []
  lines.on('line', (l) => waiting.shift()?.(l))
  const next = async (): Promise<string> => await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not answer in 30 s')), 30_000)
    waiting.push((l) => { clearTimeout(timer); resolve(l) })
  })
  const info = JSON.parse(await next())
  const ask = async (shard: string, txIds: string[]): Promise<{ state: string | null, receipts: string[] }> => {
    proc.stdin!.write(JSON.stringify({ shard, txIds }) + '\n')
    return JSON.parse(await next())
  }
  return { proc, info, ask }
}

async function kill (child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return
  const exited = new Promise(resolve => child.proc.once('exit', resolve))
  child.proc.kill('SIGKILL')
  await exited
}

describe('SIGKILL of a shard member mid-load', () => {
  const children: Child[] = []
  const clusters: TestCluster[] = []
  const dirs: string[] = []
  afterAll(async () => {
    for (const ch of children) await kill(ch)
    for (const c of clusters) await c.close()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  for (const [consensus, k] of [['raft', 3], ['pbft', 4]] as const) {
    it(`loses and repeats nothing (${consensus}, k = ${k})`, async () => {
      const c = await TestCluster.create({ nodes: 4, transport: 'libp2p', spareNodes: 1 })
      clusters.push(c)
      const dir = await mkdtemp(join(tmpdir(), 'betasco-sigkill-'))
      dirs.push(dir)
      const identity = c.spares[0]!
      const peersOf = (): string[] => (c as any).peersList().map((p: any) => p.node.getMultiaddrs()[0]!.toString())
      const setupFile = join(dir, 'setup.json')
      await writeFile(setupFile, JSON.stringify({ genesis: genesisToJson(c.material.genesis), identity: identityToJson(identity), data: join(dir, 'data'), peers: peersOf(), params: FAST_PARAMS }))
      let child = await startChild(setupFile)
      children.push(child)
      await expect.poll(() => c.nodes.every(n => n.peers().has(child.info.peerId)), { timeout: 15_000 }).toBe(true)
      // A contract whose shard of 3 includes the child.
      const all = [...c.nodes.map(n => n.id), child.info.peerId]
      let deploy = await c.deployTx(await example('Counter'), consensus, k)
      for (let i = 0; i < 200 && !closestPeers(deploy.tx.contract, all, k).includes(child.info.peerId); i++) deploy = await c.deployTx(await example('Counter'), consensus, k)
      const shard = deploy.tx.contract
      const entry = c.nodes.find(n => !closestPeers(shard, all, k).includes(n.id)) ?? c.nodes[0]!
      await entry.execute(deploy)
      for (let i = 0; i < 5; i++) await entry.execute(await c.invokeTx(shard, 'call', null))

      // 30 transactions in flight; the child dies in the middle of them.
      const load = Promise.all(Array.from({ length: 30 }, async (_, i) => {
        await new Promise(resolve => setTimeout(resolve, i * 15))
        return await entry.execute(await c.invokeTx(shard, 'call', null), 60_000)
      }))
      await new Promise(resolve => setTimeout(resolve, 200))
      await kill(child)
      const results = await load
      expect(results.every(r => r.receipt.status === 'committed')).toBe(true)
      const counts = results.map(r => r.receipt.result as number).sort((a, b) => a - b)
      expect(counts).toEqual(Array.from({ length: 30 }, (_, i) => i + 6)) // each exactly once, none lost

      // Restart over the same LevelDB: it catches up and holds the same state.
      await writeFile(setupFile, JSON.stringify({ genesis: genesisToJson(c.material.genesis), identity: identityToJson(identity), data: join(dir, 'data'), peers: peersOf(), params: FAST_PARAMS }))
      child = await startChild(setupFile)
      children.push(child)
      expect(child.info.shards).toContain(shard)
      await expect.poll(() => c.nodes.every(n => n.peers().has(child.info.peerId)), { timeout: 15_000 }).toBe(true)
      const last = await entry.execute(await c.invokeTx(shard, 'call', null))
      expect(last.receipt.result).toBe(36)
      // The restarted member holds every committed tx's receipt and the state they made, once each.
      const ids = [...results, last].map(r => r.receipt.txId)
      await expect.poll(async () => (await child.ask(shard, ids)).receipts.length, { timeout: 30_000, interval: 300 }).toBe(ids.length)
      expect(JSON.parse((await child.ask(shard, [])).state!).count).toBe(36)
    }, 180_000)
  }
})
