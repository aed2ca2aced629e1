// The sandbox's semantics, through a contract worker: the paper's contracts, state kept on
// success and discarded on failure, the host API (random, executeContract, info), gas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { idOf } from '../../src/core/hash.ts'
import type { ContractPool } from '../../src/contract/pool.ts'
import type { ExecOutcome, ExecRequest } from '../../src/contract/types.ts'
import { example, info, run, testPool } from './helpers.ts'

let pool: ContractPool
let seq = 0
beforeAll(() => { pool = testPool() })
afterAll(async () => { await pool.close() })

/** Loads `source` under a fresh ID and returns a function executing requests on it. */
async function loaded (source: string, extraInfo?: Record<string, string>): Promise<(r: Partial<ExecRequest> & { method: string }) => Promise<ExecOutcome>> {
  const contractId = `c${++seq}`
  await pool.load({ contractId, source: source, file: `${contractId}.js`, ...(extraInfo !== undefined ? { info: extraInfo } : {}) })
  return async (r) => await pool.execute({ contractId, kind: 'invoke', arg: null, state: '{}', gasLimit: 100_000, info: info(), ...r })
}

describe('the paper\'s contracts (Figure 10)', () => {
  it('MainService counts calls and logs to a registered Logger through executeContract', async () => {
    const out = await run(pool, example('MainService.js'), [
      { method: 'call' }, { method: 'get' }, { method: 'registerLogger', arg: 'logger-id' }, { method: 'call' }, { method: 'get' },
    ])
    expect(out.results.map((r) => r.ok)).toEqual([true, true, true, true, true])
    expect(out.results[1]!.result).toBe(1)
    expect(out.results[1]!.calls).toBeUndefined()
    expect(out.results[3]!.calls).toMatchObject([{ contract: 'logger-id', method: 'log', arg: 'call', handler: null, index: 0 }])
    expect(out.results[4]!).toMatchObject({ result: 2, calls: [{ method: 'log', arg: 'get' }] })
    expect(out.state).toEqual({ count: 2, logger: 'logger-id' })
  })

  it('Logger appends entries and analyze returns their number', async () => {
    const out = await run(pool, example('Logger.js'), [{ method: 'log', arg: 'call' }, { method: 'log', arg: 'get' }, { method: 'analyze' }])
    expect(out.results[2]!.result).toBe(2)
    expect(out.state).toEqual({ logs: ['call', 'get'] })
  })
})

