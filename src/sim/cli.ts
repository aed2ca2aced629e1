// `npm run sim`: runs the seeded fault simulator over many seeds for Raft and/or PBFT, prints
// progress and a summary with the count of every injected fault class, and on an invariant
// violation prints the seed, the invariant, a short trace and the command that reproduces it,
// then exits 1. Bad arguments exit 2.
import { parseArgs } from 'node:util'
import { cpus } from 'node:os'
import { pathToFileURL } from 'node:url'
import { runCampaignParallel, type CampaignSummary } from './campaign.ts'
import { FAULT_CLASSES, type FaultRates } from './faults.ts'
import { REGRESSION_SEEDS } from './regressions.ts'
import { runSimulation, type SimOptions, type SimResult } from './simulation.ts'

const USAGE = `Usage: npm run sim -- [options]

  --consensus raft|pbft|both   algorithm(s) to simulate (default both)
  --seeds N                    seeds per algorithm (default 200)
  --seed-base S                first seed (default: derived from the clock, printed; use it to reproduce)
  --nodes N                    shard size (default: 3-5 for raft, 4-7 for pbft, chosen by the seed)
  --txs N                      transactions per run (default 15-39, chosen by the seed)
  --byzantine N                pbft only: Byzantine members (default f = floor((n-1)/3))
  --no-faults                  no network faults, crashes or partitions (Byzantine members stay unless --byzantine 0)
  --drop P --duplicate P --reorder P --delay P --malformed P --replay P --partition P --crash P
                               fault rates (probabilities; partition and crash per 100 virtual ms)
  --heal-at MS                 virtual time when faults stop (default 1500-3000, chosen by the seed)
  --liveness-bound MS          every transaction must commit this long after faults stop (default raft 8000, pbft 20000)
  --trace N                    trace lines printed on a violation (default 30)
  --jobs N                     worker threads (default 1; results stay in seed order)
  --keep-going                 run every seed even after a violation
  --regressions                run the regression seeds (src/sim/regressions.ts) instead
  --json                       print the summary as JSON
  -h, --help                   this help`

const RATE_KEYS = ['drop', 'duplicate', 'reorder', 'delay', 'malformed', 'replay', 'partition', 'crash'] as const

class UsageError extends Error {}

function intOption (v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${v}"`)
  return n
}

