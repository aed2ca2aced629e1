// bench:shard — throughput and latency of signed transactions sent through the HTTP API of
// entry nodes, for shards of k = 4 under Raft and PBFT, with 1 to 5 contracts hosted on the
// same k nodes (node virtualization: the paper's Table 2 layout, contracts × consensus).
// Each cell runs a closed loop: every contract has C clients, each sending one tx and waiting
// for its matching receipts (1 for Raft, f+1 for PBFT) before the next. Real libp2p on
// loopback, real LevelDB ledgers in a temporary directory, real SES contract workers.
// Prints its setup, progress, a table, and writes bench/results/shard.json.
//   node bench/shard.ts [--duration S] [--clients C] [--max-contracts N] [--consensus raft,pbft]
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BetascoClient } from '../src/client/index.ts'
import { createNetwork } from '../src/crypto/index.ts'
import { startHost, type PeerHost } from '../node-host/host.ts'

const USAGE = 'usage: node bench/shard.ts [--duration S] [--clients C] [--max-contracts 1..20] [--consensus raft,pbft] [--out FILE]'
let parsed: ReturnType<typeof parseOptions>
function parseOptions () {
  return parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      duration: { type: 'string', default: '10' },
      clients: { type: 'string', default: '8' },
      'max-contracts': { type: 'string', default: '5' },
      consensus: { type: 'string', default: 'raft,pbft' },
      out: { type: 'string', default: 'bench/results/shard.json' },
    }
  })
}
try {
  parsed = parseOptions()
} catch (err) {
  console.error(`bench:shard: ${(err as Error).message}\n${USAGE}`)
  process.exit(2)
}
if (parsed.values.help === true) {
  console.log(USAGE)
  process.exit(0)
}
const { values } = parsed
const K = 4
const DURATION_MS = Number(values.duration) * 1000
const CLIENTS = Number(values.clients)
const MAX_CONTRACTS = Number(values['max-contracts'])
const KINDS = values.consensus!.split(',') as Array<'raft' | 'pbft'>
const PARAMS = { tickMs: 20, electionTicks: 10, heartbeatTicks: 2, viewChangeTicks: 50, maxTxsPerBlock: 500 }
if (!(DURATION_MS > 0) || !(CLIENTS >= 1) || !(MAX_CONTRACTS >= 1 && MAX_CONTRACTS <= 20) || KINDS.some(k => k !== 'raft' && k !== 'pbft')) {
  console.error(USAGE)
  process.exit(2)
}