describe('state', () => {
  it('keeps changes on success and discards them on a throw', async () => {
    const out = await run(pool, example('Counter.js'), [{ method: 'call' }, { method: 'add', arg: 41 }, { method: 'add', arg: 'x' }, { method: 'call' }])
    expect(out.results.map((r) => r.ok ? r.result : r.error!.code)).toEqual([1, 42, 'CONTRACT_THROW', 43])
    expect(out.results[2]!.error!.message).toBe('TypeError: add: expected an integer')
    expect(out.state).toEqual({ count: 43 })
  })

  it('leaves out undefined properties, turns -0 into 0 and refuses holes and deep nesting', async () => {
    const exec = await loaded(`
      export function a() { Global.u = undefined; Global.z = -0; return Global }
      export function b() { Global.h = [1, , 3] }
      export function c() { let x = {}; const top = x; for (let i = 0; i < 40; i++) { x.y = {}; x = x.y } Global.deep = top }`)
    const a = await exec({ method: 'a' })
    expect(a).toMatchObject({ ok: true, result: { z: 0 }, state: '{"z":0}' })
    expect(await exec({ method: 'b' })).toMatchObject({ ok: false, error: { code: 'NON_JSON_STATE', message: expect.stringMatching(/Global\.h\[1\]: a hole/) } })
    expect(await exec({ method: 'c' })).toMatchObject({ ok: false, error: { code: 'NON_JSON_STATE', message: expect.stringMatching(/nested deeper than 32/) } })
  })

  it('refuses state that is not JSON text and arguments that are too large', async () => {
    const exec = await loaded('export function f(a) { return a }')
    expect(await exec({ method: 'f', state: '{' })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' }, gasUsed: 0 })
    expect(await exec({ method: 'f', arg: 'x'.repeat(70 * 1024) })).toMatchObject({ ok: false, error: { code: 'ARG_TOO_LARGE' } })
    expect(await exec({ method: 'f', arg: { a: [1, 'b', null, true] } })).toMatchObject({ ok: true, result: { a: [1, 'b', null, true] } })
  })

  it('gives every execution its own copy of the state', async () => {
    const exec = await loaded('export function f() { Global.n = (Global.n || 0) + 1; return Global.n }')
    const state = '{"n":5}'
    expect(await exec({ method: 'f', state })).toMatchObject({ result: 6 })
    expect(await exec({ method: 'f', state })).toMatchObject({ result: 6 })
  })
})

describe('invocation', () => {
  it('only invokes exported functions; onCreate runs at deploy', async () => {
    const exec = await loaded('contract X { onCreate(arg) { Global.init = arg } function hidden() { return 1 } export function shown() { return hidden() + 1 } }')
    expect(await exec({ method: 'hidden' })).toMatchObject({ ok: false, error: { code: 'NO_SUCH_METHOD' }, gasUsed: 0 })
    expect(await exec({ method: 'onCreate' })).toMatchObject({ ok: false, error: { code: 'NO_SUCH_METHOD' } })
    expect(await exec({ method: 'shown' })).toMatchObject({ ok: true, result: 2 })
    expect(await exec({ kind: 'deploy', method: 'onCreate', arg: 'hello' })).toMatchObject({ ok: true, state: '{"init":"hello"}' })
  })

  it('has an empty onError on every contract, and calls one the contract overrides', async () => {
    const plain = await loaded('export function f() {}')
    expect(await plain({ kind: 'error', method: 'onError', arg: { call: { id: 'x' }, error: { code: 'E', message: 'm' } }, state: '{"a":1}' }))
      .toMatchObject({ ok: true, result: null, state: '{"a":1}' })
    const custom = await loaded('contract C { onError(call, error) { Global.failed = [call.id, error.code] } }')
    expect(await custom({ kind: 'error', method: 'onError', arg: { call: { id: 'x' }, error: { code: 'E', message: 'm' } } }))
      .toMatchObject({ ok: true, state: '{"failed":["x","E"]}' })
  })

  it('queues calls with a handler and runs the handler as a callback', async () => {
    const exec = await loaded(`contract C {
      function got(result) { Global.got = result }
      export function ask() { return [executeContract('other', 'value', 1, got), executeContract('other', 'value', 2, 'got')] }
      export function bad() { executeContract('other', 'value', 1, function () {}) }
    }`)
    const ask = await exec({ method: 'ask' })
    expect(ask.ok).toBe(true)
    if (!ask.ok) return
    expect(ask.calls.map((c) => c.handler)).toEqual(['got', 'got'])
    expect(ask.calls.map((c) => c.id)).toEqual([idOf({ txId: info().txId, index: 0 }), idOf({ txId: info().txId, index: 1 })])
    expect(ask.result).toEqual(ask.calls.map((c) => c.id))
    expect(await exec({ method: 'bad' })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' }, calls: [] })
    expect(await exec({ kind: 'callback', method: 'got', arg: 99 })).toMatchObject({ ok: true, state: '{"got":99}' })
  })
})

describe('host API', () => {
  const source = 'export function r() { return [random(), random()] }\nexport function i() { return [getExecuteInfo(), getContractInfo()] }'

  it('random() is a function of the tx ID only', async () => {
    const exec = await loaded(source)
    const a1 = await exec({ method: 'r', info: info('1'.repeat(64)) })
    const a2 = await exec({ method: 'r', info: info('1'.repeat(64)) })
    const b = await exec({ method: 'r', info: info('2'.repeat(64)) })
    expect(a1.ok && b.ok).toBe(true)
    if (!a1.ok || !a2.ok || !b.ok) return
    expect(a2.result).toEqual(a1.result)
    expect(b.result).not.toEqual(a1.result)
    const [x, y] = a1.result as number[]
    expect(x).not.toBe(y)
    for (const v of [x!, y!]) expect(v >= 0 && v < 1).toBe(true)
  })

  it('getExecuteInfo() and getContractInfo() describe the execution and the contract', async () => {
    const exec = await loaded(source, { shard: 'shard-1' })
    const out = await exec({ method: 'i', info: { height: 7, txId: 'b'.repeat(64), sender: 'bob', org: 'org2', timeMs: 1234 } })
    expect(out).toMatchObject({
      ok: true,
      result: [
        { height: 7, txId: 'b'.repeat(64), sender: 'bob', org: 'org2', timeMs: 1234, kind: 'invoke', method: 'i' },
        { shard: 'shard-1', name: expect.any(String), methods: ['r', 'i'] },
      ],
    })
  })
})

describe('gas', () => {
  it('charges one per function entry and one per loop iteration, the same every time', async () => {
    const exec = await loaded('function g() {}\nexport function f(n) { for (let i = 0; i < n; i++) g() }')
    expect((await exec({ method: 'f', arg: 0 })).gasUsed).toBe(1)
    expect((await exec({ method: 'f', arg: 10 })).gasUsed).toBe(1 + 10 * 2)
    expect((await exec({ method: 'f', arg: 10 })).gasUsed).toBe(21)
  })

  it('fails with OUT_OF_GAS, the whole budget charged, when the budget is exceeded', async () => {
    const exec = await loaded('export function f(n) { for (let i = 0; i < n; i++) {} Global.done = true }')
    expect(await exec({ method: 'f', arg: 999, gasLimit: 1000 })).toMatchObject({ ok: true, gasUsed: 1000 })
    expect(await exec({ method: 'f', arg: 1000, gasLimit: 1000 })).toMatchObject({ ok: false, error: { code: 'OUT_OF_GAS' }, gasUsed: 1000, calls: [] })
  })

  it('bounds the call depth', async () => {
    const exec = await loaded('function d(n) { return n === 0 ? 0 : 1 + d(n - 1) }\nexport function f(n) { return d(n) }')
    expect(await exec({ method: 'f', arg: 200 })).toMatchObject({ ok: true, result: 200 })
    expect(await exec({ method: 'f', arg: 300 })).toMatchObject({ ok: false, error: { code: 'STACK_OVERFLOW' }, gasUsed: 100_000 })
  })
})

describe('InProcessContractHost', () => {
  it('runs the same sandbox in a locked-down process of its own', async () => {
    const hostUrl = new URL('../../src/contract/in-process.ts', import.meta.url).href
    const runUrl = new URL('../../src/contract/local-run.ts', import.meta.url).href
    const script = `
      const { InProcessContractHost } = await import(${JSON.stringify(hostUrl)})
      const { runLocally } = await import(${JSON.stringify(runUrl)})
      const host = new InProcessContractHost()
      const source = 'contract C { onCreate() { Global.n = 0 } export function inc() { return ++Global.n } export function spin() { for (;;) {} } }'
      const out = await runLocally(host, { source, file: 'C.js' }, [{ method: 'inc', arg: null }, { method: 'spin', arg: null }, { method: 'inc', arg: null }], { gasLimit: 1000 })
      process.stdout.write(JSON.stringify({ results: out.results, state: out.state, frozen: Object.isFrozen(Object.prototype) }))
    `
    const { execFile } = await import('node:child_process')
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, out) => { if (err !== null) reject(err); else resolve(out) })
    })
    expect(JSON.parse(stdout)).toEqual({
      results: [
        { method: 'inc', ok: true, result: 1, gas: 1 },
        { method: 'spin', ok: false, error: { code: 'OUT_OF_GAS', message: 'out of gas: the budget of 1000 was used up' }, gas: 1000 },
        { method: 'inc', ok: true, result: 2, gas: 1 },
      ],
      state: { n: 2 },
      frozen: true,
    })
  })
})
