// The contract developer's test loop (`betasco contract exec`): deploy a contract and run a
// sequence of calls on a ContractHost — the same sandbox and metering a node uses — with
// deterministic transaction IDs and block data, so repeated runs print identical output.
import { BetascoError } from '../core/errors.ts'
import { idOf, sha256 } from '../core/hash.ts'
import { toHex } from '../core/bytes.ts'
import type { Json } from '../core/shape.ts'
import { copyJson } from './json-value.ts'
import { CONTRACT_LIMITS, DEFAULTS } from './limits.ts'
import type { ContractDescription, ContractHost, ExecError, ExecKind, ExecOutcome, QueuedCall } from './types.ts'

export interface LocalCall {
  method: string
  arg: Json
  /** Who sends it (default `invoke`, a client). */
  kind?: ExecKind
}

export interface LocalResult {
  method: string
  ok: boolean
  result?: Json
  error?: ExecError
  gas: number
  /** Async calls the execution queued (present only when there are some). */
  calls?: QueuedCall[]
}

export interface LocalRun {
  contract: ContractDescription
  results: LocalResult[]
  state: Json
}

export interface LocalRunOptions {
  gasLimit?: number
  /** Argument of onCreate. */
  deployArg?: Json
  sender?: string
  org?: string
}

const KINDS: readonly ExecKind[] = ['invoke', 'call', 'callback', 'error']

/** Reads a CALLS.json value: an array of `{ "method": "name", "arg": <JSON> }`. */
export function checkCalls (value: unknown, file = 'CALLS.json'): LocalCall[] {
  if (!Array.isArray(value)) throw new BetascoError('BAD_ARGUMENT', `${file}: expected an array of { "method": "name", "arg": <JSON value> }`)
  if (value.length > 100_000) throw new BetascoError('BAD_ARGUMENT', `${file}: at most 100000 calls`)
  return value.map((c: unknown, i) => {
    const where = `${file}[${i}]`
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new BetascoError('BAD_ARGUMENT', `${where}: expected an object { "method": "name", "arg": <JSON value> }`)
    const o = c as Record<string, unknown>
    for (const k of Object.keys(o)) if (!['method', 'arg', 'kind'].includes(k)) throw new BetascoError('BAD_ARGUMENT', `${where}: unknown field "${k}"`)
    if (typeof o.method !== 'string' || o.method.length === 0 || o.method.length > CONTRACT_LIMITS.maxMethodLength) throw new BetascoError('BAD_ARGUMENT', `${where}.method: expected a function name`)
    if (o.kind !== undefined && !KINDS.includes(o.kind as ExecKind)) throw new BetascoError('BAD_ARGUMENT', `${where}.kind: one of ${KINDS.join(', ')}`)
    const arg = copyJson(o.arg === undefined ? null : o.arg, `${where}.arg`, 'BAD_ARGUMENT')
    return o.kind === undefined ? { method: o.method, arg } : { method: o.method, arg, kind: o.kind as ExecKind }
  })
}

function toResult (method: string, o: ExecOutcome): LocalResult {
  if (o.ok) {
    const r: LocalResult = { method, ok: true, result: o.result, gas: o.gasUsed }
    if (o.calls.length > 0) r.calls = o.calls
    return r
  }
  return { method, ok: false, error: o.error, gas: o.gasUsed }
}

/**
 * Loads and deploys the contract (onCreate), runs `calls` in order and unloads it. A failing call is a
 * result with ok: false and leaves the state as it was; a failing onCreate throws
 * CONTRACT_THROW (or the code it failed with), since then there is no contract to call.
 */
export async function runLocally (host: ContractHost, contract: { source: string, file: string }, calls: LocalCall[], options: LocalRunOptions = {}): Promise<LocalRun> {
  const gasLimit = options.gasLimit ?? DEFAULTS.gasLimit
  const contractId = idOf({ local: toHex(sha256(new TextEncoder().encode(contract.source))) })
  const info = (i: number): { height: number, txId: string, sender: string, org: string, timeMs: number } => ({
    height: i + 1,
    txId: idOf({ contract: contractId, local: i }),
    sender: options.sender ?? 'local-user',
    org: options.org ?? 'local-org',
    timeMs: i * 1000,
  })
  const description = await host.load({ contractId, source: contract.source, file: contract.file, info: { local: true } })
  try {
    const deployed = await host.execute({ contractId, kind: 'deploy', method: 'onCreate', arg: options.deployArg ?? null, state: '{}', gasLimit, info: info(0) })
    if (!deployed.ok) {
      throw new BetascoError(deployed.error.code as BetascoError['code'], `onCreate failed: ${deployed.error.message}`)
    }
    let state = deployed.state
    const results: LocalResult[] = []
    for (const [i, c] of calls.entries()) {
      const outcome = await host.execute({ contractId, kind: c.kind ?? 'invoke', method: c.method, arg: c.arg, state, gasLimit, info: info(i + 1) })
      if (outcome.ok) state = outcome.state
      results.push(toResult(c.method, outcome))
    }
    return { contract: description, results, state: JSON.parse(state) as Json }
  } finally {
    await host.unload(contractId)
  }
}
