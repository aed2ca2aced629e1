// Contract workers on Node: worker_threads running node-worker-main. The worker script is found
// next to this module, so it loads from src/ (.ts, run by Node's type stripping) and from dist/
// (.js, compiled) alike. The browser's counterpart would spawn Web Workers behind the same port.
import { Worker } from 'node:worker_threads'
import { DEFAULTS } from './limits.ts'
import type { ContractWorkerPort, SpawnContractWorker } from './pool.ts'
import type { WorkerReady, WorkerReply } from './worker-protocol.ts'

export function contractWorkerUrl (): URL {
  const ext = new URL(import.meta.url).pathname.endsWith('.ts') ? '.ts' : '.js'
  return new URL(`./node-worker-main${ext}`, import.meta.url)
}

export interface NodeContractWorkerOptions {
  /** Old-generation heap of each worker; allocating past it kills only that worker. */
  heapMb?: number
}

export function nodeContractWorkers (options: NodeContractWorkerOptions = {}): SpawnContractWorker {
  const heapMb = options.heapMb ?? DEFAULTS.workerHeapMb
  return (): ContractWorkerPort => {
    const worker = new Worker(contractWorkerUrl(), {
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      // contracts have no console; a worker's own output is not part of any result
      stdout: true,
      stderr: true,
    })
    let lastError: Error | null = null
    let onExit: ((reason: string) => void) | null = null
    let terminating = false
    worker.on('error', (err) => { lastError = err })
    worker.on('exit', (code) => {
      if (terminating || onExit === null) return
      const e = lastError as (Error & { code?: string }) | null
      onExit(e?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : e !== null ? e.message : `exit code ${code}`)
    })
    return {
      post: (message) => worker.postMessage(message),
      onMessage: (handler) => { worker.on('message', (m: WorkerReply | WorkerReady) => handler(m)) },
      onExit: (handler) => { onExit = handler },
      terminate: async () => {
        terminating = true
        await worker.terminate()
      },
    }
  }
}
