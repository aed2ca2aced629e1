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
