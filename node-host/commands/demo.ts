// `betasco demo` / `npm start`: the one-command local network (DESIGN §7, issue 7). N peers in
// this process, each a full host with its own ledger and API, the paper's MainService and
// Logger deployed and linked, a steady bounded-rate load through the peers' APIs, and live
// figures every second until Ctrl-C (or --duration), then a clean stop with exit code 0.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readFile } from 'node:fs/promises'
import { BetascoError } from '../../src/core/errors.ts'
import { caToJson, createNetwork, genesisToJson, identityToJson } from '../../src/crypto/index.ts'
import { BetascoClient } from '../../src/client/index.ts'
import type { Command, CommandIO } from '../cli.ts'
import type { ParsedArgs } from '../args.ts'
import { parseHostPort } from '../config.ts'
import { startHost, type PeerHost } from '../host.ts'
import { createLogger } from '../log.ts'
import { packageRoot, webAppBuilt, webAppDir } from '../web.ts'

const DEMO_PARAMS = { tickMs: 20, electionTicks: 10, heartbeatTicks: 2, viewChangeTicks: 50, maxTxsPerBlock: 200 }
const MAX_IN_FLIGHT_MIN = 8
const WINDOW_MS = 10_000

function intOption (args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = args.options.get(name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min || n > max || (name !== 'rate' && !Number.isInteger(n))) throw new BetascoError('BAD_ARGUMENT', `--${name} must be ${name === 'rate' ? 'a number' : 'an integer'} from ${min} to ${max}, got "${raw}"`)
  return n
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

interface Sample { atMs: number, latencyMs: number, ok: boolean }

/** Figures of the load: completions with their latencies, kept over a sliding window. */
class LoadStats {
  samples: Sample[] = []
  committed = 0
  failed = 0
  errors = 0
  inFlight = 0
  submitted = 0
  lastError = ''

  record (latencyMs: number, ok: boolean): void {
    const now = Date.now()
    this.samples.push({ atMs: now, latencyMs, ok })
    if (ok) this.committed++; else this.failed++
    while (this.samples.length > 0 && this.samples[0]!.atMs < now - WINDOW_MS) this.samples.shift()
  }

  tps (overMs = 1000): number {
    const since = Date.now() - overMs
    return this.samples.filter(s => s.atMs >= since).length / (overMs / 1000)
  }

  latencies (): number[] {
    return this.samples.map(s => s.latencyMs).sort((a, b) => a - b)
  }
}

async function writeNetworkFiles (dir: string, material: Awaited<ReturnType<typeof createNetwork>>): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'genesis.json'), JSON.stringify(genesisToJson(material.genesis), null, 2) + '\n')
  for (const ca of material.cas) await writeFile(join(dir, `${ca.org}-ca.json`), JSON.stringify(caToJson(ca), null, 2) + '\n', { mode: 0o600 })
  for (const id of material.identities) await writeFile(join(dir, `${id.name}.json`), JSON.stringify(identityToJson(id), null, 2) + '\n', { mode: 0o600 })
}

/** Resolves on SIGINT/SIGTERM, on cancel(), or `arm(ms)` after the given time. */
function untilStop (): { done: Promise<string>, cancel: () => void, arm: (ms: number) => void } {
  let finish: (why: string) => void = () => {}
  let timer: ReturnType<typeof setTimeout> | undefined
  const done = new Promise<string>(resolve => {
    const onSig = (sig: string): void => finish(sig)
    finish = (why: string): void => {
      if (timer !== undefined) clearTimeout(timer)
      process.off('SIGINT', onSig)
      process.off('SIGTERM', onSig)
      process.once('SIGINT', () => process.exit(130))
      resolve(why)
    }
    process.on('SIGINT', onSig)
    process.on('SIGTERM', onSig)
  })
  return { done, cancel: () => finish('cancelled'), arm: (ms) => { if (ms > 0) timer = setTimeout(() => finish('duration'), ms) } }
}

