// Contract workers in a browser tab: module Web Workers running contract-worker.ts behind the
// ContractWorkerPort of src/contract/pool.ts (the browser's counterpart of node-worker.ts).
import type { ContractWorkerPort, SpawnContractWorker } from '../src/contract/pool.ts'
import type { WorkerReady, WorkerReply } from '../src/contract/worker-protocol.ts'

export function webContractWorkers (): SpawnContractWorker {
  return (): ContractWorkerPort => {
    const worker = new Worker(new URL('./contract-worker.ts', import.meta.url), { type: 'module', name: 'betasco-contracts' })
    let onExit: ((reason: string) => void) | null = null
    let terminated = false
    // A Web Worker has no exit event: an uncaught error (or a failed load) is its death.
    worker.addEventListener('error', (event) => {
      event.preventDefault()
      if (terminated || onExit === null) return
      terminated = true
      worker.terminate()
      onExit(event.message === '' ? 'worker error' : event.message)
    })
    worker.addEventListener('messageerror', () => {
      if (terminated || onExit === null) return
      terminated = true
      worker.terminate()
      onExit('undecodable message from worker')
    })
    return {
      post: (message) => { worker.postMessage(message) },
      onMessage: (handler) => { worker.addEventListener('message', (event: MessageEvent<WorkerReply | WorkerReady>) => { handler(event.data) }) },
      onExit: (handler) => { onExit = handler },
      terminate: async () => {
        terminated = true
        worker.terminate()
      },
    }
  }
}
