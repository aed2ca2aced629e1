// Runs many seeds of the simulator and adds up what happened: the engine behind `npm run sim`,
// the simulation tests and the consensus benchmark.
import { runSimulation, type SimOptions, type SimResult } from './simulation.ts'
import { addFaults, zeroFaults, type FaultCounts } from './faults.ts'

export interface CampaignSummary {
  consensus: 'raft' | 'pbft'
  seeds: number
  passed: number
  failed: SimResult[]
  blocks: number
  txsCommitted: number
  virtualMs: number
  steps: number
  realMs: number
  faults: FaultCounts
  observed: SimResult['observed']
}

export function emptySummary (consensus: 'raft' | 'pbft'): CampaignSummary {
  return {
    consensus, seeds: 0, passed: 0, failed: [], blocks: 0, txsCommitted: 0, virtualMs: 0, steps: 0, realMs: 0, faults: zeroFaults(),
    observed: { malformed: 0, forged: 0, viewChanges: 0, elections: 0, blocksFetched: 0, switches: 0 },
  }
}

export function addResult (s: CampaignSummary, r: SimResult, realMs: number): void {
  s.seeds++
  if (r.ok) s.passed++
  else s.failed.push(r)
  s.blocks += r.blocks
  s.txsCommitted += r.txsCommitted
  s.virtualMs += r.virtualMs
  s.steps += r.steps
  s.realMs += realMs
  addFaults(s.faults, r.faults)
  for (const k of Object.keys(s.observed) as (keyof SimResult['observed'])[]) s.observed[k] += r.observed[k]
}

/** Runs `count` consecutive seeds from `seedBase`; `onResult` may return false to stop early. */
export function runCampaign (
  base: Omit<SimOptions, 'seed'>, seedBase: number, count: number,
  onResult?: (r: SimResult, summary: CampaignSummary) => boolean | void,
): CampaignSummary {
  const summary = emptySummary(base.consensus)
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const r = runSimulation({ ...base, seed: (seedBase + i) >>> 0 })
    addResult(summary, r, performance.now() - t0)
    if (onResult?.(r, summary) === false) break
  }
  return summary
}

/**
 * `runCampaign` over `jobs` worker threads (seeds dealt round robin). Results reach
 * `onResult` in seed order, so output and early stopping are the same as with one thread.
 */
export async function runCampaignParallel (
  base: Omit<SimOptions, 'seed'>, seedBase: number, count: number, jobs: number,
  onResult?: (r: SimResult, summary: CampaignSummary) => boolean | void,
): Promise<CampaignSummary> {
  if (jobs <= 1) return runCampaign(base, seedBase, count, onResult)
  const { Worker } = await import('node:worker_threads')
  const summary = emptySummary(base.consensus)
  const seeds = Array.from({ length: count }, (_, i) => (seedBase + i) >>> 0)
  const pending = new Map<number, { result: SimResult, realMs: number }>()
  let next = 0
  let stopped = false
  const workers = Array.from({ length: Math.min(jobs, count) }, (_, k) =>
    // Sources run as .ts; the compiled package (dist/) holds worker.js.
    new Worker(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url), { workerData: { base, seeds: seeds.filter((_, i) => i % jobs === k) } }))
  await new Promise<void>((resolve, reject) => {
    let running = workers.length
    for (const w of workers) {
      w.on('message', (m: { result: SimResult, realMs: number }) => {
        if (stopped) return
        pending.set(m.result.seed, m)
        for (;;) {
          const seed = seeds[next]
          const got = seed === undefined ? undefined : pending.get(seed)
          if (got === undefined) break
          pending.delete(seed!)
          next++
          addResult(summary, got.result, got.realMs)
          if (onResult?.(got.result, summary) === false) {
            stopped = true
            for (const x of workers) void x.terminate()
            resolve()
            return
          }
        }
      })
      w.on('error', (err) => { stopped = true; for (const x of workers) void x.terminate(); reject(err) })
      w.on('exit', () => { if (--running === 0) resolve() })
    }
  })
  return summary
}
