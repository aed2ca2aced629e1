// Runs every command of the README's "Getting started" section, in order, as one shell script in a temporary
// directory: `npx betasco` and `npm start` go to this checkout's CLI, the ports of the page are
// swapped for free ones, `npm install` is skipped (the checkout is installed already), and the
// demo is bounded with --duration. Checks what the page says each step shows.
import { execFileSync, spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { CLI } from './processes.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>(resolve => s.close(() => resolve()))
  return port
}

/** The first (pretty-printed) JSON object in a text that starts with `prefix`. */
function firstJson (text: string, prefix: string): unknown {
  const start = text.indexOf(prefix)
  if (start < 0) throw new Error(`no ${JSON.stringify(prefix)} in the output`)
  for (let end = text.indexOf('\n}', start); end >= 0; end = text.indexOf('\n}', end + 1)) {
    try { return JSON.parse(text.slice(start, end + 2)) } catch { /* not the end yet */ }
  }
  throw new Error('unterminated JSON in the output')
}

/** The ```sh blocks of the page, in order. */
export function shellBlocks (markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map(m => m[1]!)
}

it('every command of the README\'s getting-started walkthrough works as it says', async () => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Getting started')
  const end = readme.indexOf('\n## ', start + 1)
  expect(start).toBeGreaterThan(0)
  const page = readme.slice(start, end < 0 ? undefined : end)
  let script = shellBlocks(page).join('\n')
  expect(script).toContain('npm start')
  for (const [from, to] of [['8081', await freePort()], ['8082', await freePort()], ['8083', await freePort()], ['4001', await freePort()], ['4002', await freePort()], ['4003', await freePort()]] as const) {
    script = script.replaceAll(`:${from}`, `:${to}`).replaceAll(`/${from}/`, `/${to}/`)
  }
  const dir = await mkdtemp(join(tmpdir(), 'betasco-getting-started-'))
  const bin = join(dir, '.bin')
  try {
    execFileSync('mkdir', ['-p', bin])
    // `npm start` runs bin/betasco.js on dist/ when it is built from the current sources (npm test builds it)
    const distDemo = join(REPO, 'dist', 'node-host', 'commands', 'demo.js')
    const built = existsSync(distDemo) && statSync(distDemo).mtimeMs >= statSync(join(REPO, 'node-host', 'commands', 'demo.ts')).mtimeMs
    const cli = built ? `"$NODE" "${join(REPO, 'bin', 'betasco.js')}"` : `"$NODE" "${CLI}"`
    // npx betasco → this checkout's CLI (exec, so that $! is the peer's own PID)
    await writeFile(join(bin, 'npx'), `#!/bin/sh\nif [ "$1" = betasco ]; then shift; exec "$NODE" "${CLI}" "$@"; fi\necho "unexpected npx $*" >&2; exit 2\n`)
    await writeFile(join(bin, 'npm'), `#!/bin/sh\ncase "$1" in\n  install) echo "(npm install: skipped, the checkout is installed)";;\n  start) exec ${cli} demo --duration 4 --nodes 4 --shard-size 3 --rate 5 --api 127.0.0.1:0;;\n  *) echo "unexpected npm $*" >&2; exit 2;;\nesac\n`)
    await chmod(join(bin, 'npx'), 0o755)
    await chmod(join(bin, 'npm'), 0o755)
    await writeFile(join(dir, 'walkthrough.sh'), `set -e\nset -o pipefail\n${script}\n`)
    const child = spawn('bash', [join(dir, 'walkthrough.sh')], { cwd: dir, env: { ...process.env, NODE: process.execPath, PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d })
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d })
    const timer = setTimeout(() => { process.kill(child.pid!, 'SIGKILL') }, 170_000)
    const code = await new Promise<number | null>(resolve => child.once('exit', (c) => resolve(c)))
    clearTimeout(timer)
    const logs = ['peer1.log', 'peer2.log', 'peer3.log'].map(f => existsSync(join(dir, f)) ? execFileSync('tail', ['-5', join(dir, f)]).toString() : '').join('\n')
    expect(code, `${out}\n${err}\n${logs}`).toBe(0)
    // 1. the demo showed live figures and stopped
    expect(out).toMatch(/^t=\d+s {2}TPS /m)
    expect(out).toMatch(/^summary: [1-9]\d* committed/m)
    // 2. the network and the peers
    expect(out).toMatch(/network [0-9a-f]{64} \(ed25519, 3 organizations\)/)
    expect(out).toMatch(/^peers \(2\):/m)
    // 3. check and exec of Votes.js
    const exec = firstJson(out, '{\n  "results"') as { results: Array<{ ok: boolean }>, state: unknown }
    expect(exec.results.map(r => r.ok)).toEqual([true, true, true, false, true])
    expect(exec.state).toEqual({ votes: { alice: 2, bob: 1 } })
    // 4. deploy and calls through different peers
    expect(out).toMatch(/^contract [0-9a-f]{64} deployed \(raft, 3 members/m)
    const lines = out.split('\n')
    const tally = lines.findIndex(l => l.startsWith('{"') && l.includes('"alice":1'))
    expect(tally, out).toBeGreaterThan(1)
    expect(JSON.parse(lines[tally]!)).toEqual({ alice: 1, bob: 1 })
    expect(lines.slice(tally - 2, tally)).toEqual(['1', '1'])
    expect(out).toMatch(/^tx [0-9a-f]{64}: committed$/m)
    expect(out).toMatch(/"consensus":"raft","shardSize":3/)
    expect(out).toMatch(/^betasco_txs_committed_total \d+$/m)
    // the peers were stopped cleanly
    expect(logs).not.toMatch(/ERROR/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}, 180_000)
