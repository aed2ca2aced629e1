// Contract processes (paper §3.2, node virtualization): contracts execute off the node's main
// thread in a pool of workers, many compartments per worker, one execution at a time per worker.
// A wall-clock watchdog kills and replaces a worker stuck in native work (a catastrophic regular
// expression, a huge string operation) and fails only that execution; the replacement reloads
// its contracts on demand, so the pool keeps serving. The environment (worker_threads or Web
// Workers) comes in as a `spawn` function; this file is environment-free.
import { BetascoError } from '../core/errors.ts'
import { DEFAULTS } from './limits.ts'
import type { ContractDescription, ContractHost, ExecOutcome, ExecRequest, LoadRequest } from './types.ts'
import type { WorkerReady, WorkerReply, WorkerRequest, WorkerStats } from './worker-protocol.ts'

/** One worker, as the pool sees it; implemented per environment (node-worker.ts). */
export interface ContractWorkerPort {
  post: (message: WorkerRequest) => void
  onMessage: (handler: (message: WorkerReply | WorkerReady) => void) => void
  /** Called once if the worker dies without being asked to (crash, out of memory). */
  onExit: (handler: (reason: string) => void) => void
  terminate: () => Promise<void>
}

export type SpawnContractWorker = () => ContractWorkerPort

export interface ContractPoolComponents {
  spawn: SpawnContractWorker
  /** Number of workers (default 1). */
  workers?: number
  /** Wall-clock budget of one request to a worker (default 2 s). */
  watchdogMs?: number
}

type Pending = { resolve: (v: unknown) => void, reject: (e: Error) => void }

type Job =
  | { op: 'load', load: LoadRequest, internal: boolean, pending: Pending }
  | { op: 'unload', contractId: string, pending: Pending }
  | { op: 'exec', exec: ExecRequest, pending: Pending }
  | { op: 'stats', pending: Pending }

interface Slot {
  index: number
  port: ContractWorkerPort
  ready: boolean
  queue: Job[]
  inflight: { id: number, job: Job, timer: ReturnType<typeof setTimeout> } | null
  /** Contracts loaded in the current worker of this slot. */
  loaded: Set<string>
  /** Contracts assigned to this slot. */
  assigned: number
  /** Consecutive deaths before becoming ready; a worker that cannot start is not respawned forever. */
  failedStarts: number
  broken: string | null
}

const MAX_FAILED_STARTS = 3
const MAX_QUEUED_PER_WORKER = 100_000

export interface ContractPoolStats {
  workers: Array<WorkerStats & { replaced: number }>
  contracts: number
  replacedWorkers: number
}

export class ContractPool implements ContractHost {
  private readonly spawn: SpawnContractWorker
  private readonly watchdogMs: number
  private readonly slots: Slot[] = []
  private readonly loads = new Map<string, { load: LoadRequest, slot: Slot }>()
  private readonly replacedBySlot: number[] = []
  private nextId = 1
  private closed = false

  constructor (components: ContractPoolComponents) {
    const workers = components.workers ?? 1
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new BetascoError('BAD_ARGUMENT', 'workers must be an integer from 1 to 256')
    this.spawn = components.spawn
    this.watchdogMs = components.watchdogMs ?? DEFAULTS.watchdogMs
    for (let i = 0; i < workers; i++) {
      const slot: Slot = { index: i, port: undefined as unknown as ContractWorkerPort, ready: false, queue: [], inflight: null, loaded: new Set(), assigned: 0, failedStarts: 0, broken: null }
      this.replacedBySlot.push(0)
      this.slots.push(slot)
      this.start(slot)
    }
  }

  /** Loads a compiled contract into one worker (the least loaded); it is reloaded after a replacement. */
  async load (load: LoadRequest): Promise<ContractDescription> {
    this.assertOpen()
    if (this.loads.has(load.contractId)) throw new BetascoError('BAD_ARGUMENT', `contract ${load.contractId} is already loaded`)
    const slot = this.slots.reduce((a, b) => (b.assigned < a.assigned ? b : a))
    const entry = { load, slot }
    this.loads.set(load.contractId, entry)
    slot.assigned++
    try {
      return await this.enqueue(slot, (pending) => ({ op: 'load', load, internal: false, pending })) as ContractDescription
    } catch (err) {
      if (this.loads.get(load.contractId) === entry) {
        this.loads.delete(load.contractId)
        slot.assigned--
      }
      throw err
    }
  }

  /** Executes one transaction; what the contract did comes back as an outcome, never a throw. */
  async execute (exec: ExecRequest): Promise<ExecOutcome> {
    this.assertOpen()
    const entry = this.loads.get(exec.contractId)
    if (entry === undefined) return { ok: false, error: { code: 'NOT_FOUND', message: `contract ${exec.contractId} is not loaded` }, gasUsed: 0, calls: [] }
    return await this.enqueue(entry.slot, (pending) => ({ op: 'exec', exec, pending })) as ExecOutcome
  }

  async unload (contractId: string): Promise<void> {
    const entry = this.loads.get(contractId)
    if (entry === undefined) return
    this.loads.delete(contractId)
    entry.slot.assigned--
    await this.enqueue(entry.slot, (pending) => ({ op: 'unload', contractId, pending }))
  }

