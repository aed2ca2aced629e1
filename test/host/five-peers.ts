// The issue's acceptance flow, as a script that only uses the CLI and the API: five peers
// started with `betasco start` as separate processes on loopback, a contract deployed with
// `betasco deploy` and called with `betasco call` through different peers, one member killed
// with SIGKILL and restarted from its data directory, catching up.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { getJson, run, startPeer, stopPeer, until, type PeerProcess } from './processes.ts'

export async function fivePeerFlow (consensus: 'raft' | 'pbft'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `betasco-five-${consensus}-`))
  const peers: PeerProcess[] = []
  try {
    const init = await run(['network', 'init', '--orgs', 'org1,org2,org3', '--out', join(dir, 'net'), '--nodes', '2', '--json'])
    expect(init.code).toBe(0)
    const names = ['org1-node1', 'org2-node1', 'org3-node1', 'org1-node2', 'org2-node2']
    const peerArgs = (i: number, bootstrap: string[]): string[] => [
      '--network', join(dir, 'net'), '--identity', join(dir, 'net', `${names[i]}.json`), '--api', '127.0.0.1:0',
      '--data', join(dir, `data-${i}`), '--log-level', 'info', ...(bootstrap.length > 0 ? ['--bootstrap', ...bootstrap] : [])
    ]
    peers.push(await startPeer(peerArgs(0, [])))
    const boot = peers[0]!.started.multiaddrs[0]!
    for (let i = 1; i < 5; i++) peers.push(await startPeer(peerArgs(i, [boot])))
    // every peer admitted every other one
    for (const p of peers) await until(`${p.started.name} to see 4 peers`, async () => (await getJson(`${p.started.api}/v1/status`)).peers.length >= 4 ? true : undefined, 40_000)

    const user = ['--identity', join(dir, 'net', 'org1-user1.json'), '--json']
    const deploy = await run(['deploy', fileURLToPath(new URL('../../examples/contracts/Counter.js', import.meta.url)), '--shard-size', '4', '--consensus', consensus, '--api', peers[0]!.started.api, ...user])
    expect(deploy.code, deploy.err).toBe(0)
    const contract = JSON.parse(deploy.out).contract as string
    expect(JSON.parse(deploy.out).status).toBe('committed')

    // calls through different peers, members or not, give the next count each time
    for (let i = 1; i < 5; i++) {
      const call = await run(['call', contract, 'call', '--api', peers[i]!.started.api, ...user])
      expect(call.code, call.err).toBe(0)
      expect(JSON.parse(call.out).result).toBe(i)
    }

    // a member other than the bootstrap peer is killed without warning
    const members = new Set<string>((await until('a member to describe the shard', async () => {
      for (const p of peers) {
        const r = await fetch(`${p.started.api}/v1/contracts/${contract}`)
        if (r.ok) return await r.json() as { members: Array<{ peerId: string }> }
      }
      return undefined
    }, 10_000)).members.map(m => m.peerId))
    const victimIndex = peers.findIndex((p, i) => i > 0 && members.has(p.started.peerId))
    expect(victimIndex).toBeGreaterThan(0)
    const victim = peers[victimIndex]!
    process.kill(victim.pid, 'SIGKILL')
    await victim.exited
    const others = peers.filter((_, i) => i !== victimIndex)
    for (let n = 5; n <= 7; n++) {
      const call = await run(['call', contract, 'call', '--api', others[n % others.length]!.started.api, ...user])
      expect(call.code, `${call.err}\n${others.map(p => `${p.started.name}:\n  ${p.stderr.slice(-8).join('\n  ')}`).join('\n')}`).toBe(0)
      expect(JSON.parse(call.out).result).toBe(n)
    }

    // restarted from its data directory, it catches up with what it missed
    const restarted = await startPeer(peerArgs(victimIndex, [boot]))
    peers[victimIndex] = restarted
    expect(restarted.started.peerId).toBe(victim.started.peerId)
    const height = (await getJson(`${others.find(p => members.has(p.started.peerId))!.started.api}/v1/contracts/${contract}`)).height as number
    await until('the restarted member to catch up', async () => {
      const r = await fetch(`${restarted.started.api}/v1/contracts/${contract}`)
      if (!r.ok) return undefined
      return (await r.json() as { height: number }).height >= height ? true : undefined
    }, 45_000)
    const after = await run(['call', contract, 'call', '--api', restarted.started.api, ...user])
    expect(after.code, after.err).toBe(0)
    expect(JSON.parse(after.out).result).toBe(8)
    const status = await run(['status', '--api', restarted.started.api, '--json'])
    expect(JSON.parse(status.out).shards.map((s: { contract: string }) => s.contract)).toContain(contract)

    // every peer stops cleanly on SIGTERM
    for (const p of peers.splice(0)) expect(await stopPeer(p)).toBe(0)
  } finally {
    for (const p of peers) await stopPeer(p, 3_000).catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}
