// npm run bench:locate — hops and latency of the Algorithm 1 locator on real libp2p peers on
// loopback, for N = 10, 20, 50 peers in a sparse random topology (each dials 3 others), with
// kad-dht (the product) and with neighbours only (the paper's Algorithm 1 alone).
// Usage: node bench/locate.ts [--sizes 10,20,50] [--contracts 200] [--k 4] [--dials 3]
//        [--modes dht,neighbours] [--seed 1] [--out FILE.json] [--json]
import { cpus, tmpdir, totalmem } from 'node:os'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { toHex } from '../src/core/bytes.ts'
import { createNetwork } from '../src/crypto/identity.ts'
import { selectMembers } from '../src/network/locator.ts'
import type { Member } from '../src/network/locator.ts'
import { createNetworkPeer } from '../src/network/peer.ts'
import type { NetworkPeer } from '../src/network/peer.ts'
import { seededRandom as prng } from '../test/random.ts'

const args = process.argv.slice(2)
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt
}
const sizes = opt('sizes', '10,20,50').split(',').map(Number).filter(n => Number.isInteger(n) && n >= 4 && n <= 200)
const contracts = Math.max(1, Math.min(10_000, Number(opt('contracts', '200')) || 200))
const K = Math.max(1, Math.min(16, Number(opt('k', '4')) || 4))
const DIALS = Math.max(1, Math.min(10, Number(opt('dials', '3')) || 3))
const modes = opt('modes', 'dht,neighbours').split(',').filter(m => m === 'dht' || m === 'neighbours')
const seed = Number(opt('seed', '1')) || 1
const out = opt('out', join(tmpdir(), 'betasco-bench-locate.json'))
const jsonOnly = args.includes('--json')


const log = (line: string): void => { if (!jsonOnly) console.log(line) }
const pkgVersion = (name: string): string => {
  try { return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version } catch { return '?' }
}

interface Row {
  n: number
  mode: string
  contracts: number
  reached: number
  wrongMember: number
  meanNeighbours: number
  hops: { mean: number, p50: number, p90: number, max: number, histogram: Record<string, number> }
  latencyMs: { mean: number, p50: number, p90: number, p99: number, max: number }
  dhtLookups: number
  floods: number
  setupMs: number
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

async function runOne (n: number, mode: string): Promise<Row> {
  const rand = prng(seed * 1000 + n)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!
  const t0 = performance.now()
  const material = await createNetwork({ name: `bench-${n}`, orgs: ['org1', 'org2', 'org3'], scheme: 'ed25519', nodesPerOrg: Math.ceil(n / 3), usersPerOrg: 0, validityDays: 1, nowMs: Date.now() })
  const ids = material.identities.filter(i => i.kind === 'node').slice(0, n)
  const peers: NetworkPeer[] = []
  try {
    for (const id of ids) {
      peers.push(await createNetworkPeer({ genesis: material.genesis, identity: id, listen: ['/ip4/127.0.0.1/tcp/0/ws'], allowPrivateAddresses: true, dhtServer: true, dht: mode === 'dht', locator: { minOrgs: 2 } }))
    }
    log(`  N=${n} ${mode}: ${n} peers started`)
    for (const [i, p] of peers.entries()) {
      const targets = new Set<NetworkPeer>()
      while (targets.size < Math.min(DIALS, n - 1)) {
        const t = pick(peers)
        if (t !== peers[i]) targets.add(t)
      }
      for (const t of targets) {
        // the machine is shared by all peers: a handshake can time out under load, so retry
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            await p.connect(t.node.getMultiaddrs()[0]!)
            break
          } catch (err) {
            log(`    dial ${i} -> ${peers.indexOf(t)} failed (attempt ${attempt}/3): ${(err as Error).message}`)
          }
        }
      }
    }
    const served = new Map<string, number>()
    for (const p of peers) p.locator.handle(async () => { served.set(p.peerId, (served.get(p.peerId) ?? 0) + 1); return new Uint8Array(0) })
    const all = peers.map(p => ({ peerId: p.peerId, org: p.admission.ownOrg }))
    const info = new Map<string, Member>(all.map(p => [p.peerId, { ...p, addrs: [] }]))
    const truth = new Map<string, string[]>()
    for (let i = 0; i < contracts; i++) {
      const c = toHex(Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)))
      const members = selectMembers(c, all, K, 2)
      truth.set(c, members)
      for (const p of peers) if (members.includes(p.peerId)) p.locator.membership.record(c, members.map(id => info.get(id)!))
    }
    // let the DHT's first self-lookups and routing-table pings finish: all peers share this process
    if (mode === 'dht') await new Promise(resolve => setTimeout(resolve, 1000 + 100 * n))
    const setupMs = performance.now() - t0
    const meanNeighbours = peers.reduce((a, p) => a + p.locator.neighbours().length, 0) / n
    log(`  N=${n} ${mode}: topology ready in ${(setupMs / 1000).toFixed(1)} s, mean neighbours ${meanNeighbours.toFixed(1)}; routing ${contracts} contracts one at a time`)
    const hops: number[] = []
    const lat: number[] = []
    let wrongMember = 0
    let i = 0
    for (const [c, members] of truth) {
      const entry = pick(peers)
      const s = performance.now()
      try {
        const res = await entry.locator.route(c, new Uint8Array(64))
        lat.push(performance.now() - s)
        hops.push(res.hops)
        if (!members.includes(res.deliveredBy)) wrongMember++
      } catch (err) {
        log(`    contract ${c.slice(0, 12)}… not reached: ${(err as Error).message}`)
      }
      if (++i % 50 === 0) log(`    ${i}/${contracts} routed`)
    }
    const hs = [...hops].sort((a, b) => a - b)
    const ls = [...lat].sort((a, b) => a - b)
    const histogram: Record<string, number> = {}
    for (const h of hops) histogram[h] = (histogram[h] ?? 0) + 1
    return {
      n,
      mode,
      contracts,
      reached: hops.length,
      wrongMember,
      meanNeighbours,
      hops: { mean: hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length), p50: quantile(hs, 0.5), p90: quantile(hs, 0.9), max: hs[hs.length - 1] ?? NaN, histogram },
      latencyMs: { mean: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length), p50: quantile(ls, 0.5), p90: quantile(ls, 0.9), p99: quantile(ls, 0.99), max: ls[ls.length - 1] ?? NaN },
      dhtLookups: peers.reduce((a, p) => a + p.locator.stats.dhtLookups, 0),
      floods: peers.reduce((a, p) => a + p.locator.stats.floods, 0),
      setupMs
    }
  } finally {
    await Promise.allSettled(peers.map(async p => await p.stop()))
  }
}

