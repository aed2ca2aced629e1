// The contract runtime (DESIGN §7): language, compiler with metering, SES sandbox, worker pool.
// Environment-specific pieces (node-worker.ts: child processes or worker_threads; web-worker.ts) are imported by the composition
// root directly, not through this index.
export { compileContract, type CompiledContract } from './compile.ts'
export { parseContract, type ParsedContract } from './language.ts'
export { ContractPool, type ContractPoolComponents, type ContractPoolStats, type ContractWorkerPort, type SpawnContractWorker } from './pool.ts'
export { runLocally, checkCalls, type LocalCall, type LocalResult, type LocalRun, type LocalRunOptions } from './local-run.ts'
export { CONTRACT_LIMITS, DEFAULTS as CONTRACT_DEFAULTS, GAS } from './limits.ts'
export type { ContractDescription, ContractHost, ExecError, ExecKind, ExecOutcome, ExecRequest, ExecuteInfo, LoadRequest, QueuedCall } from './types.ts'
