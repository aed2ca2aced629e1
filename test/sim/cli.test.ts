import { describe, expect, it } from 'vitest'
import { main } from '../../src/sim/cli.ts'

function run (argv: string[]): { code: number, out: string, err: string } {
  const out: string[] = []
  const err: string[] = []
  const code = main(argv, (l) => out.push(l), (l) => err.push(l))
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('npm run sim', () => {
  it('runs seeds of both algorithms and prints per-class fault counts', () => {
    const r = run(['--seeds', '2', '--seed-base', '10'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/raft: 2\/2 seeds passed \(seeds 10\.\.11\)/)
    expect(r.out).toMatch(/pbft: 2\/2 seeds passed/)
    expect(r.out).toMatch(/faults injected: drop=\d+ duplicate=\d+/)
  })

  it('exits 1 on a violation and prints the seed, the invariant, a trace and the reproducing command', () => {
    const r = run(['--consensus', 'raft', '--seeds', '3', '--seed-base', '1', '--heal-at', '300', '--liveness-bound', '0', '--trace', '4'])
    expect(r.code).toBe(1)
    expect(r.out).toContain('VIOLATION  consensus=raft seed=1')
    expect(r.out).toContain('invariant: liveness')
    expect(r.out).toContain('reproduce: npm run sim -- --consensus raft --seeds 1 --seed-base 1 --heal-at 300 --liveness-bound 0')
    expect(r.out).toMatch(/t=\d+ /)
  })

  it('exits 2 with a clear message on bad arguments', () => {
    expect(run(['--consensus', 'paxos'])).toMatchObject({ code: 2, err: expect.stringContaining('--consensus: expected raft, pbft or both') })
    expect(run(['--seeds', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--seeds') })
    expect(run(['--drop', '2'])).toMatchObject({ code: 2, err: expect.stringContaining('probability') })
    expect(run(['--consensus', 'raft', '--byzantine', '1'])).toMatchObject({ code: 2, err: expect.stringContaining('only PBFT') })
    expect(run(['--what']).code).toBe(2)
  })

  it('prints JSON on request and runs the regression seeds', () => {
    const j = run(['--consensus', 'pbft', '--seeds', '1', '--seed-base', '3', '--json'])
    expect(j.code).toBe(0)
    expect(JSON.parse(j.out)).toMatchObject({ seedBase: 3, summaries: [{ consensus: 'pbft', seeds: 1, passed: 1 }] })
    const reg = run(['--regressions'])
    expect(reg.code).toBe(0)
    expect(reg.out).toMatch(/regression seeds passed/)
  })
})
