import { FAULT_CLASSES, type FaultClass } from '../../src/sim/faults.ts'
import type { CampaignSummary } from '../../src/sim/campaign.ts'

export const NETWORK_FAULTS: FaultClass[] = ['drop', 'duplicate', 'reorder', 'delay', 'partition', 'crash', 'restart', 'malformed', 'replay']
export const ALL_FAULTS: FaultClass[] = [...FAULT_CLASSES]

/** Readable failure text: seed, invariant, message, repro command and the trace. */
export function describeFailures (s: CampaignSummary): string {
  return s.failed.map((r) => `seed ${r.seed}: ${r.violation?.invariant}: ${r.violation?.message}\n  ${r.repro}\n  ${r.trace.slice(-10).join('\n  ')}`).join('\n\n')
}
