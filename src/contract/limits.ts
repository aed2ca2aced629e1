// Bounds of the contract runtime: what metering cannot see is bounded here (sizes, depth) or
// by the pool's watchdog (native work such as pathological regular expressions).
import { LIMITS } from '../core/limits.ts'

export const CONTRACT_LIMITS = {
  maxCodeBytes: LIMITS.maxCodeBytes,
  maxMethodLength: LIMITS.maxMethodLength,
  maxFunctions: 1024,
  /** Serialized size of Global after an execution. */
  maxStateBytes: 4 * 1024 * 1024,
  maxArgBytes: LIMITS.maxArgBytes,
  maxResultBytes: LIMITS.maxResultBytes,
  /** Nesting of arguments, results and state (the core JSON shape allows 32). */
  maxJsonDepth: 32,
  /** Contract function frames on the stack at once. */
  maxCallDepth: 256,
  maxCallsPerTx: LIMITS.maxCallsPerTx,
  maxErrorMessageLength: LIMITS.maxErrorMessageLength,
  maxContractIdLength: 128,
} as const

export const DEFAULTS = {
  gasLimit: 1_000_000,
  /** Wall-clock budget of one execution in a worker before it is killed and replaced. */
  watchdogMs: 2_000,
  /** Heap of one contract worker; a contract that allocates past it crashes only its worker. */
  workerHeapMb: 256,
} as const

/** Gas charged by the instrumented code and the host API. */
export const GAS = {
  functionEntry: 1,
  loopIteration: 1,
  random: 1,
  info: 1,
  executeContract: 10,
} as const

/** Identifiers the runtime injects; user code may not use names with this prefix. */
export const RESERVED_PREFIX = '__betasco'