const setup = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  node: process.version,
  libp2p: pkgVersion('libp2p'),
  kadDht: pkgVersion('@libp2p/kad-dht'),
  transport: 'WebSockets on 127.0.0.1, noise, yamux',
  sizes,
  modes,
  contracts,
  k: K,
  minOrgs: 2,
  dialsPerPeer: DIALS,
  seed,
  orgs: 3
}
log('bench:locate — Algorithm 1 locator on real libp2p peers on loopback')
log(`setup: ${JSON.stringify(setup)}`)
log('note: all peers share this machine\'s cores, so latency is an upper bound of a LAN\'s')
const rows: Row[] = []
for (const n of sizes) {
  for (const mode of modes) {
    log(`N=${n}, ${mode === 'dht' ? 'with kad-dht' : 'neighbours only (no DHT)'}:`)
    rows.push(await runOne(n, mode))
  }
}
if (jsonOnly) {
  console.log(JSON.stringify({ setup, rows }, null, 2))
} else {
  console.log('')
  console.log('| N | mode | reached | wrong member | neighbours | hops mean | p50 | p90 | max | log2(N)+2 | latency ms p50 | p90 | p99 | max | DHT lookups | floods |')
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.mode} | ${r.reached}/${r.contracts} | ${r.wrongMember} | ${r.meanNeighbours.toFixed(1)} | ${r.hops.mean.toFixed(2)} | ${r.hops.p50} | ${r.hops.p90} | ${r.hops.max} | ${(Math.log2(r.n) + 2).toFixed(1)} | ${r.latencyMs.p50.toFixed(1)} | ${r.latencyMs.p90.toFixed(1)} | ${r.latencyMs.p99.toFixed(1)} | ${r.latencyMs.max.toFixed(1)} | ${r.dhtLookups} | ${r.floods} |`)
  }
  console.log('')
  for (const r of rows) console.log(`hops histogram N=${r.n} ${r.mode}: ${Object.entries(r.hops.histogram).map(([h, c]) => `${h}:${c}`).join(' ')}`)
}
writeFileSync(out, JSON.stringify({ setup, rows }, null, 2))
log(`\nJSON written to ${out}`)
process.exit(0)