const pct = (sorted: number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
const pkgVersion = async (name: string): Promise<string> => (JSON.parse(await readFile(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version

console.log('bench:shard — signed txs through the API of entry nodes, shards of k = 4 on the same 4 nodes')
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`)
console.log(`node ${process.version}, libp2p ${await pkgVersion('libp2p')}, ses ${await pkgVersion('ses')}, classic-level ${await pkgVersion('classic-level')}`)
console.log(`parameters: ${K} nodes in 3 organizations, contracts 1..${MAX_CONTRACTS}, ${CLIENTS} closed-loop clients per contract, ${DURATION_MS / 1000} s per cell, consensus ${KINDS.join(', ')}, tick ${PARAMS.tickMs} ms, ≤ ${PARAMS.maxTxsPerBlock} txs per block`)
console.log('transport: libp2p WebSockets on 127.0.0.1; ledgers: LevelDB; contract: examples/contracts/Counter.js (call)')

interface Cell { consensus: string, contracts: number, txs: number, failed: number, errors: number, seconds: number, tps: number, p50Ms: number, p99Ms: number, meanMs: number }
const cells: Cell[] = []
const code = await readFile(new URL('../examples/contracts/Counter.js', import.meta.url), 'utf8')

for (const consensus of KINDS) {
  const dir = await mkdtemp(join(tmpdir(), 'betasco-bench-shard-'))
  const hosts: PeerHost[] = []
  try {
    const material = await createNetwork({ name: 'bench', orgs: ['org1', 'org2', 'org3'], scheme: 'ed25519', nodesPerOrg: 2, usersPerOrg: 1, validityDays: 1, nowMs: Date.now() })
    const ids = material.identities.filter(i => i.kind === 'node')
    const chosen = [ids[0]!, ids[2]!, ids[4]!, ids[1]!] // org1, org2, org3, org1
    for (const [i, identity] of chosen.entries()) {
      hosts.push(await startHost({ genesis: material.genesis, identity, dataDir: join(dir, identity.name), api: { host: '127.0.0.1', port: 0 }, params: PARAMS, bootstrap: i === 0 ? [] : [hosts[0]!.multiaddrs()[0]!] }))
    }
    for (let i = 0; i < 100 && hosts.some(h => h.node.peers().size < K - 1); i++) await new Promise(r => setTimeout(r, 200))
    if (hosts.some(h => h.node.peers().size < K - 1)) throw new Error('the 4 nodes did not connect')
    const user = material.identities.find(i => i.kind === 'user')!
    const clients = hosts.map(h => new BetascoClient({ url: h.apiUrl!, identity: user }))
    console.log(`\n[${consensus}] 4 peers up; deploying ${MAX_CONTRACTS} contracts (each a shard of all 4 nodes)…`)
    const contracts: string[] = []
    for (let c = 0; c < MAX_CONTRACTS; c++) {
      const d = await clients[c % clients.length]!.deploy(code, { shardSize: K, consensus, timeoutMs: 120_000 })
      if (d.status !== 'committed') throw new Error(`deploy failed: ${d.error?.message}`)
      contracts.push(d.contract)
      process.stdout.write(`  contract ${c + 1}: ${d.contract.slice(0, 16)}…\n`)
    }
    for (let n = 1; n <= MAX_CONTRACTS; n++) {
      const latencies: number[] = []
      let failed = 0
      let errors = 0
      const deadline = Date.now() + DURATION_MS
      const started = performance.now()
      const loops: Array<Promise<void>> = []
      for (let c = 0; c < n; c++) {
        for (let j = 0; j < CLIENTS; j++) {
          const client = clients[(c + j) % clients.length]! // entry nodes in turn
          loops.push((async () => {
            while (Date.now() < deadline) {
              const t0 = performance.now()
              try {
                const s = await client.call(contracts[c]!, 'call', null, { timeoutMs: 60_000 })
                if (s.status === 'committed') latencies.push(performance.now() - t0)
                else failed++
              } catch { errors++ }
            }
          })())
        }
      }
      const progress = setInterval(() => { process.stdout.write(`  [${consensus}] ${n} contract(s): ${latencies.length} txs committed so far…\n`) }, 5000)
      await Promise.all(loops)
      clearInterval(progress)
      const seconds = (performance.now() - started) / 1000
      const sorted = latencies.sort((a, b) => a - b)
      const cell: Cell = {
        consensus, contracts: n, txs: sorted.length, failed, errors, seconds: Number(seconds.toFixed(2)),
        tps: Number((sorted.length / seconds).toFixed(1)),
        p50Ms: Math.round(pct(sorted, 0.5)), p99Ms: Math.round(pct(sorted, 0.99)),
        meanMs: Math.round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
      }
      cells.push(cell)
      console.log(`  [${consensus}] ${n} contract(s): ${cell.tps} tx/s, p50 ${cell.p50Ms} ms, p99 ${cell.p99Ms} ms (${cell.txs} txs, ${failed} failed, ${errors} errors)`)
    }
  } finally {
    for (const h of hosts) await h.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

// Table 2 layout: one row per number of contracts, throughput and latency per consensus.
const header = ['contracts', ...KINDS.flatMap(k => [`${k} tx/s`, `${k} p50 ms`, `${k} p99 ms`])]
const rows = Array.from({ length: MAX_CONTRACTS }, (_, i) => [String(i + 1), ...KINDS.flatMap(k => {
  const c = cells.find(x => x.consensus === k && x.contracts === i + 1)
  return c === undefined ? ['-', '-', '-'] : [String(c.tps), String(c.p50Ms), String(c.p99Ms)]
})])
const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)))
console.log('\n' + header.map((h, i) => h.padStart(widths[i]!)).join('  '))
for (const r of rows) console.log(r.map((v, i) => v.padStart(widths[i]!)).join('  '))

const out = values.out!
mkdirSync(join(out, '..'), { recursive: true })
writeFileSync(out, JSON.stringify({
  setup: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemBytes: totalmem(), loadAverage: loadavg(), k: K, clientsPerContract: CLIENTS, durationMs: DURATION_MS, params: PARAMS, date: new Date().toISOString() },
  cells,
}, null, 2) + '\n')
console.log(`\nwrote ${out}`)
// libp2p may leave timers behind; the results are written
setTimeout(() => process.exit(0), 1000).unref()
