// The contract sandbox (paper §3.2: the contract environment): each contract in its own SES
// Compartment whose only endowments are Global, random(), executeContract(), getContractInfo()
// and getExecuteInfo(); metered, JSON-only state that is discarded on any throw. It needs a
// realm where `lockdown()` has run — a contract worker (see realm.ts), never a node's main thread.
import type {} from 'ses'
import { BetascoError, type ErrorCode } from '../core/errors.ts'
import { idOf, sha256 } from '../core/hash.ts'
import type { Json } from '../core/shape.ts'
import { compileContract, METER_PARAMS } from './compile.ts'
import { copyJson, jsonText } from './json-value.ts'
import { CONTRACT_LIMITS, GAS } from './limits.ts'
import type { ContractDescription, ExecError, ExecOutcome, ExecRequest, ExecuteInfo, LoadRequest, QueuedCall } from './types.ts'

const METHOD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** One execution's meter: gas used, frames on the stack, and why it was killed. */
interface Meter {
  limit: number
  used: number
  depth: number
  dead: { code: ErrorCode, message: string } | null
}

/** The context of the execution in progress; null between executions. */
interface Execution {
  request: ExecRequest
  meter: Meter
  state: unknown
  calls: QueuedCall[]
  randomCounter: number
}

interface Loaded {
  description: ContractDescription
  functions: Map<string, (...args: unknown[]) => unknown>
  exports: Map<string, string>
  current: { execution: Execution | null }
}