export const demoCommands: Command[] = [
  {
    path: ['demo'],
    summary: 'start a local network with the paper\'s MainService and Logger under load, with live figures',
    usage: [
      'betasco demo [--nodes N] [--shard-size K] [--consensus raft|pbft] [--rate TPS] [--duration S]',
      '             [--data DIR] [--api HOST:PORT] [--json]',
      '',
      '  --nodes N         peers in this process (default 6), in 3 organizations',
      '  --shard-size K    members of each contract\'s shard (default 4)',
      '  --consensus C     raft (default) or pbft',
      '  --rate TPS        MainService.call transactions per second offered (default 20)',
      '  --duration S      stop after S seconds of load (default: run until Ctrl-C)',
      '  --data DIR        keep the network files and LevelDB ledgers here (default: a temporary',
      '                    directory, removed at the end)',
      '  --api HOST:PORT   API of the first peer (default 127.0.0.1:8080, or a free port if taken);',
      '                    the web app is served there when built',
      '  --json            one JSON line of figures per second and a JSON summary at the end',
    ].join('\n'),
    valueOptions: ['nodes', 'shard-size', 'consensus', 'rate', 'duration', 'data', 'api'],
    run: async (args, io) => await runDemo(args, io)
  },
]

async function runDemo (args: ParsedArgs, io: CommandIO): Promise<number> {
  const nodes = intOption(args, 'nodes', 6, 1, 32)
  const k = intOption(args, 'shard-size', Math.min(4, nodes), 1, nodes)
  const consensus = args.options.get('consensus') ?? (k === 1 ? 'solo' : 'raft')
  if (consensus !== 'raft' && consensus !== 'pbft' && consensus !== 'solo') throw new BetascoError('BAD_ARGUMENT', `--consensus must be raft or pbft, got "${consensus}"`)
  if (consensus === 'solo' && k !== 1) throw new BetascoError('BAD_ARGUMENT', 'solo ordering is for --shard-size 1')
  const rate = intOption(args, 'rate', 20, 0.1, 5000)
  const durationS = intOption(args, 'duration', 0, 0, 86_400)
  const json = args.flags.has('json')
  const api = parseHostPort(args.options.get('api') ?? '127.0.0.1:8080')
  const started = Date.now()
  const say = (line: string): void => { if (!json) io.out(line) }
  const stop = untilStop()
  let stopping = false
  void stop.done.then(() => { stopping = true })

  const keep = args.options.get('data') !== undefined
  const dataDir = keep ? resolve(args.options.get('data')!) : await mkdtemp(join(tmpdir(), 'betasco-demo-'))
  const hosts: PeerHost[] = []
  const logger = createLogger({ level: 'warn', write: (l) => io.err(l) })
  try {
    say(`betasco demo: ${nodes} peers, shards of ${k} (${consensus}), ${rate} tx/s offered; data in ${dataDir}${keep ? '' : ' (temporary)'}`)
    const orgs = ['org1', 'org2', 'org3']
    const material = await createNetwork({ name: 'demo', orgs, scheme: 'ed25519', nodesPerOrg: Math.ceil(nodes / orgs.length), usersPerOrg: 1, validityDays: 30, nowMs: Date.now() })
    await writeNetworkFiles(join(dataDir, 'network'), material)
    const nodeIds = material.identities.filter(i => i.kind === 'node')
    // interleave organizations so that any prefix of the peers spans them
    const ordered = Array.from({ length: Math.ceil(nodes / orgs.length) }, (_, i) => orgs.map(o => nodeIds.filter(n => n.org === o)[i])).flat().filter(x => x !== undefined).slice(0, nodes)
    const user = material.identities.find(i => i.kind === 'user')!
    for (const [i, identity] of ordered.entries()) {
      if (stopping) break
      let host: PeerHost
      const common = { genesis: material.genesis, identity, dataDir: join(dataDir, 'ledger', identity.name), params: DEMO_PARAMS, logger, webDir: webAppDir(), bootstrap: i === 0 ? [] : [hosts[0]!.multiaddrs()[0]!] }
      try {
        // the first peer is the tabs' way in: a relay serving the web app, its config and enrollment
        const entry = i === 0 ? { relay: true, web: { cas: material.cas, iceServers: [] } } : {}
        host = await startHost({ ...common, ...entry, api: i === 0 ? api : { host: api.host, port: 0 } })
      } catch (err) {
        if (i !== 0 || args.options.get('api') !== undefined) throw err
        host = await startHost({ ...common, relay: true, web: { cas: material.cas, iceServers: [] }, api: { host: api.host, port: 0 } }) // 8080 taken: any free port
      }
      hosts.push(host)
      say(`  peer ${i + 1}/${nodes} ${identity.name} ${host.peerId.slice(0, 16)}… api ${host.apiUrl}`)
    }
    if (stopping || hosts.length === 0) { say('stopped during start-up'); return 0 }
    const first = hosts[0]!
    // everyone connected to everyone (bounded wait)
    for (let i = 0; i < 150 && hosts.some(h => h.node.peers().size < nodes - 1); i++) {
      if (i % 10 === 9) say(`  connecting peers… ${hosts.map(h => h.node.peers().size).join(',')} of ${nodes - 1}`)
      for (const h of hosts.slice(1)) if (h.node.peers().size < nodes - 1) await h.peer.connect(first.multiaddrs()[0]!).catch(() => {})
      await new Promise(r => setTimeout(r, 200))
    }
    const clients = hosts.map(h => new BetascoClient({ url: h.apiUrl!, identity: user }))
    const root = packageRoot()
    const loggerCode = await readFile(join(root, 'examples', 'contracts', 'Logger.js'), 'utf8')
    const mainCode = await readFile(join(root, 'examples', 'contracts', 'MainService.js'), 'utf8')
    const progress = (what: string) => (ms: number): void => { say(`  ${what}… ${Math.round(ms / 1000)} s`) }
    say('deploying Logger and MainService (the paper\'s Figure 10)…')
    const loggerTx = await clients[0]!.deploy(loggerCode, { shardSize: k, consensus, onProgress: progress('Logger') })
    if (loggerTx.status !== 'committed') throw new BetascoError('INTERNAL', `Logger deploy failed: ${loggerTx.error?.message}`)
    const mainTx = await clients[1 % clients.length]!.deploy(mainCode, { shardSize: k, consensus, onProgress: progress('MainService') })
    if (mainTx.status !== 'committed') throw new BetascoError('INTERNAL', `MainService deploy failed: ${mainTx.error?.message}`)
    const reg = await clients[2 % clients.length]!.call(mainTx.contract, 'registerLogger', loggerTx.contract, { onProgress: progress('registerLogger') })
    if (reg.status !== 'committed') throw new BetascoError('INTERNAL', `registerLogger failed: ${reg.error?.message}`)
    if (stopping) { say('stopped during start-up'); return 0 }
    const shards = { MainService: mainTx.contract, Logger: loggerTx.contract }
    say(`  Logger      ${shards.Logger}`)
    say(`  MainService ${shards.MainService} (logger registered)`)
    const webUrl = `${first.apiUrl}/`
    say(webAppBuilt()
      ? `web app: open ${webUrl} to run a node in a browser tab on this network`
      : `web app: not built (dist/web is missing; build it with \`npx vite build\`); the API is at ${first.apiUrl}/v1/status`)
    say(`try: betasco call ${shards.MainService} get --api ${first.apiUrl} --identity ${join(dataDir, 'network', user.name + '.json')}`)
    say(`driving ${rate} tx/s of MainService.call; live figures every second (Ctrl-C to stop)`)
    if (json) io.out(JSON.stringify({ event: 'ready', api: first.apiUrl, webUrl, webBuilt: webAppBuilt(), shards, network: join(dataDir, 'network'), peers: hosts.map(h => ({ peerId: h.peerId, api: h.apiUrl })) }))

    // ── load ───────────────────────────────────────────────────────────────────────────────
    const stats = new LoadStats()
    // about one second of offered load outstanding: more only queues (and latency is queueing)
    const maxInFlight = Math.max(MAX_IN_FLIGHT_MIN, Math.ceil(rate))
    let next = 0
    let running = true
    const intervalMs = Math.max(5, 1000 / rate)
    let credit = 0
    let lastTick = Date.now()
    const loadTimer = setInterval(() => {
      const now = Date.now()
      credit = Math.min(credit + (now - lastTick) / 1000 * rate, rate) // at most one second of backlog
      lastTick = now
      while (running && credit >= 1 && stats.inFlight < maxInFlight) {
        credit--
        const c = clients[next++ % clients.length]!
        const t0 = performance.now()
        stats.inFlight++
        stats.submitted++
        c.call(shards.MainService, 'call', null, { timeoutMs: 30_000 })
          .then(s => stats.record(performance.now() - t0, s.status === 'committed'))
          .catch((err: unknown) => { stats.errors++; stats.lastError = (err as Error).message })
          .finally(() => { stats.inFlight-- })
      }
    }, intervalMs)

    const memberOf = (shard: string): PeerHost | undefined => hosts.find(h => h.node.shardStatus(shard) !== undefined)
    const figures = (): Record<string, unknown> => {
      const lat = stats.latencies()
      const main = memberOf(shards.MainService)
      const log = memberOf(shards.Logger)
      const count = Number((JSON.parse(main?.node.contractState(shards.MainService) ?? '{}') as { count?: number }).count ?? 0)
      const logs = ((JSON.parse(log?.node.contractState(shards.Logger) ?? '{}') as { logs?: unknown[] }).logs ?? []).length
      return {
        t: Math.round((Date.now() - started) / 1000),
        tps: Number(stats.tps().toFixed(1)),
        tps10s: Number(stats.tps(WINDOW_MS).toFixed(1)),
        committed: stats.committed,
        failed: stats.failed,
        errors: stats.errors,
        inFlight: stats.inFlight,
        p50Ms: Math.round(percentile(lat, 0.5)),
        p90Ms: Math.round(percentile(lat, 0.9)),
        p99Ms: Math.round(percentile(lat, 0.99)),
        blocks: { MainService: main?.node.shardStatus(shards.MainService)?.height ?? null, Logger: log?.node.shardStatus(shards.Logger)?.height ?? null },
        asyncCallsPending: Math.max(0, count - logs),
        peers: hosts.length,
      }
    }
    const tty = process.stdout.isTTY === true && !json
    let shown = 0
    const show = (): void => {
      const f = figures()
      const b = f.blocks as { MainService: number | null, Logger: number | null }
      if (json) { io.out(JSON.stringify({ event: 'figures', ...f })); return }
      const lines = [
        `t=${f.t}s  TPS ${f.tps} (10 s avg ${f.tps10s})  committed ${f.committed}  failed ${f.failed}  errors ${f.errors}  in flight ${f.inFlight}`,
        `  latency p50 ${f.p50Ms} ms  p90 ${f.p90Ms} ms  p99 ${f.p99Ms} ms   blocks: MainService ${b.MainService ?? '-'}  Logger ${b.Logger ?? '-'}   async calls pending ${f.asyncCallsPending}`,
      ]
      if (tty && shown > 0) process.stdout.write('\x1b[2A\x1b[J')
      for (const l of lines) io.out(l)
      shown++
    }
    const showTimer = setInterval(show, 1000)
    stop.arm(durationS * 1000)
    const why = await stop.done
    running = false
    clearInterval(loadTimer)
    clearInterval(showTimer)
    say(`stopping (${why}): waiting for ${stats.inFlight} transactions in flight…`)
    for (let i = 0; i < 50 && stats.inFlight > 0; i++) await new Promise(r => setTimeout(r, 100))
    const f = figures()
    if (json) io.out(JSON.stringify({ event: 'summary', ...f, submitted: stats.submitted, webUrl, shards }))
    else {
      show()
      say(`summary: ${stats.committed} committed, ${stats.failed} failed, ${stats.errors} errors of ${stats.submitted} submitted in ${f.t} s${stats.lastError !== '' ? ` (last error: ${stats.lastError})` : ''}`)
    }
  } catch (err) {
    stop.cancel()
    throw err
  } finally {
    for (const h of hosts.reverse()) await h.close().catch(() => {})
    if (!keep) await rm(dataDir, { recursive: true, force: true }).catch(() => {})
    say('stopped')
  }
  setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref()
  return 0
}
