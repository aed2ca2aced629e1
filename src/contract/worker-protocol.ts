// The messages between a ContractPool and its workers, and the worker side of the exchange.
// Environment-free: a worker_threads entry (node-worker-main.ts) or a Web Worker entry wires
// `serveContractWorker` to its message port.
import { BetascoError } from '../core/errors.ts'
import type { ContractSandbox } from './sandbox.ts'
import type { ContractDescription, ExecError, ExecOutcome, ExecRequest, LoadRequest } from './types.ts'

export type WorkerRequest =
  | { id: number, op: 'load', load: LoadRequest }
  | { id: number, op: 'unload', contractId: string }
  | { id: number, op: 'exec', exec: ExecRequest }
  | { id: number, op: 'stats' }

export interface WorkerStats {
  contracts: number
  heapUsedBytes: number
  /** Resident memory of the worker's process (of the whole process for a worker thread); 0 when unknown. */
  rssBytes: number
}

export type WorkerReply =
  | { id: number, ok: true, value: ContractDescription | ExecOutcome | WorkerStats | null }
  | { id: number, ok: false, error: ExecError }

/** Sent once by a worker when its realm is locked down and it can take requests. */
export interface WorkerReady { ready: true }

export interface WorkerEndpoint {
  post: (message: WorkerReply | WorkerReady) => void
  heapUsedBytes: () => number
  rssBytes?: () => number
}

export function serveContractWorker (sandbox: ContractSandbox, endpoint: WorkerEndpoint): (request: WorkerRequest) => void {
  endpoint.post({ ready: true })
  return (request) => {
    try {
      switch (request.op) {
        case 'load': endpoint.post({ id: request.id, ok: true, value: sandbox.load(request.load) }); break
        case 'unload': sandbox.unload(request.contractId); endpoint.post({ id: request.id, ok: true, value: null }); break
        case 'exec': endpoint.post({ id: request.id, ok: true, value: sandbox.execute(request.exec) }); break
        case 'stats': endpoint.post({ id: request.id, ok: true, value: { contracts: sandbox.size, heapUsedBytes: endpoint.heapUsedBytes(), rssBytes: endpoint.rssBytes?.() ?? 0 } }); break
        default: endpoint.post({ id: (request as { id: number }).id, ok: false, error: { code: 'BAD_ARGUMENT', message: 'unknown worker request' } })
      }
    } catch (err) {
      const error = err instanceof BetascoError ? err.toJSON() : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }
      endpoint.post({ id: request.id, ok: false, error })
    }
  }
}
