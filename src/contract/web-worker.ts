// Contract workers in browsers: module Web Workers running web-worker-main, behind the same port
// as worker_threads. Not yet exercised by a browser test (see docs/contracts.md). A tab cannot
// bound a worker's heap: a contract that allocates without end can only be stopped by the watchdog.
import type { ContractWorkerPort, SpawnContractWorker } from './pool.ts'
import type { WorkerReady, WorkerReply } from './worker-protocol.ts'

export function webContractWorkerUrl (): URL {
  const ext = new URL(import.meta.url).pathname.endsWith('.ts') ? '.ts' : '.js'
  return new URL(`./web-worker-main${ext}`, import.meta.url)
}

export function webContractWorkers (scriptUrl: URL | string = webContractWorkerUrl()): SpawnContractWorker {
  return (): ContractWorkerPort => {
    const worker = new Worker(scriptUrl, { type: 'module', name: 'betasco-contracts' })
    let onExit: ((reason: string) => void) | null = null
    let terminated = false
    worker.addEventListener('error', (e) => {
      if (terminated || onExit === null) return
      terminated = true
      worker.terminate()
      onExit(e.message !== '' ? e.message : 'worker error')
    })
    return {
      post: (message) => worker.postMessage(message),
      onMessage: (handler) => { worker.addEventListener('message', (e: MessageEvent<WorkerReply | WorkerReady>) => handler(e.data)) },
      onExit: (handler) => { onExit = handler },
      terminate: async () => {
        terminated = true
        worker.terminate()
      },
    }
  }
}
