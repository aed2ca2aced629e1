// npm run bench:consensus — cost of ordering per algorithm and shard size, before any real
// network exists: every member of one shard runs in this process over a virtual network
// (seeded, 1-4 virtual ms per message, no faults), so CPU time is the cost of the protocol
// itself: encoding, decoding, hashing, keyed-hash signatures and state-machine work.
// Two phases per configuration:
//   latency     one transaction every `gapMs` virtual ms: submit-to-commit latency (virtual)
//   saturation  `txs` transactions at once: blocks and transactions per CPU-second (all
//               members together and per member) and throughput in virtual time
// Usage: node bench/consensus.ts [--sizes 3-15] [--txs N] [--batch N] [--algorithms raft,pbft] [--quick] [--out FILE] [--json]
import { writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex, utf8 } from '../src/core/bytes.ts'
import { encode } from '../src/core/encoding.ts'
import { sha256 } from '../src/core/hash.ts'
import type { ShardConfig } from '../src/core/shard-config.ts'
import type { Envelope } from '../src/core/transaction.ts'
import { createOrderer } from '../src/consensus/shard-orderer.ts'
import { DEFAULT_PARAMS, type Orderer, type OrdererParams } from '../src/consensus/orderer.ts'
import { Prng } from '../src/consensus/prng.ts'
import { keyedHashSigners } from '../src/consensus/signer.ts'
import { txIdOf } from '../src/consensus/tx-id.ts'
import { EventQueue } from '../src/sim/event-queue.ts'

type Algo = 'solo' | 'raft' | 'pbft'

interface Options { sizes: number[], txs: number, batch: number, latencyTxs: number, gapMs: number, algorithms: Algo[], out: string, json: boolean }

