// The hostile corpus (test/contract/hostile/*.js): each file names what must happen in its
// `// expect:` line. Every attack fails cleanly with a coded error (or returns a harmless value),
// the next call on the same contract still works on the untouched state, and a second run of the
// whole corpus gives identical output.
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBetascoError } from '../../src/core/errors.ts'
import type { ContractPool } from '../../src/contract/pool.ts'
import { HOSTILE, run, testPool } from './helpers.ts'

interface Case { file: string, source: string, expect: string }

const cases: Case[] = readdirSync(HOSTILE).filter((f) => f.endsWith('.js')).sort().map((file) => {
  const source = readFileSync(HOSTILE + file, 'utf8')
  const m = /^\/\/ expect: (.+)$/m.exec(source)
  if (m === null) throw new Error(`${file} has no "// expect:" line`)
  return { file, source, expect: m[1]!.trim() }
})

let pool: ContractPool
const firstRun = new Map<string, string>()

beforeAll(() => { pool = testPool({ watchdogMs: 2000, heapMb: 96 }) })
afterAll(async () => { await pool.close() })

async function attackThenPing (c: Case): Promise<string> {
  const out = await run(pool, c.source, [{ method: 'attack' }, { method: 'ping' }], c.file, 1_000_000)
  return JSON.stringify(out)
}

describe('hostile contracts', () => {
  it('has a corpus', () => { expect(cases.length).toBeGreaterThan(40) })

  for (const c of cases) {
    it(`${c.file}: ${c.expect}`, async () => {
      if (c.expect.startsWith('compile ')) {
        const code = c.expect.slice('compile '.length)
        let error: unknown = null
        try {
          await pool.load({ contractId: c.file, source: c.source, file: c.file })
          await pool.unload(c.file)
        } catch (err) { error = err }
        expect(isBetascoError(error), String(error)).toBe(true)
        expect((error as { code: string }).code).toBe(code)
        expect((error as Error).message).toMatch(new RegExp(`^${c.file.replace('.', '\\.')}(:\\d+:\\d+ |: the sandbox refused)`))
        return
      }
      const text = await attackThenPing(c)
      firstRun.set(c.file, text)
      const out = JSON.parse(text) as { results: Array<{ ok: boolean, result?: unknown, error?: { code: string, message: string }, gas: number }>, state: { n: number } }
      const [attack, ping] = out.results
      if (c.expect.startsWith('ok')) {
        expect(attack!.ok, JSON.stringify(attack)).toBe(true)
        const want = c.expect.slice(2).trim()
        if (want !== '*') expect(attack!.result).toEqual(JSON.parse(want))
      } else {
        expect(attack!.ok, JSON.stringify(attack)).toBe(false)
        expect(c.expect.split('|')).toContain(attack!.error!.code)
        expect(attack!.error!.message.length).toBeGreaterThan(0)
      }
      // the same contract still serves, on the state as it was before the attack
      expect(ping, JSON.stringify(ping)).toMatchObject({ ok: true, result: 2 })
      expect(out.state.n).toBe(2)
    })
  }

  it('gives identical output on a second run', async () => {
    // cases decided by the wall clock or the heap (watchdog, crash) are left out: they cost seconds each
    const again = cases.filter((c) => firstRun.has(c.file) && !c.expect.includes('|') && !c.expect.includes('WATCHDOG'))
    expect(again.length).toBeGreaterThan(30)
    for (const c of again) expect(await attackThenPing(c), c.file).toBe(firstRun.get(c.file))
  })
})
