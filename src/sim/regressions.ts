// Seeds that once exposed a bug. They stay here forever and run in the test suite and with
// `npm run sim -- --regressions`, so a fixed bug cannot come back unnoticed.

export interface RegressionSeed {
  consensus: 'raft' | 'pbft'
  seed: number
  bug: string
}

export const REGRESSION_SEEDS: readonly RegressionSeed[] = [
  { consensus: 'pbft', seed: 53, bug: 'checkpoint votes lost before a crash never re-sent: the watermark window stayed shut (liveness)' },
  { consensus: 'pbft', seed: 80, bug: 'a replica that passed a checkpoint by state transfer never voted for it: no quorum, window shut (liveness)' },
]