function rateOption (v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name}: expected a probability from 0 to 1, got "${v}"`)
  return n
}

interface CliPlan {
  algorithms: ('raft' | 'pbft')[]
  seeds: number
  seedBase: number
  baseOptions: Omit<SimOptions, 'seed' | 'consensus'>
  /** Options to append to a reproduction command. */
  reproArgs: string[]
  keepGoing: boolean
  jobs: number
  regressions: boolean
  json: boolean
  traceLength: number
}

function plan (argv: string[]): CliPlan | 'help' {
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      consensus: { type: 'string' }, seeds: { type: 'string' }, 'seed-base': { type: 'string' }, nodes: { type: 'string' },
      txs: { type: 'string' }, byzantine: { type: 'string' }, 'no-faults': { type: 'boolean' }, 'heal-at': { type: 'string' },
      'liveness-bound': { type: 'string' }, jobs: { type: 'string' }, trace: { type: 'string' }, 'keep-going': { type: 'boolean' }, regressions: { type: 'boolean' }, json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(RATE_KEYS.map((k) => [k, { type: 'string' as const }])),
    },
  })
  const values = parsed as Record<string, string | boolean | undefined>
  if (values.help === true) return 'help'
  const consensus = (values.consensus as string | undefined) ?? 'both'
  if (!['raft', 'pbft', 'both'].includes(consensus)) throw new UsageError(`--consensus: expected raft, pbft or both, got "${consensus}"`)
  const algorithms: ('raft' | 'pbft')[] = consensus === 'both' ? ['raft', 'pbft'] : [consensus as 'raft' | 'pbft']
  const nodes = intOption(values.nodes as string | undefined, 'nodes', 1, 64)
  const byzantine = intOption(values.byzantine as string | undefined, 'byzantine', 0, 64)
  if (byzantine !== undefined && byzantine > 0 && !algorithms.includes('pbft')) throw new UsageError('--byzantine: only PBFT tolerates Byzantine members; use --consensus pbft')
  if (nodes !== undefined && algorithms.includes('pbft') && nodes < 4 && byzantine === undefined) {
    // n < 4 gives f = 0: allowed, but say so, since nothing Byzantine will happen.
    process.stderr.write(`note: with --nodes ${nodes}, PBFT tolerates no Byzantine member (f = 0)\n`)
  }
  const rates: Partial<FaultRates> = {}
  if (values['no-faults'] === true) for (const k of RATE_KEYS) rates[k] = 0
  for (const k of RATE_KEYS) {
    const r = rateOption(values[k] as string | undefined, k)
    if (r !== undefined) rates[k] = r
  }
  const txs = intOption(values.txs as string | undefined, 'txs', 1, 100_000)
  const healAtMs = intOption(values['heal-at'] as string | undefined, 'heal-at', 0, 10_000_000)
  const livenessBoundMs = intOption(values['liveness-bound'] as string | undefined, 'liveness-bound', 0, 10_000_000)
  const traceLength = intOption(values.trace as string | undefined, 'trace', 0, 10_000) ?? 30
  const seeds = intOption(values.seeds as string | undefined, 'seeds', 1, 100_000_000) ?? 200
  const seedBase = intOption(values['seed-base'] as string | undefined, 'seed-base', 0, 2 ** 32 - 1) ?? (Date.now() * 7919) % 2 ** 31
  const reproArgs: string[] = []
  for (const name of ['nodes', 'txs', 'byzantine', 'heal-at', 'liveness-bound', ...RATE_KEYS] as const) {
    const v = values[name] as string | undefined
    if (v !== undefined) reproArgs.push(`--${name} ${v}`)
  }
  if (values['no-faults'] === true) reproArgs.unshift('--no-faults')
  const baseOptions: Omit<SimOptions, 'seed' | 'consensus'> = { rates, traceLength }
  if (nodes !== undefined) baseOptions.nodes = nodes
  if (txs !== undefined) baseOptions.txs = txs
  if (byzantine !== undefined) baseOptions.byzantine = byzantine
  if (healAtMs !== undefined) baseOptions.healAtMs = healAtMs
  if (livenessBoundMs !== undefined) baseOptions.livenessBoundMs = livenessBoundMs
  return {
    algorithms, seeds, seedBase, baseOptions, reproArgs, traceLength,
    jobs: intOption(values.jobs as string | undefined, 'jobs', 1, 64) ?? 1,
    keepGoing: values['keep-going'] === true, regressions: values.regressions === true, json: values.json === true,
  }
}

function repro (r: SimResult, extra: string[]): string {
  return [`npm run sim -- --consensus ${r.consensus} --seeds 1 --seed-base ${r.seed}`, ...extra].join(' ')
}

function printViolation (r: SimResult, extra: string[], out: (s: string) => void): void {
  const v = r.violation!
  out('')
  out(`VIOLATION  consensus=${r.consensus} seed=${r.seed} nodes=${r.nodes} byzantine=${r.byzantine}`)
  out(`  invariant: ${v.invariant}${v.node === undefined ? '' : ` (at ${v.node})`}`)
  out(`  ${v.message.split('\n').slice(0, 6).join('\n  ')}`)
  out(`  last ${r.trace.length} events (virtual ms):`)
  for (const line of r.trace) out(`    ${line}`)
  out(`  reproduce: ${repro(r, extra)}`)
  out('')
}

function printSummary (s: CampaignSummary, seedBase: number, out: (line: string) => void): void {
  const secs = s.realMs / 1000
  out(`${s.consensus}: ${s.passed}/${s.seeds} seeds passed (seeds ${seedBase}..${seedBase + s.seeds - 1}), ${s.failed.length} violation(s)`)
  out(`  ordered ${s.blocks} blocks, ${s.txsCommitted} transactions in ${(s.virtualMs / 1000).toFixed(1)} s virtual, ${secs.toFixed(1)} s real, ${s.steps} steps`)
  out(`  faults injected: ${FAULT_CLASSES.map((c) => `${c}=${s.faults[c]}`).join(' ')}`)
  const o = s.observed
  out(`  seen by honest members: malformed=${o.malformed} forged=${o.forged} view-changes=${o.viewChanges} leader-changes=${o.elections} blocks-fetched=${o.blocksFetched} config-switches=${o.switches}`)
  const quiet = FAULT_CLASSES.filter((c) => s.faults[c] === 0 && (s.consensus === 'pbft' || !['equivocate', 'forge', 'silent'].includes(c)))
  if (quiet.length > 0 && s.seeds >= 20) out(`  note: no ${quiet.join(', ')} injected in this run`)
}

export async function main (argv: string[], out = (l: string): void => { process.stdout.write(l + '\n') }, err = (l: string): void => { process.stderr.write(l + '\n') }): Promise<number> {
  let p: CliPlan | 'help'
  try {
    p = plan(argv)
  } catch (e) {
    err(`sim: ${(e as Error).message}`)
    err('(npm run sim -- --help for the options)')
    return 2
  }
  if (p === 'help') { out(USAGE); return 0 }
  const { algorithms, seeds, seedBase, baseOptions, reproArgs } = p
  const log = p.json ? err : out
  log(`betasco sim: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}`)
  let failed = 0
  if (p.regressions) {
    for (const reg of REGRESSION_SEEDS) {
      const r = runSimulation({ ...baseOptions, consensus: reg.consensus, seed: reg.seed })
      log(`${r.ok ? 'ok  ' : 'FAIL'} ${reg.consensus} seed ${reg.seed}: ${reg.bug}`)
      if (!r.ok) { failed++; printViolation(r, reproArgs, log) }
    }
    log(`${REGRESSION_SEEDS.length - failed}/${REGRESSION_SEEDS.length} regression seeds passed`)
    return failed > 0 ? 1 : 0
  }
  log(`seeds ${seedBase}..${seedBase + seeds - 1} for ${algorithms.join(' and ')}${p.jobs > 1 ? ` on ${p.jobs} threads` : ''}${reproArgs.length > 0 ? `, options ${reproArgs.join(' ')}` : ''}`)
  const summaries: CampaignSummary[] = []
  for (const consensus of algorithms) {
    let lastReport = performance.now()
    const every = Math.max(1, Math.floor(seeds / 10))
    const s = await runCampaignParallel({ ...baseOptions, consensus }, seedBase, seeds, p.jobs, (r, sum) => {
      if (!r.ok) printViolation(r, reproArgs, log)
      const now = performance.now()
      if (sum.seeds % every === 0 || now - lastReport > 10_000) {
        lastReport = now
        log(`  ${consensus}: ${sum.seeds}/${seeds} seeds, ${sum.failed.length} violation(s), ${(sum.realMs / 1000).toFixed(1)} s`)
      }
      return r.ok || p.keepGoing
    })
    summaries.push(s)
    failed += s.failed.length
    if (failed > 0 && !p.keepGoing) break
  }
  log('')
  for (const s of summaries) printSummary(s, seedBase, log)
  if (p.json) {
    out(JSON.stringify({
      seedBase,
      summaries: summaries.map((s) => ({ ...s, failed: s.failed.map((r) => ({ seed: r.seed, violation: r.violation, repro: repro(r, reproArgs) })) })),
    }, null, 2))
  }
  if (failed > 0) {
    log(`FAILED: ${failed} seed(s) violated an invariant; the reproduce lines above re-run them`)
    return 1
  }
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2))
