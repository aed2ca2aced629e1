// Entry of a contract worker on Node: lock the realm down, then serve the pool. Runs as a
// worker_threads thread or as a child process (IPC), whichever node-worker.ts started.
// Node-specific by nature; web-worker-main.ts wires the same two calls in a browser.
import { parentPort } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
import { lockdownContractRealm } from './realm.ts'
import { ContractSandbox } from './sandbox.ts'
import { serveContractWorker, type WorkerReady, type WorkerReply, type WorkerRequest } from './worker-protocol.ts'

let post: (message: WorkerReply | WorkerReady) => void
let listen: (handler: (request: WorkerRequest) => void) => void
if (parentPort !== null) {
  const port = parentPort
  post = (message) => port.postMessage(message)
  listen = (handler) => { port.on('message', handler) }
} else if (typeof process.send === 'function') {
  const send = process.send.bind(process)
  post = (message) => { send(message) }
  listen = (handler) => { process.on('message', (m) => handler(m as WorkerRequest)) }
  // the pool going away ends this process
  process.on('disconnect', () => process.exit(0))
} else {
  throw new Error('node-worker-main runs only as a worker thread or a forked child process')
}
// present only when the process enabled --expose-gc (the benchmark does, to measure live heap)
const collect = (globalThis as { gc?: () => void }).gc
// a contract's promise left rejected after its execution must not take the worker down
process.on('unhandledRejection', () => {})
lockdownContractRealm()
const handle = serveContractWorker(new ContractSandbox(), {
  post,
  heapUsedBytes: () => {
    collect?.()
    return getHeapStatistics().used_heap_size
  },
  rssBytes: () => process.memoryUsage.rss(),
})
listen(handle)
