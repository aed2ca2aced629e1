// Contract runtime benchmark: calls/s of MainService.call (paper Figure 10) in the worker pool and
// in-process, and the memory each hosted contract costs with 1,000 contracts deployed on one node.
// Prints its setup, a table, and writes bench/results/contracts.json.
//   node bench/contracts.ts [--calls N] [--contracts N] [--workers N]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { InProcessContractHost } from '../src/contract/in-process.ts'
import { nodeContractWorkers } from '../src/contract/node-worker.ts'
import { ContractPool } from '../src/contract/pool.ts'
import type { ContractHost, ExecRequest } from '../src/contract/types.ts'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '4000' },
    contracts: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '64' },
  },
})
// workers created from now on expose gc(), so their heap is measured after a collection
setFlagsFromString('--expose-gc')
const CALLS = Number(values.calls)
const CONTRACTS = Number(values.contracts)
const WORKERS = Number(values.workers)
const CONCURRENCY = Number(values.concurrency)

const root = new URL('../', import.meta.url)
const pkg = (name: string): string => (JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, root), 'utf8')) as { version: string }).version
const source = readFileSync(new URL('examples/contracts/MainService.js', root), 'utf8')
const contract = { source, file: 'MainService.js' }
const info = (i: number): ExecRequest['info'] => ({ height: i, txId: i.toString(16).padStart(64, '0'), sender: 'bench', org: 'bench', timeMs: i })
const callReq = (contractId: string, state: string, i: number): ExecRequest =>
  ({ contractId, kind: 'invoke', method: 'call', arg: null, state, gasLimit: 100_000, info: info(i) })

