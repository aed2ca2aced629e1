// The data that crosses between a node and its contract processes: load and execute requests
// and their outcomes. Plain JSON-like data only, so it can cross a worker boundary unchanged.
import type { Json } from '../core/shape.ts'

/**
 * What an execution is: `deploy` runs onCreate; `invoke` (a client) and `call` (another
 * contract) run an exported function; `callback` runs the caller's handler with the callee's
 * result; `error` runs onError(call, error) (DESIGN §3).
 */
export type ExecKind = 'deploy' | 'invoke' | 'call' | 'callback' | 'error'

/** What getExecuteInfo() returns inside the contract. */
export interface ExecuteInfo {
  height: number
  txId: string
  sender: string
  org: string
  timeMs: number
}

export interface ExecRequest {
  contractId: string
  kind: ExecKind
  method: string
  arg: Json
  /** Global before the execution, as JSON text. */
  state: string
  gasLimit: number
  info: ExecuteInfo
}

/** An async call queued by executeContract (phase 1): sent only if the execution succeeded. */
export interface QueuedCall {
  /** idOf({ txId, index }): every member computes the same ID. */
  id: string
  index: number
  contract: string
  method: string
  arg: Json
  /** The caller's function to receive the result, or null. */
  handler: string | null
}

export interface ExecError {
  code: string
  message: string
}

export type ExecOutcome =
  | { ok: true, result: Json, state: string, gasUsed: number, calls: QueuedCall[] }
  | { ok: false, error: ExecError, gasUsed: number, calls: [] }

/**
 * A contract to load. The worker compiles the source itself: the metering instrumentation is
 * the sandbox's security boundary, so compiled code is never taken from outside.
 */
export interface LoadRequest {
  contractId: string
  source: string
  /** File name for error positions (default `<contractId>.js`); module-form name comes from it. */
  file?: string
  /** Extra fields of getContractInfo() (shard, consensus, ...), chosen by the node. */
  info?: Record<string, Json>
}

export interface ContractDescription {
  contractId: string
  name: string
  form: 'contract' | 'module'
  codeHash: string
  /** Exported names: what transactions may invoke. */
  methods: string[]
  functions: string[]
}

/** What runs contracts: in this thread (tests of the sandbox, benchmarks) or a worker pool. */
export interface ContractHost {
  load: (request: LoadRequest) => Promise<ContractDescription>
  execute: (request: ExecRequest) => Promise<ExecOutcome>
  unload: (contractId: string) => Promise<void>
  close: () => Promise<void>
}
