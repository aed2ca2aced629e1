// Entry of a contract worker in a browser (a module Web Worker): lock the realm down, then serve
// the pool, exactly as node-worker-main.ts does with worker_threads.
import { lockdownContractRealm } from './realm.ts'
import { ContractSandbox } from './sandbox.ts'
import { serveContractWorker, type WorkerRequest } from './worker-protocol.ts'

interface WorkerScope {
  postMessage: (message: unknown) => void
  addEventListener: (type: string, handler: (event: { data?: unknown, preventDefault: () => void }) => void) => void
}

const scope = globalThis as unknown as WorkerScope
// a contract's promise left rejected after its execution is not an error of the worker
scope.addEventListener('unhandledrejection', (e) => e.preventDefault())
lockdownContractRealm()
const handle = serveContractWorker(new ContractSandbox(), {
  post: (message) => scope.postMessage(message),
  heapUsedBytes: () => (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
})
scope.addEventListener('message', (e) => handle(e.data as WorkerRequest))
