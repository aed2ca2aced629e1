// `betasco demo` (what `npm start` runs): live figures, then a clean stop with exit code 0,
// both after --duration and on SIGINT.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { CLI } from './processes.ts'

function startDemo (args: string[]): { pid: number, lines: string[], err: string[], exited: Promise<number | null>, waitFor: (re: RegExp, timeoutMs: number) => Promise<string> } {
  const child = spawn(process.execPath, [CLI, 'demo', '--api', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  const err: string[] = []
  let buf = ''
  const waiters: Array<{ re: RegExp, resolve: (l: string) => void }> = []
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d
    const parts = buf.split('\n')
    buf = parts.pop()!
    for (const l of parts) {
      lines.push(l)
      for (const w of [...waiters]) if (w.re.test(l)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(l) }
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err.push(d) })
  const exited = new Promise<number | null>(resolve => child.once('exit', (code) => resolve(code)))
  return {
    pid: child.pid!,
    lines,
    err,
    exited,
    waitFor: async (re, timeoutMs) => {
      const seen = lines.find(l => re.test(l))
      if (seen !== undefined) return seen
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${lines.slice(-10).join('\n')}\n${err.join('').slice(-2000)}`)), timeoutMs)
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l) } })
        void exited.then(() => { clearTimeout(timer); reject(new Error(`demo exited before ${re}: ${lines.slice(-10).join('\n')}\n${err.join('').slice(-2000)}`)) })
      })
    }
  }
}

describe('betasco demo', () => {
  it('with --duration, shows live figures of committed load and exits 0 after a clean stop', async () => {
    const demo = startDemo(['--nodes', '4', '--shard-size', '3', '--rate', '10', '--duration', '8', '--json'])
    try {
      const code = await demo.exited
      expect(code, demo.err.join('')).toBe(0)
      const events = demo.lines.filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, any>)
      const figures = events.filter(e => e.event === 'figures')
      expect(figures.length).toBeGreaterThanOrEqual(5)
      for (const key of ['tps', 'p50Ms', 'p90Ms', 'p99Ms', 'blocks', 'asyncCallsPending', 'committed']) expect(figures[0]).toHaveProperty(key)
      const ready = events.find(e => e.event === 'ready')!
      expect(ready.peers).toHaveLength(4)
      expect(ready.shards.MainService).toMatch(/^[0-9a-f]{64}$/)
      const summary = events.find(e => e.event === 'summary')!
      expect(summary.committed).toBeGreaterThan(0)
      expect(summary.blocks.MainService).toBeGreaterThan(0)
      expect(summary.blocks.Logger).toBeGreaterThan(0)
      expect(summary.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    } finally {
      try { process.kill(demo.pid, 'SIGKILL') } catch {}
    }
  }, 120_000)

  it('with the defaults of npm start (6 peers, shards of 4), shows live figures within 60 s and stops cleanly on SIGINT with exit code 0', async () => {
    const demo = startDemo([])
    try {
      const line = await demo.waitFor(/^t=\d+s {2}TPS /, 60_000)
      expect(demo.lines.some(l => /^betasco demo: 6 peers, shards of 4 \(raft\)/.test(l))).toBe(true)
      expect(demo.lines.some(l => /^web app: /.test(l))).toBe(true)
      expect(line).toMatch(/committed \d+/)
      await demo.waitFor(/^t=\d+s .* committed [1-9]/, 60_000) // the load commits
      process.kill(demo.pid, 'SIGINT')
      expect(await demo.exited, demo.err.join('')).toBe(0)
      expect(demo.lines.some(l => l.startsWith('stopping (SIGINT)'))).toBe(true)
      expect(demo.lines.at(-1)).toBe('stopped')
    } finally {
      try { process.kill(demo.pid, 'SIGKILL') } catch {}
    }
  }, 120_000)
})
