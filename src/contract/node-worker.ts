// Contract workers on Node, in one of two isolations behind the same port:
// - 'process' (default): a forked child process per worker. A fatal V8 error — a native loop
//   that allocates past the heap limit without checking for termination, for instance
//   `a.length = 2 ** 31; a.fill(0)` — kills only that process, never the node.
// - 'thread': worker_threads. Cheaper messages and startup, but such a fatal error aborts the
//   whole process (Node's worker heap limit cannot stop a non-interruptible native allocation).
// The worker script is found next to this module, so it loads from src/ (.ts, run by Node's type
// stripping) and from dist/ (.js, compiled) alike.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { DEFAULTS } from './limits.ts'
import type { ContractWorkerPort, SpawnContractWorker } from './pool.ts'
import type { WorkerReady, WorkerReply, WorkerRequest } from './worker-protocol.ts'

export function contractWorkerUrl (): URL {
  const ext = new URL(import.meta.url).pathname.endsWith('.ts') ? '.ts' : '.js'
  return new URL(`./node-worker-main${ext}`, import.meta.url)
}

export type ContractIsolation = 'process' | 'thread'

export interface NodeContractWorkerOptions {
  /** Old-generation heap of each worker; allocating past it kills only that worker. */
  heapMb?: number
  isolation?: ContractIsolation
  /** Child processes get `--expose-gc`, so their heap is measured after a collection (benchmarks). */
  exposeGc?: boolean
}

export function nodeContractWorkers (options: NodeContractWorkerOptions = {}): SpawnContractWorker {
  const heapMb = options.heapMb ?? DEFAULTS.workerHeapMb
  const extraArgs = options.exposeGc === true ? ['--expose-gc'] : []
  return options.isolation === 'thread' ? () => spawnThread(heapMb) : () => spawnProcess(heapMb, extraArgs)
}

function spawnThread (heapMb: number): ContractWorkerPort {
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

function spawnProcess (heapMb: number, extraArgs: string[]): ContractWorkerPort {
  const child: ChildProcess = fork(fileURLToPath(contractWorkerUrl()), [], {
    execArgv: [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=16', '--stack-size=984', ...extraArgs],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let onExit: ((reason: string) => void) | null = null
  let terminating = false
  let stderrTail = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4096) })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.on('error', () => {})
  child.on('exit', (code, signal) => {
    if (terminating || onExit === null) return
    const oom = /heap out of memory|Reached heap limit/.test(stderrTail)
    onExit(oom ? 'out of memory' : signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`)
  })
  return {
    post: (message: WorkerRequest) => {
      if (child.connected) child.send(message)
    },
    onMessage: (handler) => { child.on('message', (m) => handler(m as WorkerReply | WorkerReady)) },
    onExit: (handler) => { onExit = handler },
    terminate: async () => {
      terminating = true
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
