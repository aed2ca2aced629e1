// Entry of a contract worker on Node (worker_threads): lock the realm down, then serve the pool.
// Node-specific by nature; the browser's Web Worker entry would wire the same two calls.
import { parentPort } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
import { lockdownContractRealm } from './realm.ts'
import { ContractSandbox } from './sandbox.ts'
import { serveContractWorker, type WorkerRequest } from './worker-protocol.ts'

if (parentPort === null) throw new Error('node-worker-main.ts runs only as a worker thread')
const port = parentPort
// present only when the process enabled --expose-gc (the benchmark does, to measure live heap)
const collect = (globalThis as { gc?: () => void }).gc
// a contract's promise left rejected after its execution must not take the worker down
process.on('unhandledRejection', () => {})
lockdownContractRealm()
const handle = serveContractWorker(new ContractSandbox(), {
  post: (message) => port.postMessage(message),
  heapUsedBytes: () => {
    collect?.()
    return getHeapStatistics().used_heap_size
  },
})
port.on('message', (request: WorkerRequest) => handle(request))
