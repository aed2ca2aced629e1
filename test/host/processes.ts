// Real `betasco` processes for the end-to-end tests: each peer is a child process started with
// the CLI and stopped by its PID; the tests talk to them only through the CLI and the API.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../../node-host/main.ts', import.meta.url))

export interface PeerProcess {
  child: ChildProcess
  pid: number
  started: { peerId: string, multiaddrs: string[], api: string, name: string }
  stderr: string[]
  exited: Promise<number | null>
}

/** Starts `betasco start ... --json` and resolves with its started line (or rejects with its stderr). */
export async function startPeer (args: string[], timeoutMs = 40_000): Promise<PeerProcess> {
  const child = spawn(process.execPath, [CLI, 'start', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const stderr: string[] = []
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr.push(...d.split('\n').filter(l => l !== '')); if (stderr.length > 2000) stderr.splice(0, 1000) })
  const exited = new Promise<number | null>(resolve => child.once('exit', (code) => resolve(code)))
  const started = await new Promise<PeerProcess['started']>((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => { reject(new Error(`peer did not start within ${timeoutMs} ms: ${stderr.slice(-5).join(' | ')}`)) }, timeoutMs)
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      const line = buf.split('\n').find(l => l.startsWith('{'))
      if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line)) }
    })
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`betasco start exited with ${code}: ${stderr.slice(-5).join(' | ')}`)) })
  })
  return { child, pid: child.pid!, started, stderr, exited }
}

/** Runs one CLI command to its end. */
export async function run (args: string[], timeoutMs = 90_000): Promise<{ code: number | null, out: string, err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d })
  const timer = setTimeout(() => { process.kill(child.pid!, 'SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => child.once('exit', (c) => resolve(c)))
  clearTimeout(timer)
  return { code, out, err }
}

/** Stops a peer by its PID (SIGTERM, then SIGKILL after a grace period); resolves with its exit code. */
export async function stopPeer (p: PeerProcess, graceMs = 15_000): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode
  process.kill(p.pid, 'SIGTERM')
  const timer = setTimeout(() => { try { process.kill(p.pid, 'SIGKILL') } catch {} }, graceMs)
  const code = await p.exited
  clearTimeout(timer)
  return code
}

export async function getJson (url: string): Promise<any> {
  const res = await fetch(url)
  return await res.json()
}

/** Polls until check returns a value other than undefined; bounded in time. */
export async function until<T> (what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) { last = err }
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out waiting for ${what}${last !== undefined ? `: ${(last as Error).message}` : ''}`)
}
