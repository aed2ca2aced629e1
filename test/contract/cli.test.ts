// `betasco contract check` and `betasco contract exec`, exactly as DESIGN §7 specifies them:
// through the CLI's main() (sources) and through bin/betasco.js (the compiled dist/).
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../node-host/cli.ts'
import { EXAMPLES } from './helpers.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function cli (...argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

const dir = mkdtempSync(join(tmpdir(), 'betasco-contract-cli-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })
function file (name: string, text: string): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

describe('betasco contract exec', () => {
  it('runs MainService as the paper describes and prints results, gas and state as JSON', async () => {
    const r = await cli('contract', 'exec', EXAMPLES + 'MainService.js', '--calls', EXAMPLES + 'MainService.calls.json')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out) as { results: Array<Record<string, unknown>>, state: unknown }
    expect(out.results.map((x) => [x.method, x.ok, x.result])).toEqual([
      ['call', true, null], ['call', true, null], ['get', true, 2], ['registerLogger', true, null], ['call', true, null], ['get', true, 3],
    ])
    for (const x of out.results) expect(x.gas).toBeGreaterThan(0)
    expect(out.results[4]!.calls).toMatchObject([{ contract: 'logger', method: 'log', arg: 'call' }])
    expect(out.state).toEqual({ count: 3, logger: 'logger' })
  })

  it('runs Logger with push for the paper\'s append', async () => {
    const r = await cli('contract', 'exec', EXAMPLES + 'Logger.js', '--calls', EXAMPLES + 'Logger.calls.json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ results: [{ ok: true }, { ok: true }, { method: 'analyze', ok: true, result: 2 }], state: { logs: ['call', 'get'] } })
  })

  it('reports a failing call as ok: false with a coded error and exits 0', async () => {
    const calls = file('fail.json', JSON.stringify([{ method: 'spin', arg: null }, { method: 'missing' }, { method: 'get' }]))
    const src = file('spin.js', 'contract S { onCreate() { Global.n = 7 } export function spin() { Global.n = 0; while (true) {} } export function get() { return Global.n } }')
    const r = await cli('contract', 'exec', src, '--calls', calls, '--gas', '5000')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({
      results: [
        { method: 'spin', ok: false, error: { code: 'OUT_OF_GAS', message: 'out of gas: the budget of 5000 was used up' }, gas: 5000 },
        { method: 'missing', ok: false, error: { code: 'NO_SUCH_METHOD', message: 'S has no exported function "missing"' }, gas: 0 },
        { method: 'get', ok: true, result: 7, gas: 1 },
      ],
      state: { n: 7 },
    })
  })

  it('prints identical output on repeated runs', async () => {
    const src = file('rand.js', 'export function r() { return [random(), getExecuteInfo()] }')
    const calls = file('rand.json', '[{"method":"r"},{"method":"r"}]')
    const a = await cli('contract', 'exec', src, '--calls', calls)
    const b = await cli('contract', 'exec', src, '--calls', calls)
    expect(a.code).toBe(0)
    expect(b.out).toBe(a.out)
    const out = JSON.parse(a.out) as { results: Array<{ result: [number, unknown] }> }
    expect(out.results[0]!.result[0]).not.toBe(out.results[1]!.result[0])
  })

  it('exits 1 with FILE:LINE:COL when the contract does not compile', async () => {
    const src = file('broken.js', 'contract B {\n  export function f() {\n    return 1 +;\n  }\n}\n')
    const r = await cli('contract', 'exec', src, '--calls', EXAMPLES + 'Logger.calls.json')
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toBe(`${src}:3:15 Unexpected token`)
  })

  it('exits non-zero with one line for unreadable or malformed inputs', async () => {
    for (const args of [
      ['contract', 'exec', join(dir, 'nope.js'), '--calls', EXAMPLES + 'Logger.calls.json'],
      ['contract', 'exec', EXAMPLES + 'Logger.js', '--calls', join(dir, 'nope.json')],
      ['contract', 'exec', EXAMPLES + 'Logger.js', '--calls', file('bad.json', '{"method":"log"}')],
      ['contract', 'exec', EXAMPLES + 'Logger.js', '--calls', file('bad2.json', '[{"method":"log","extra":1}]')],
      ['contract', 'exec', EXAMPLES + 'Logger.js'],
    ]) {
      const r = await cli(...args)
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.err.split('\n')).toHaveLength(1)
      expect(r.out).toBe('')
    }
  })
})

describe('betasco contract check', () => {
  it('accepts the paper\'s contracts', async () => {
    const r = await cli('contract', 'check', EXAMPLES + 'MainService.js', '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, name: 'MainService', form: 'contract', methods: ['call', 'get', 'registerLogger'] })
  })

  it('prints FILE:LINE:COL message on a syntax error and on a refused construct', async () => {
    const bad = file('bad.js', 'contract X {\n  a() {} b() { return +; }\n}\n')
    expect(await cli('contract', 'check', bad)).toEqual({ code: 1, out: '', err: `${bad}:2:24 Unexpected token` })
    const imp = file('imp.js', '\nexport function f() {\n  return import("fs")\n}\n')
    expect(await cli('contract', 'check', imp)).toEqual({ code: 1, out: '', err: `${imp}:3:10 dynamic import() is not allowed in a contract` })
    const json = await cli('contract', 'check', imp, '--json')
    expect(JSON.parse(json.err)).toEqual({ error: { code: 'CONTRACT_INVALID', message: `${imp}:3:10 dynamic import() is not allowed in a contract` } })
  })
})

describe('bin/betasco.js (compiled dist/)', () => {
  it('runs contract exec from dist with the same output as from the sources', async () => {
    const bin = join(ROOT, 'bin/betasco.js')
    expect(existsSync(join(ROOT, 'dist/src/contract/node-worker-main.js')), 'dist/ is built by `npx tsc -p tsconfig.json` (npm test does it first)').toBe(true)
    const args = ['contract', 'exec', EXAMPLES + 'MainService.js', '--calls', EXAMPLES + 'MainService.calls.json']
    const { stdout } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: ROOT })
    expect(stdout.trimEnd()).toBe((await cli(...args)).out)
  })
})
