// Entry of a contract worker in the browser (a module Web Worker): lock the realm down with SES,
// then serve the pool with src/contract's worker protocol — the counterpart of
// src/contract/node-worker-main.ts, wiring the same two calls to the worker's message port.
import { lockdownContractRealm } from '../src/contract/realm.ts'
import { ContractSandbox } from '../src/contract/sandbox.ts'
import { serveContractWorker, type WorkerReply, type WorkerReady, type WorkerRequest } from '../src/contract/worker-protocol.ts'

interface WorkerScope {
  postMessage: (message: WorkerReply | WorkerReady) => void
  addEventListener: (type: 'message' | 'unhandledrejection', listener: (event: MessageEvent<WorkerRequest> & PromiseRejectionEvent) => void) => void
}

const scope = globalThis as unknown as WorkerScope
// a contract's promise left rejected after its execution must not surface as a worker error
scope.addEventListener('unhandledrejection', (event) => { event.preventDefault() })
lockdownContractRealm()
const handle = serveContractWorker(new ContractSandbox(), {
  post: (message) => { scope.postMessage(message) },
  // Chromium's non-standard performance.memory; 0 where the browser does not tell
  heapUsedBytes: () => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
})
scope.addEventListener('message', (event) => { handle(event.data) })