console.log('# contract runtime benchmark')
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`)
console.log(`node ${process.version}, ses ${pkg('ses')}, acorn ${pkg('acorn')}`)
console.log(`parameters: ${CALLS} calls per run, ${CONTRACTS} contracts for memory, ${WORKERS} workers, ${CONCURRENCY} calls in flight (concurrent runs)`)
console.log('workload: MainService.call (Figure 10), no logger registered; state passed in and out as JSON per call\n')

/** Sequential calls on one contract: latency-bound. */
async function sequential (host: ContractHost, contractId: string): Promise<number> {
  let state = '{"count":0,"logger":""}'
  const t0 = performance.now()
  for (let i = 0; i < CALLS; i++) {
    const o = await host.execute(callReq(contractId, state, i))
    if (!o.ok) throw new Error(`call failed: ${o.error.code} ${o.error.message}`)
    state = o.state
  }
  return CALLS / ((performance.now() - t0) / 1000)
}

/** Many contracts, `CONCURRENCY` calls in flight: throughput-bound (one state chain per contract). */
async function concurrent (host: ContractHost, ids: string[]): Promise<number> {
  const states = new Map(ids.map((id) => [id, '{"count":0,"logger":""}']))
  let next = 0
  const t0 = performance.now()
  const lane = async (): Promise<void> => {
    while (next < CALLS) {
      const i = next++
      const id = ids[i % ids.length]!
      const o = await host.execute(callReq(id, states.get(id)!, i))
      if (!o.ok) throw new Error(`call failed: ${o.error.code}`)
      states.set(id, o.state)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane))
  return CALLS / ((performance.now() - t0) / 1000)
}

const rows: Array<{ setup: string, value: string }> = []
const results: Record<string, unknown> = {
  setup: { node: process.version, ses: pkg('ses'), cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemBytes: totalmem(), calls: CALLS, contracts: CONTRACTS, workers: WORKERS, concurrency: CONCURRENCY },
}

// 1. the pool, what a node uses: child processes (default) and worker_threads
const laneIds = Array.from({ length: CONCURRENCY }, (_, i) => `lane-${i}`)
const throughput: Record<string, { sequential: number, concurrent: number }> = {}
for (const isolation of ['process', 'thread'] as const) {
  const p = new ContractPool({ spawn: nodeContractWorkers({ isolation }), workers: WORKERS })
  for (const id of ['seq', ...laneIds]) await p.load({ contractId: id, ...contract })
  await sequential(p, 'seq') // warm-up
  const seq = await sequential(p, 'seq')
  await concurrent(p, laneIds) // warm-up
  const conc = await concurrent(p, laneIds)
  throughput[isolation] = { sequential: seq, concurrent: conc }
  rows.push({ setup: `pool of ${WORKERS} ${isolation === 'process' ? 'child processes' : 'worker threads'}, sequential, 1 contract`, value: `${seq.toFixed(0)} calls/s` })
  rows.push({ setup: `pool of ${WORKERS} ${isolation === 'process' ? 'child processes' : 'worker threads'}, ${CONCURRENCY} contracts in flight`, value: `${conc.toFixed(0)} calls/s` })
  await p.close()
}
const pool = new ContractPool({ spawn: nodeContractWorkers({ exposeGc: true }), workers: WORKERS })

// 2. memory per hosted contract, 1,000 contracts deployed on one node's pool
const heap = async (): Promise<number> => (await pool.stats()).workers.reduce((a, w) => a + w.heapUsedBytes, 0)
const childRss = async (): Promise<number> => (await pool.stats()).workers.reduce((a, w) => a + w.rssBytes, 0)
const rss0 = await childRss()
const heap0 = await heap()
for (let i = 0; i < CONTRACTS; i++) await pool.load({ contractId: `m-${i}`, ...contract })
const heapIdle = await heap()
const rssIdle = await childRss()
for (let i = 0; i < CONTRACTS; i++) {
  const o = await pool.execute(callReq(`m-${i}`, '{"count":0,"logger":""}', i))
  if (!o.ok) throw new Error(o.error.message)
}
const heapActive = await heap()
const rssActive = await childRss()
const perIdle = (heapIdle - heap0) / CONTRACTS
const perActive = (heapActive - heap0) / CONTRACTS
rows.push({ setup: `${CONTRACTS} contracts loaded (idle): live worker heap per contract`, value: `${(perIdle / 1024).toFixed(1)} KiB` })
rows.push({ setup: `${CONTRACTS} contracts after one call each: live heap per contract`, value: `${(perActive / 1024).toFixed(1)} KiB` })
rows.push({ setup: `RSS of the ${WORKERS} worker processes, ${CONTRACTS} contracts idle / active`, value: `${(rssIdle / 2 ** 20).toFixed(0)} / ${(rssActive / 2 ** 20).toFixed(0)} MiB (empty: ${(rss0 / 2 ** 20).toFixed(0)} MiB; ${((rssIdle - rss0) / CONTRACTS / 1024).toFixed(1)} KiB per contract)` })
await pool.close()

// 3. in-process (locks this thread's realm down; no watchdog): the sandbox's own cost
const local = new InProcessContractHost()
await local.load({ contractId: 'seq', ...contract })
await sequential(local, 'seq')
const localSeq = await sequential(local, 'seq')
rows.push({ setup: 'in-process sandbox, sequential, 1 contract', value: `${localSeq.toFixed(0)} calls/s` })

Object.assign(results, {
  poolCallsPerSec: throughput,
  inProcessSequentialCallsPerSec: localSeq,
  heapBytesPerIdleContract: perIdle,
  heapBytesPerActiveContract: perActive,
  rssBytes: { before: rss0, idle: rssIdle, active: rssActive },
})

const width = Math.max(...rows.map((r) => r.setup.length))
console.log(`| ${'setup'.padEnd(width)} | result |`)
console.log(`|${'-'.repeat(width + 2)}|--------|`)
for (const r of rows) console.log(`| ${r.setup.padEnd(width)} | ${r.value} |`)
console.log('\nThe paper gave each contract process 200 MB; here a contract is a compartment in a shared worker.')

mkdirSync(new URL('bench/results/', root), { recursive: true })
writeFileSync(new URL('bench/results/contracts.json', root), JSON.stringify(results, null, 2) + '\n')
console.log('wrote bench/results/contracts.json')