/** Globals a compartment gets from SES that a contract must not have. */
const REMOVED_GLOBALS = ['eval', 'Compartment', 'lockdown', 'Proxy', 'Date', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry']

function isStackOverflow (e: unknown): boolean {
  if (!(e instanceof RangeError)) return false
  const d = Object.getOwnPropertyDescriptor(e, 'message')
  return d !== undefined && typeof d.value === 'string' && d.value.includes('call stack')
}

function truncate (s: string): string {
  return s.length > CONTRACT_LIMITS.maxErrorMessageLength ? s.slice(0, CONTRACT_LIMITS.maxErrorMessageLength - 1) + '…' : s
}

export class ContractSandbox {
  private readonly contracts = new Map<string, Loaded>()
  /** The meter's sentinel: what is thrown through the contract when it must stop. */
  private readonly sentinel: object
  /** Errors the host throws into contracts, with their codes (contracts cannot forge these). */
  private readonly hostErrors = new WeakMap<object, ErrorCode>()

  constructor () {
    if (typeof harden !== 'function' || typeof Compartment !== 'function' || !Object.isFrozen(Object.prototype)) {
      throw new BetascoError('INTERNAL', 'the contract sandbox needs a realm where SES lockdown() has run (a contract worker)')
    }
    this.sentinel = harden({ betasco: 'execution stopped by the meter' })
  }

  get size (): number { return this.contracts.size }

  /** A hardened error for the contract to see; its code is remembered outside its reach. */
  private hostError (code: ErrorCode, message: string): Error {
    const err = code === 'BAD_ARGUMENT' ? new TypeError(message) : new Error(message)
    harden(err)
    this.hostErrors.set(err, code)
    return err
  }

  load (request: LoadRequest): ContractDescription {
    const { contractId } = request
    if (typeof request.source !== 'string') throw new BetascoError('BAD_ARGUMENT', 'source must be a string')
    if (typeof contractId !== 'string' || contractId.length === 0 || contractId.length > CONTRACT_LIMITS.maxContractIdLength) {
      throw new BetascoError('BAD_ARGUMENT', 'contractId must be a non-empty string of at most 128 characters')
    }
    if (this.contracts.has(contractId)) throw new BetascoError('BAD_ARGUMENT', `contract ${contractId} is already loaded`)
    const file = request.file ?? `${contractId}.js`
    const compiled = compileContract(request.source, file)
    const current: { execution: Execution | null } = { execution: null }
    const self = this
    const sentinel = this.sentinel
    const live = (): Execution => {
      const x = current.execution
      if (x === null || x.meter.dead !== null) throw sentinel
      return x
    }
    const kill = (m: Meter, code: ErrorCode, message: string): never => {
      if (m.dead === null) m.dead = { code, message }
      throw sentinel
    }
    const charge = (x: Execution, gas: number): void => {
      const m = x.meter
      m.used += gas
      if (m.used > m.limit) kill(m, 'OUT_OF_GAS', `out of gas: the budget of ${m.limit} was used up`)
    }
    const meter = {
      enter: (): void => {
        const x = live()
        charge(x, GAS.functionEntry)
        if (++x.meter.depth > CONTRACT_LIMITS.maxCallDepth) kill(x.meter, 'STACK_OVERFLOW', `call depth exceeds ${CONTRACT_LIMITS.maxCallDepth} frames`)
      },
      leave: (): void => {
        const x = current.execution
        if (x !== null) x.meter.depth--
      },
      loop: (): void => { charge(live(), GAS.loopIteration) },
      caught: (e: unknown): void => {
        const x = live()
        if (e === sentinel) kill(x.meter, 'INTERNAL', 'meter sentinel caught while the meter was live')
        if (isStackOverflow(e)) kill(x.meter, 'STACK_OVERFLOW', 'the native stack overflowed')
      },
      finally: (): void => { live() },
    }
    const meterArgs = harden([meter.enter, meter.leave, meter.loop, meter.caught, meter.finally])
    if (meterArgs.length !== METER_PARAMS.length) throw new BetascoError('INTERNAL', 'meter parameters out of step with the compiler')

    const info = request.info ?? {}
    const exports = new Map(Object.entries(compiled.exports))
    const description: ContractDescription = {
      contractId,
      name: compiled.name,
      form: compiled.form,
      codeHash: compiled.codeHash,
      methods: [...exports.keys()],
      functions: [...compiled.functions],
    }
    const functions = new Map<string, (...args: unknown[]) => unknown>()

    const endowments = {
      random (): number {
        const x = live()
        charge(x, GAS.random)
        const h = sha256(new TextEncoder().encode(`betasco-random/${x.request.info.txId}/${x.randomCounter++}`))
        // 53 random bits → a double in [0, 1)
        let v = 0
        for (let i = 0; i < 7; i++) v = v * 256 + h[i]!
        return Math.floor(v / 8) / 2 ** 53
      },
      executeContract (cID: unknown, fn: unknown, arg: unknown, handler?: unknown): string {
        const x = live()
        charge(x, GAS.executeContract)
        if (typeof cID !== 'string' || cID.length === 0 || cID.length > CONTRACT_LIMITS.maxContractIdLength) {
          throw self.hostError('BAD_ARGUMENT', 'executeContract: the contract ID must be a non-empty string of at most 128 characters')
        }
        if (typeof fn !== 'string' || !METHOD_NAME.test(fn) || fn.length > CONTRACT_LIMITS.maxMethodLength) {
          throw self.hostError('BAD_ARGUMENT', 'executeContract: the function must be named by a string (an identifier)')
        }
        let handlerName: string | null = null
        if (typeof handler === 'string') {
          if (!functions.has(handler)) throw self.hostError('BAD_ARGUMENT', `executeContract: handler "${handler}" is not a function of this contract`)
          handlerName = handler
        } else if (typeof handler === 'function') {
          for (const [name, f] of functions) if (f === handler) handlerName = name
          if (handlerName === null) throw self.hostError('BAD_ARGUMENT', 'executeContract: the handler must be one of this contract\'s top-level functions')
        } else if (handler !== undefined && handler !== null) {
          throw self.hostError('BAD_ARGUMENT', 'executeContract: the handler must be a function name or a top-level function')
        }
        if (x.calls.length >= CONTRACT_LIMITS.maxCallsPerTx) {
          throw self.hostError('QUEUE_FULL', `executeContract: at most ${CONTRACT_LIMITS.maxCallsPerTx} calls per execution`)
        }
        let copied: Json
        try {
          copied = copyJson(arg === undefined ? null : arg, 'executeContract arg', 'BAD_ARGUMENT', { maxBytes: CONTRACT_LIMITS.maxArgBytes, code: 'ARG_TOO_LARGE' })
          jsonText(copied, 'executeContract arg', CONTRACT_LIMITS.maxArgBytes, 'ARG_TOO_LARGE')
        } catch (err) {
          if (err instanceof BetascoError) throw self.hostError(err.code, err.message)
          throw err
        }
        const index = x.calls.length
        const id = idOf({ txId: x.request.info.txId, index })
        x.calls.push({ id, index, contract: cID, method: fn, arg: copied, handler: handlerName })
        return id
      },
      getContractInfo (): unknown {
        charge(live(), GAS.info)
        return harden({ ...structuredJson(info), id: contractId, name: compiled.name, methods: [...exports.keys()] })
      },
      getExecuteInfo (): unknown {
        const x = live()
        charge(x, GAS.info)
        const i: ExecuteInfo = x.request.info
        return harden({ height: i.height, txId: i.txId, sender: i.sender, org: i.org, timeMs: i.timeMs, kind: x.request.kind, method: x.request.method })
      },
    }

    const c = new Compartment({ globals: {}, __options__: true })
    const g = c.globalThis
    for (const name of REMOVED_GLOBALS) delete g[name]
    // the tamed constructor (throws when called) keeps `f instanceof Function` working
    g.Function = Object.getPrototypeOf(function () {}).constructor
    Object.defineProperty(g, 'Global', {
      enumerable: true,
      configurable: false,
      get: () => live().state,
      set: (v: unknown) => { live().state = v },
    })
    for (const [name, f] of Object.entries(endowments)) {
      Object.defineProperty(g, name, { value: f, enumerable: true, writable: false, configurable: false })
    }
    // a frozen global object: no hidden state survives between executions
    harden(g)

    let table: unknown
    try {
      const factory = c.evaluate(compiled.program) as (...args: unknown[]) => unknown
      table = factory(...meterArgs)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      throw new BetascoError('CONTRACT_INVALID', `${file}: the sandbox refused the contract: ${message}`)
    }
    harden(table)
    for (const entry of table as Array<[string, (...args: unknown[]) => unknown]>) functions.set(entry[0], entry[1])
    this.contracts.set(contractId, { description, functions, exports, current })
    return description
  }

  unload (contractId: string): void {
    this.contracts.delete(contractId)
  }

  describe (contractId: string): ContractDescription | undefined {
    return this.contracts.get(contractId)?.description
  }

  /** Runs one execution to completion, synchronously. Never throws for what the contract did. */
  execute (request: ExecRequest): ExecOutcome {
    const loaded = this.contracts.get(request.contractId)
    if (loaded === undefined) return failed({ code: 'NOT_FOUND', message: `contract ${request.contractId} is not loaded` }, 0)
    if (!Number.isSafeInteger(request.gasLimit) || request.gasLimit < 1) {
      return failed({ code: 'BAD_ARGUMENT', message: 'gasLimit must be a positive integer' }, 0)
    }
    const i = request.info as Partial<ExecuteInfo> | undefined
    if (typeof i !== 'object' || i === null || typeof i.txId !== 'string' || typeof i.sender !== 'string' || typeof i.org !== 'string' ||
      !Number.isSafeInteger(i.height) || !Number.isFinite(i.timeMs)) {
      return failed({ code: 'BAD_ARGUMENT', message: 'info must be { height, txId, sender, org, timeMs }' }, 0)
    }
    let fn: ((...args: unknown[]) => unknown) | undefined
    switch (request.kind) {
      case 'deploy':
        fn = loaded.functions.get('onCreate') ?? (() => undefined)
        break
      case 'invoke': case 'call': {
        const local = loaded.exports.get(request.method)
        fn = local === undefined ? undefined : loaded.functions.get(local)
        if (fn === undefined) return failed({ code: 'NO_SUCH_METHOD', message: `${loaded.description.name} has no exported function "${request.method}"` }, 0)
        break
      }
      case 'callback':
        fn = loaded.functions.get(request.method)
        if (fn === undefined) return failed({ code: 'NO_SUCH_METHOD', message: `${loaded.description.name} has no function "${request.method}" to receive a callback` }, 0)
        break
      case 'error':
        fn = loaded.functions.get('onError')
        break
      default:
        return failed({ code: 'BAD_ARGUMENT', message: `unknown execution kind "${String(request.kind)}"` }, 0)
    }
    let arg: Json
    let state: Json
    try {
      arg = copyJson(request.arg, 'arg', 'BAD_ARGUMENT', { maxBytes: CONTRACT_LIMITS.maxArgBytes, code: 'ARG_TOO_LARGE' })
      state = JSON.parse(request.state) as Json
    } catch (err) {
      if (err instanceof BetascoError) return failed(err.toJSON(), 0)
      return failed({ code: 'BAD_ARGUMENT', message: 'state is not valid JSON text' }, 0)
    }
    const args: unknown[] = [arg]
    if (request.kind === 'error') {
      const a = arg as { call?: Json, error?: Json } | null
      args.splice(0, 1, a?.call ?? null, a?.error ?? null)
    }

    const execution: Execution = {
      request,
      meter: { limit: request.gasLimit, used: 0, depth: 0, dead: null },
      state,
      calls: [],
      randomCounter: 0,
    }
    let returned: unknown
    let thrown: { value: unknown } | null = null
    loaded.current.execution = execution
    try {
      returned = fn!(...args)
    } catch (e) {
      thrown = { value: e }
    } finally {
      // from here on nothing the contract left behind (microtasks, saved closures) can run metered code
      loaded.current.execution = null
    }
    const m = execution.meter
    if (m.dead !== null) return failed(m.dead, m.limit)
    if (thrown !== null) {
      // a native stack overflow depends on the machine's stack size: charge the whole budget
      if (isStackOverflow(thrown.value)) return failed({ code: 'STACK_OVERFLOW', message: 'the native stack overflowed' }, m.limit)
      return failed(this.describeThrown(thrown.value), m.used)
    }
    try {
      const result = copyJson(returned === undefined ? null : returned, 'result', 'NON_JSON_RESULT', { maxBytes: CONTRACT_LIMITS.maxResultBytes, code: 'RESULT_TOO_LARGE' })
      jsonText(result, 'the result', CONTRACT_LIMITS.maxResultBytes, 'RESULT_TOO_LARGE')
      const s = execution.state
      if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new BetascoError('NON_JSON_STATE', 'Global: must be a plain object')
      const newState = jsonText(copyJson(s, 'Global', 'NON_JSON_STATE', { maxBytes: CONTRACT_LIMITS.maxStateBytes, code: 'STATE_TOO_LARGE' }), 'Global', CONTRACT_LIMITS.maxStateBytes, 'STATE_TOO_LARGE')
      return { ok: true, result, state: newState, gasUsed: m.used, calls: execution.calls }
    } catch (err) {
      if (err instanceof BetascoError) return failed(err.toJSON(), m.used)
      if (isStackOverflow(err)) return failed({ code: 'STACK_OVERFLOW', message: 'the native stack overflowed' }, m.limit)
      throw err
    }
  }

  /** The coded error of what a contract threw, read without running any of its code. */
  private describeThrown (e: unknown): ExecError {
    if (typeof e === 'object' && e !== null) {
      const code = this.hostErrors.get(e)
      const d = Object.getOwnPropertyDescriptor(e, 'message')
      const message = d !== undefined && typeof d.value === 'string' ? d.value : undefined
      if (code !== undefined) return { code, message: truncate(message ?? code) }
      if (e instanceof Error) return { code: 'CONTRACT_THROW', message: truncate(`${errorName(e)}: ${message ?? ''}`) }
      return { code: 'CONTRACT_THROW', message: message !== undefined ? truncate(message) : 'the contract threw a non-Error object' }
    }
    if (typeof e === 'function') return { code: 'CONTRACT_THROW', message: 'the contract threw a function' }
    return { code: 'CONTRACT_THROW', message: truncate(typeof e === 'symbol' ? e.toString() : String(e)) }
  }
}

function failed (error: ExecError, gasUsed: number): ExecOutcome {
  return { ok: false, error: { code: error.code, message: error.message }, gasUsed, calls: [] }
}

/** Names of the intrinsic error classes (SES turns their `name` into accessors). */
const INTRINSIC_ERRORS = new Map<object, string>([Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError].map((C) => [C.prototype, C.name]))

/** The name of an error's class, read from data properties only: no code of the contract runs. */
function errorName (e: Error): string {
  for (let p: object | null = Object.getPrototypeOf(e); p !== null; p = Object.getPrototypeOf(p)) {
    const intrinsic = INTRINSIC_ERRORS.get(p)
    if (intrinsic !== undefined) return intrinsic
    const d = Object.getOwnPropertyDescriptor(p, 'name')
    if (d !== undefined && typeof d.value === 'string') return d.value
  }
  return 'Error'
}

function structuredJson (v: Record<string, Json>): Record<string, Json> {
  return JSON.parse(JSON.stringify(v)) as Record<string, Json>
}
