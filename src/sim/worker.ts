// A worker thread of `npm run sim --jobs N`: runs the seeds it is given and posts each result.
import { parentPort, workerData } from 'node:worker_threads'
import { runSimulation, type SimOptions } from './simulation.ts'

interface Job { base: Omit<SimOptions, 'seed'>, seeds: number[] }

const job = workerData as Job
for (const seed of job.seeds) {
  const t0 = performance.now()
  const result = runSimulation({ ...job.base, seed })
  parentPort?.postMessage({ result, realMs: performance.now() - t0 })
}