function parseOptions (argv: string[]): Options {
  const get = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined }
  const quick = argv.includes('--quick')
  const range = get('sizes') ?? (quick ? '3,4,7' : '3-15')
  const sizes = range.includes('-')
    ? (() => { const [a, b] = range.split('-').map(Number); return Array.from({ length: b! - a! + 1 }, (_, i) => a! + i) })()
    : range.split(',').map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error(`--sizes: expected sizes from 1 to 64 like 3-15 or 3,5,7, got "${range}"`)
  const int = (name: string, dflt: number): number => {
    const v = get(name)
    const n = v === undefined ? dflt : Number(v)
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got "${v}"`)
    return n
  }
  const algorithms = (get('algorithms') ?? 'raft,pbft').split(',') as Algo[]
  for (const a of algorithms) if (!['solo', 'raft', 'pbft'].includes(a)) throw new Error(`--algorithms: unknown algorithm "${a}"`)
  return {
    sizes, txs: int('txs', quick ? 1000 : 3000), batch: int('batch', 100), latencyTxs: int('latency-txs', quick ? 20 : 50), gapMs: int('gap', 25),
    algorithms, out: get('out') ?? join(tmpdir(), 'betasco-bench-consensus.json'), json: argv.includes('--json'),
  }
}

type Ev = { type: 'tick', node: number } | { type: 'deliver', to: number, from: string, data: Uint8Array } | { type: 'submit', tx: number, node: number }

/** One shard on a fault-free virtual network. */
class Shard {
  readonly nodes: Orderer[] = []
  readonly ids: string[]
  readonly queue = new EventQueue<Ev>()
  readonly rng = new Prng(12345)
  readonly submittedAt = new Map<string, number>()
  readonly committedAt = new Map<string, number>()
  readonly txs: Envelope[] = []
  now = 0
  messages = 0
  messageBytes = 0
  blocks = 0
  hardStateWrites = 0
  hardStateBytes = 0
  blockBytes = 0
  private readonly params: Partial<OrdererParams>

  constructor (algo: Algo, n: number, batch: number) {
    this.ids = Array.from({ length: n }, (_, i) => `member-${i}`)
    const contract = toHex(sha256(utf8.encode('bench-contract')))
    const config: ShardConfig = {
      v: 1, contract, version: 0, fromHeight: 0, consensus: algo, shardSize: n, members: this.ids.map((peerId, i) => ({ peerId, org: `org${i % 3}` })),
      gasLimit: 1_000_000, checkpointInterval: 10, codeHash: new Uint8Array(32),
    }
    this.params = { ...DEFAULT_PARAMS, maxTxsPerBlock: batch, maxPoolTxs: 1_000_000 }
    const keys = keyedHashSigners(this.ids, 1)
    for (const id of this.ids) this.nodes.push(createOrderer(config, { signer: keys.signers.get(id)!, verifier: keys.verifier, seed: 1, params: this.params }))
    this.ids.forEach((_, i) => this.queue.push(1 + this.rng.below(this.params.tickMs!), { type: 'tick', node: i }))
  }

  addTx (i: number): number {
    const env: Envelope = {
      tx: { v: 1, network: 'a'.repeat(64), kind: 'invoke', contract: toHex(sha256(utf8.encode('bench-contract'))), method: 'transfer', arg: { to: `acct-${i % 97}`, amount: i }, nonce: `bench-${i}`, from: 'c'.repeat(64) },
      proofs: [{ cert: new Uint8Array(200), sig: new Uint8Array(64) }],
    }
    this.txs.push(env)
    return this.txs.length - 1
  }

  private step (i: number, input: Parameters<Orderer['step']>[0]): void {
    const o = this.nodes[i]!
    o.step(input)
    const r = o.ready()
    // What a driver must persist before sending: encoded here as a store would, so its cost counts.
    if (r.hardState !== null) { const b = encode(r.hardState); this.hardStateWrites++; this.hardStateBytes += b.length }
    for (const cb of r.committed) this.blockBytes += encode(cb).length
    for (const cb of r.committed) {
      if (i === 0) this.blocks++
      for (const e of cb.block.txs) { const id = txIdOf(e.tx); if (!this.committedAt.has(id)) this.committedAt.set(id, this.now) }
    }
    for (const m of r.messages) {
      const to = this.ids.indexOf(m.to)
      this.messages++
      this.messageBytes += m.data.length
      this.queue.push(this.now + 1 + this.rng.below(4), { type: 'deliver', to, from: this.ids[i]!, data: m.data })
    }
  }

  /** Runs events until `done` or the virtual deadline. */
  run (done: () => boolean, untilMs: number): void {
    for (;;) {
      if (done()) return
      const item = this.queue.pop()
      if (item === undefined || item.at > untilMs) throw new Error(`bench: not done by ${untilMs} virtual ms (committed ${this.committedAt.size}/${this.submittedAt.size})`)
      this.now = item.at
      const ev = item.event
      if (ev.type === 'tick') {
        this.queue.push(this.now + this.params.tickMs!, ev)
        this.step(ev.node, { type: 'tick', nowMs: this.now })
      } else if (ev.type === 'deliver') {
        this.step(ev.to, { type: 'message', from: ev.from, data: ev.data })
      } else {
        const env = this.txs[ev.tx]!
        this.submittedAt.set(txIdOf(env.tx), this.now)
        this.step(ev.node, { type: 'submit', tx: env })
      }
    }
  }

  leaderReady (): boolean {
    return this.nodes.every((o) => o.status().leader !== null && o.status().leader === this.nodes[0]!.status().leader)
  }
}

interface Row {
  algorithm: Algo
  members: number
  batch: number
  latencyP50Ms: number
  latencyP99Ms: number
  txs: number
  blocks: number
  virtualTxPerSec: number
  cpuMs: number
  blocksPerCpuSec: number
  txsPerCpuSec: number
  cpuMsPerBlockPerMember: number
  messagesPerBlock: number
  kbPerBlock: number
  /** Hard state a member persists per block (KiB, encoded), the driver's write cost. */
  hardStateKbPerBlockPerMember: number
}

function percentile (xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

function cpuMsSince (start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

function measure (algo: Algo, n: number, o: Options): Row {
  const shard = new Shard(algo, n, o.batch)
  shard.run(() => shard.leaderReady(), 60_000)
  // Phase 1: light load, latency.
  const lat: number[] = []
  const firstLat = shard.txs.length
  for (let k = 0; k < o.latencyTxs; k++) shard.queue.push(shard.now + 1 + k * o.gapMs, { type: 'submit', tx: shard.addTx(k), node: k % n })
  shard.run(() => shard.committedAt.size >= o.latencyTxs, shard.now + 600_000)
  for (const env of shard.txs.slice(firstLat)) { const id = txIdOf(env.tx); lat.push(shard.committedAt.get(id)! - shard.submittedAt.get(id)!) }
  // Phase 2: saturation, CPU cost.
  const blocks0 = shard.blocks
  const msgs0 = shard.messages
  const bytes0 = shard.messageBytes
  const hs0 = shard.hardStateBytes
  const start = shard.now
  const target = shard.committedAt.size + o.txs
  for (let k = 0; k < o.txs; k++) shard.queue.push(shard.now + 1, { type: 'submit', tx: shard.addTx(o.latencyTxs + k), node: k % n })
  const cpu0 = process.cpuUsage()
  shard.run(() => shard.committedAt.size >= target, shard.now + 3_600_000)
  const cpuMs = cpuMsSince(cpu0)
  const blocks = shard.blocks - blocks0
  const virtualMs = Math.max(1, shard.now - start)
  return {
    algorithm: algo, members: n, batch: o.batch,
    latencyP50Ms: percentile(lat, 50), latencyP99Ms: percentile(lat, 99),
    txs: o.txs, blocks, virtualTxPerSec: o.txs / (virtualMs / 1000), cpuMs,
    blocksPerCpuSec: blocks / (cpuMs / 1000), txsPerCpuSec: o.txs / (cpuMs / 1000),
    cpuMsPerBlockPerMember: cpuMs / blocks / n,
    messagesPerBlock: (shard.messages - msgs0) / blocks, kbPerBlock: (shard.messageBytes - bytes0) / blocks / 1024,
    hardStateKbPerBlockPerMember: (shard.hardStateBytes - hs0) / blocks / n / 1024,
  }
}

function table (rows: Row[]): string {
  const head = ['algo', 'n', 'lat p50 ms', 'lat p99 ms', 'blocks', 'virt tx/s', 'CPU ms', 'blocks/CPU-s', 'tx/CPU-s', 'CPU ms/block/member', 'msgs/block', 'KiB/block', 'hard-state KiB/block/member']
  const body = rows.map((r) => [r.algorithm, r.members, r.latencyP50Ms, r.latencyP99Ms, r.blocks, Math.round(r.virtualTxPerSec), Math.round(r.cpuMs), r.blocksPerCpuSec.toFixed(1), Math.round(r.txsPerCpuSec), r.cpuMsPerBlockPerMember.toFixed(2), Math.round(r.messagesPerBlock), r.kbPerBlock.toFixed(0), r.hardStateKbPerBlockPerMember.toFixed(0)].map(String))
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  return [head, ...body].map((cells) => cells.map((c, i) => c.padStart(w[i]!)).join('  ')).join('\n')
}

let o: Options
try {
  o = parseOptions(process.argv.slice(2))
} catch (err) {
  console.error(`bench:consensus: ${(err as Error).message}`)
  process.exit(2)
}
const setup = {
  node: process.version, cpus: `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}`, date: new Date().toISOString(),
  sizes: o.sizes, algorithms: o.algorithms, txsPerRun: o.txs, maxTxsPerBlock: o.batch, latencyTxs: o.latencyTxs, latencyGapMs: o.gapMs,
  network: 'virtual, fault-free, 1-4 ms per message', signatures: 'keyed SHA-256 (simulation signer; Ed25519/SM2 cost: see bench:crypto)',
  tickMs: DEFAULT_PARAMS.tickMs,
}
const log = o.json ? (s: string): void => { process.stderr.write(s + '\n') } : (s: string): void => { process.stdout.write(s + '\n') }
log(`bench:consensus — ${Object.entries(setup).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}`)
log('CPU is all members of the shard together, in one process, including encoding what each member must persist (hard state, blocks); "per member" divides by n.')
const rows: Row[] = []
const plan: [Algo, number][] = []
for (const a of o.algorithms) for (const n of a === 'solo' ? [1] : o.sizes) plan.push([a, n])
for (const [i, [a, n]] of plan.entries()) {
  process.stderr.write(`[${i + 1}/${plan.length}] ${a} n=${n}…\n`)
  rows.push(measure(a, n, o))
}
log('')
log(table(rows))
writeFileSync(o.out, JSON.stringify({ setup, rows }, null, 2))
log(`\nJSON: ${o.out}`)
if (o.json) process.stdout.write(JSON.stringify({ setup, rows }, null, 2) + '\n')