  /** Heap used per worker (each worker is one V8 isolate) and the number of replacements. */
  async stats (): Promise<ContractPoolStats> {
    this.assertOpen()
    const workers = await Promise.all(this.slots.map(async (slot) => ({
      ...(await this.enqueue(slot, (pending) => ({ op: 'stats', pending })) as WorkerStats),
      replaced: this.replacedBySlot[slot.index] ?? 0,
    })))
    return { workers, contracts: this.loads.size, replacedWorkers: this.replacedBySlot.reduce((a, b) => a + b, 0) }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const error = new BetascoError('CLOSED', 'the contract pool was closed')
    for (const slot of this.slots) {
      if (slot.inflight !== null) {
        clearTimeout(slot.inflight.timer)
        slot.inflight.job.pending.reject(error)
        slot.inflight = null
      }
      for (const job of slot.queue.splice(0)) job.pending.reject(error)
    }
    await Promise.all(this.slots.map(async (s) => { await s.port.terminate() }))
  }

  private assertOpen (): void {
    if (this.closed) throw new BetascoError('CLOSED', 'the contract pool was closed')
  }

  private enqueue (slot: Slot, make: (pending: Pending) => Job): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (slot.broken !== null) {
        reject(new BetascoError('WORKER_CRASHED', slot.broken))
        return
      }
      if (slot.queue.length >= MAX_QUEUED_PER_WORKER) {
        reject(new BetascoError('QUEUE_FULL', `a contract worker has ${MAX_QUEUED_PER_WORKER} requests waiting; try again later`))
        return
      }
      slot.queue.push(make({ resolve, reject }))
      this.dispatch(slot)
    })
  }

  private start (slot: Slot): void {
    const port = this.spawn()
    slot.port = port
    slot.ready = false
    slot.loaded = new Set()
    port.onMessage((message) => {
      if (slot.port !== port) return
      if ('ready' in message) {
        slot.ready = true
        slot.failedStarts = 0
        this.dispatch(slot)
        return
      }
      this.onReply(slot, message)
    })
    port.onExit((reason) => {
      if (slot.port !== port || this.closed) return
      if (!slot.ready) slot.failedStarts++
      this.failInflight(slot, 'WORKER_CRASHED', `the contract worker died (${reason}); it was replaced`)
      if (slot.failedStarts >= MAX_FAILED_STARTS) {
        slot.broken = `the contract worker cannot start (${reason})`
        for (const job of slot.queue.splice(0)) job.pending.reject(new BetascoError('WORKER_CRASHED', slot.broken))
        return
      }
      this.replace(slot)
    })
  }

  private replace (slot: Slot): void {
    const old = slot.port
    this.replacedBySlot[slot.index] = (this.replacedBySlot[slot.index] ?? 0) + 1
    this.start(slot)
    old.terminate().catch(() => {})
  }

  private failInflight (slot: Slot, code: 'WATCHDOG_TIMEOUT' | 'WORKER_CRASHED', message: string): void {
    const f = slot.inflight
    if (f === null) return
    slot.inflight = null
    clearTimeout(f.timer)
    const job = f.job
    if (job.op === 'exec') {
      // the same outcome whatever the contract got done: the whole budget is charged
      job.pending.resolve({ ok: false, error: { code, message }, gasUsed: job.exec.gasLimit, calls: [] } satisfies ExecOutcome)
    } else if (job.op === 'load' && job.internal) {
      // the reload before an execution failed: that execution fails with it
      job.pending.reject(new BetascoError(code, message))
    } else job.pending.reject(new BetascoError(code, message))
  }

  private dispatch (slot: Slot): void {
    if (!slot.ready || slot.inflight !== null || this.closed) return
    let job = slot.queue.shift()
    if (job === undefined) return
    if (job.op === 'exec' && !slot.loaded.has(job.exec.contractId)) {
      // a replaced worker reloads the contract before executing on it
      const entry = this.loads.get(job.exec.contractId)
      if (entry === undefined) {
        job.pending.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `contract ${job.exec.contractId} is not loaded` }, gasUsed: 0, calls: [] } satisfies ExecOutcome)
        this.dispatch(slot)
        return
      }
      const exec = job
      slot.queue.unshift(exec)
      job = {
        op: 'load',
        load: entry.load,
        internal: true,
        pending: {
          resolve: () => {},
          reject: (e) => {
            // the execution waiting behind this reload fails with the reload's error
            if (slot.queue[0] === exec) slot.queue.shift()
            const code = e instanceof BetascoError ? e.code : 'INTERNAL'
            exec.pending.resolve({ ok: false, error: { code, message: e.message }, gasUsed: code === 'WATCHDOG_TIMEOUT' ? exec.exec.gasLimit : 0, calls: [] } satisfies ExecOutcome)
          },
        },
      }
    }
    const id = this.nextId++
    const timer = setTimeout(() => {
      if (slot.inflight?.id !== id) return
      this.failInflight(slot, 'WATCHDOG_TIMEOUT', `the execution ran longer than the watchdog's ${this.watchdogMs} ms; its worker was replaced`)
      this.replace(slot)
    }, this.watchdogMs)
    slot.inflight = { id, job, timer }
    switch (job.op) {
      case 'load': slot.port.post({ id, op: 'load', load: job.load }); break
      case 'unload': slot.port.post({ id, op: 'unload', contractId: job.contractId }); break
      case 'exec': slot.port.post({ id, op: 'exec', exec: job.exec }); break
      case 'stats': slot.port.post({ id, op: 'stats' }); break
    }
  }

  private onReply (slot: Slot, reply: WorkerReply): void {
    const f = slot.inflight
    if (f === null || f.id !== reply.id) return
    clearTimeout(f.timer)
    slot.inflight = null
    const job = f.job
    if (reply.ok) {
      if (job.op === 'load') slot.loaded.add(job.load.contractId)
      if (job.op === 'unload') slot.loaded.delete(job.contractId)
      job.pending.resolve(reply.value)
    } else {
      job.pending.reject(new BetascoError(reply.error.code as BetascoError['code'], reply.error.message))
    }
    this.dispatch(slot)
  }
}
