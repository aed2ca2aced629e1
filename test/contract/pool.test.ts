// The contract process pool: executions off the main thread, a watchdog that replaces a runaway
// worker while other contracts keep being served, recovery from a crashed worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBetascoError } from '../../src/core/errors.ts'
import { contractWorkerUrl, nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import type { ExecOutcome } from '../../src/contract/types.ts'
import { example, info, testPool } from './helpers.ts'

const RUNAWAY = `contract Runaway {
  export function regex() { return /^(a+)+$/.test('a'.repeat(40) + 'b') }
  export function alloc() { const a = []; a.length = 2 ** 31; return a.fill(1.5).length }
  export function ok() { return 'fine' }
}`

let pool: ContractPool
beforeAll(() => { pool = testPool({ workers: 2, watchdogMs: 1000, heapMb: 64 }) })
afterAll(async () => { await pool.close() })

const exec = async (contractId: string, method: string, state = '{}'): Promise<ExecOutcome> =>
  await pool.execute({ contractId, kind: 'invoke', method, arg: null, state, gasLimit: 50_000, info: info() })

describe('ContractPool', () => {
  it('resolves the worker script next to its module (.ts from src, .js from dist)', () => {
    expect(contractWorkerUrl().pathname).toMatch(/src\/contract\/node-worker-main\.ts$/)
  })

  it('spreads contracts over its workers', async () => {
    for (let i = 0; i < 6; i++) await pool.load({ contractId: `spread-${i}`, source: example('Counter.js'), file: 'Counter.js' })
    const stats = await pool.stats()
    expect(stats.workers.map((w) => w.contracts)).toEqual([3, 3])
    for (const w of stats.workers) expect(w.heapUsedBytes).toBeGreaterThan(0)
    for (let i = 0; i < 6; i++) await pool.unload(`spread-${i}`)
  })

  it('kills a runaway execution with WATCHDOG_TIMEOUT while contracts on the same worker keep being served', async () => {
    const before = (await pool.stats()).replacedWorkers
    // least-loaded placement: runaway → worker 0, pad → worker 1, neighbour → worker 0 beside runaway
    await pool.load({ contractId: 'runaway', source: RUNAWAY, file: 'Runaway.js' })
    await pool.load({ contractId: 'pad', source: example('Logger.js'), file: 'Logger.js' })
    await pool.load({ contractId: 'neighbour', source: example('Counter.js'), file: 'Counter.js' })
    const stuck = exec('runaway', 'regex')
    const others = [exec('neighbour', 'call', '{"count":1}'), exec('neighbour', 'call', '{"count":2}')]
    expect(await stuck).toMatchObject({ ok: false, error: { code: 'WATCHDOG_TIMEOUT' }, gasUsed: 50_000, calls: [] })
    expect(await Promise.all(others)).toMatchObject([{ ok: true, result: 2 }, { ok: true, result: 3 }])
    // the replaced worker reloads the contract on demand
    expect(await exec('runaway', 'ok')).toMatchObject({ ok: true, result: 'fine' })
    expect((await pool.stats()).replacedWorkers).toBe(before + 1)
  })

  it('survives a worker that runs out of memory', async () => {
    const out = await exec('runaway', 'alloc')
    expect(out.ok).toBe(false)
    if (out.ok) return
    expect(['WORKER_CRASHED', 'WATCHDOG_TIMEOUT', 'CONTRACT_THROW']).toContain(out.error.code)
    expect(await exec('runaway', 'ok')).toMatchObject({ ok: true, result: 'fine' })
    expect(await exec('neighbour', 'call', '{"count":10}')).toMatchObject({ ok: true, result: 11 })
  })

  it('answers NOT_FOUND for a contract it does not host and refuses a second load of one it does', async () => {
    expect(await exec('nobody', 'f')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    await expect(pool.load({ contractId: 'neighbour', source: example('Counter.js') })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })

  it('compiles in the worker and reports compile errors with positions', async () => {
    const err = await pool.load({ contractId: 'broken', source: 'export function f() {\n  return +\n}', file: 'broken.js' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CONTRACT_SYNTAX', message: 'broken.js:3:1 Unexpected token' })
    expect(await exec('broken', 'f')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('refuses a contract the sandbox rejects and stays usable', async () => {
    const err = await pool.load({ contractId: 'imports', source: 'export function f() { return /import(x)/.test("importx") }', file: 'i.js' }).catch((e: unknown) => e)
    expect(isBetascoError(err, 'CONTRACT_INVALID')).toBe(true)
    expect(await exec('imports', 'f')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await exec('neighbour', 'call', '{"count":0}')).toMatchObject({ ok: true, result: 1 })
  })

  it('hosts many contracts at once', async () => {
    const source = example('MainService.js')
    for (let i = 0; i < 200; i++) await pool.load({ contractId: `many-${i}`, source, file: 'MainService.js' })
    const outs = await Promise.all(Array.from({ length: 200 }, async (_, i) => await exec(`many-${i}`, 'get', `{"count":${i},"logger":""}`)))
    expect(outs.map((o) => o.ok ? o.result : null)).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect((await pool.stats()).contracts).toBeGreaterThanOrEqual(200)
  })

  it('keeps a worker alive when a contract leaves rejected promises and microtasks behind', async () => {
    await pool.load({ contractId: 'rejects', source: 'export function f() { Promise.reject(new Error("x")); Promise.resolve().then(() => { throw 1 }); return 1 }', file: 'r.js' })
    const before = (await pool.stats()).replacedWorkers
    for (let i = 0; i < 3; i++) expect(await exec('rejects', 'f')).toMatchObject({ ok: true, result: 1 })
    expect((await pool.stats()).replacedWorkers).toBe(before)
  })

  it('rejects work after close', async () => {
    const p = testPool()
    await p.close()
    await expect(p.execute({ contractId: 'x', kind: 'invoke', method: 'f', arg: null, state: '{}', gasLimit: 1, info: info() })).rejects.toMatchObject({ code: 'CLOSED' })
  })
})

describe('worker_threads isolation', () => {
  it('serves contracts and replaces a runaway thread the same way', async () => {
    const threads = new ContractPool({ spawn: nodeContractWorkers({ isolation: 'thread', heapMb: 64 }), watchdogMs: 1000 })
    try {
      await threads.load({ contractId: 'r', source: RUNAWAY, file: 'Runaway.js' })
      const run = async (method: string): Promise<ExecOutcome> => await threads.execute({ contractId: 'r', kind: 'invoke', method, arg: null, state: '{}', gasLimit: 1000, info: info() })
      expect(await run('ok')).toMatchObject({ ok: true, result: 'fine' })
      expect(await run('regex')).toMatchObject({ ok: false, error: { code: 'WATCHDOG_TIMEOUT' } })
      expect(await run('ok')).toMatchObject({ ok: true, result: 'fine' })
      expect((await threads.stats()).replacedWorkers).toBe(1)
    } finally {
      await threads.close()
    }
  })
})
