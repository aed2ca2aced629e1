// Fault classes the simulator injects, and their per-run counts. Tests assert every class
// actually happened across a seed range, so a green run cannot come from a quiet simulator.

export const FAULT_CLASSES = [
  'drop', 'duplicate', 'reorder', 'delay', 'partition', 'crash', 'restart',
  'malformed', 'replay', 'equivocate', 'forge', 'silent',
] as const
export type FaultClass = typeof FAULT_CLASSES[number]
export type FaultCounts = Record<FaultClass, number>

export function zeroFaults (): FaultCounts {
  return Object.fromEntries(FAULT_CLASSES.map((c) => [c, 0])) as FaultCounts
}

export function addFaults (into: FaultCounts, from: FaultCounts): void {
  for (const c of FAULT_CLASSES) into[c] += from[c]
}

/** Probabilities and sizes of network faults while faults are on (before the heal time). */
export interface FaultRates {
  drop: number
  duplicate: number
  reorder: number
  delay: number
  malformed: number
  replay: number
  /** Chance per 100 virtual ms that a partition starts (when none is in force). */
  partition: number
  /** Chance per 100 virtual ms that a node crashes (it restarts from its disk later). */
  crash: number
}

export const DEFAULT_RATES: FaultRates = {
  drop: 0.05, duplicate: 0.03, reorder: 0.1, delay: 0.02, malformed: 0.002, replay: 0.003, partition: 0.04, crash: 0.04,
}
