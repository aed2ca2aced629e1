import { describe, expect, it } from 'vitest'
import { main } from '../../src/sim/cli.ts'

async function run (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l))
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('npm run sim', async () => {
  it('runs seeds of both algorithms and prints per-class fault counts', async () => {
    const r = await run(['--seeds', '2', '--seed-base', '10'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/raft: 2\/2 seeds passed \(seeds 10\.\.11\)/)
    expect(r.out).toMatch(/pbft: 2\/2 seeds passed/)
    expect(r.out).toMatch(/faults injected: drop=\d+ duplicate=\d+/)
  })

  it('exits 1 on a violation and prints the seed, the invariant, a trace and the reproducing command', async () => {
    const r = await run(['--consensus', 'raft', '--seeds', '3', '--seed-base', '1', '--heal-at', '300', '--liveness-bound', '0', '--trace', '4'])
    expect(r.code).toBe(1)
    expect(r.out).toContain('VIOLATION  consensus=raft seed=1')
    expect(r.out).toContain('invariant: liveness')
    expect(r.out).toContain('reproduce: npm run sim -- --consensus raft --seeds 1 --seed-base 1 --heal-at 300 --liveness-bound 0')
    expect(r.out).toMatch(/t=\d+ /)
  })

  it('exits 2 with a clear message on bad arguments', async () => {
    expect(await run(['--consensus', 'paxos'])).toMatchObject({ code: 2, err: expect.stringContaining('--consensus: expected raft, pbft or both') })
    expect(await run(['--seeds', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--seeds') })
    expect(await run(['--drop', '2'])).toMatchObject({ code: 2, err: expect.stringContaining('probability') })
    expect(await run(['--consensus', 'raft', '--byzantine', '1'])).toMatchObject({ code: 2, err: expect.stringContaining('only PBFT') })
    expect((await run(['--what'])).code).toBe(2)
  })

  it('prints JSON on request and runs the regression seeds', async () => {
    const j = await run(['--consensus', 'pbft', '--seeds', '1', '--seed-base', '3', '--json'])
    expect(j.code).toBe(0)
    expect(JSON.parse(j.out)).toMatchObject({ seedBase: 3, summaries: [{ consensus: 'pbft', seeds: 1, passed: 1 }] })
    const reg = await run(['--regressions'])
    expect(reg.code).toBe(0)
    expect(reg.out).toMatch(/regression seeds passed/)
  })

  it('gives the same results on several worker threads, in seed order', async () => {
    const one = await run(['--consensus', 'raft', '--seeds', '6', '--seed-base', '40', '--json'])
    const two = await run(['--consensus', 'raft', '--seeds', '6', '--seed-base', '40', '--json', '--jobs', '2'])
    expect(two.code).toBe(0)
    const strip = (o: string): unknown => JSON.parse(o).summaries.map((x: Record<string, unknown>) => ({ ...x, realMs: 0 }))
    expect(strip(two.out)).toEqual(strip(one.out))
    const bad = await run(['--consensus', 'raft', '--seeds', '4', '--seed-base', '1', '--heal-at', '300', '--liveness-bound', '0', '--jobs', '2'])
    expect(bad.code).toBe(1)
    expect(bad.out).toContain('VIOLATION  consensus=raft seed=1')
  })
})
