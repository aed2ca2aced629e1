// `betasco contract ...` commands: the contract developer's local loop (DESIGN §7). Both run the
// contract in a contract worker — the same SES sandbox, metering and watchdog as a node.
import { readFile } from 'node:fs/promises'
import { BetascoError, isBetascoError } from '../../src/core/errors.ts'
import { DEFAULTS } from '../../src/contract/limits.ts'
import { checkCalls, runLocally } from '../../src/contract/local-run.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import type { Json } from '../../src/core/shape.ts'
import type { ContractDescription } from '../../src/contract/types.ts'
import type { Command, CommandIO } from '../cli.ts'
import { numberOption, type ParsedArgs } from '../args.ts'

function oneFile (args: ParsedArgs, usage: string): string {
  if (args.positionals.length !== 1) throw new BetascoError('BAD_ARGUMENT', `expected one contract file (${usage})`)
  return args.positionals[0]!
}

async function readText (file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new BetascoError('NOT_FOUND', `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

/** A compile error is printed as the compiler wrote it: `FILE:LINE:COL message`. */
function reportCompileError (err: unknown, args: ParsedArgs, io: CommandIO): number | null {
  if (!isBetascoError(err) || !['CONTRACT_SYNTAX', 'CONTRACT_INVALID', 'TOO_LARGE'].includes(err.code)) return null
  if (args.flags.has('json')) io.err(JSON.stringify({ error: err.toJSON() }))
  else io.err(err.message)
  return 1
}

/** Compiles and loads in a contract worker: the sandbox refuses what the parser cannot see. */
async function compileAndLoad (file: string, source: string, pool: ContractPool): Promise<ContractDescription> {
  const description = await pool.load({ contractId: 'check', source, file })
  await pool.unload('check')
  return description
}

const CHECK_USAGE = 'betasco contract check FILE [--json]'
const EXEC_USAGE = 'betasco contract exec FILE --calls CALLS.json [--gas N] [--deploy-arg JSON] [--sender ID] [--org ORG] [--watchdog-ms MS]'

export const contractCommands: Command[] = [
  {
    path: ['contract', 'check'],
    summary: 'parse and compile a contract in the sandbox; errors as FILE:LINE:COL message',
    usage: [
      CHECK_USAGE,
      '',
      'Accepts the paper\'s form (contract Name { ... }) and plain modules with exported',
      'functions. Exit code 0 when the contract compiles, 1 with FILE:LINE:COL message when not.',
    ].join('\n'),
    run: async (args, io) => {
      const file = oneFile(args, CHECK_USAGE)
      const source = await readText(file, 'contract file')
      const pool = new ContractPool({ spawn: nodeContractWorkers() })
      try {
        const d = await compileAndLoad(file, source, pool)
        if (args.flags.has('json')) {
          io.out(JSON.stringify({ ok: true, file, name: d.name, form: d.form, methods: d.methods, functions: d.functions, codeHash: d.codeHash }))
        } else {
          io.out(`${file}: ok, contract ${d.name} (${d.form} form), exported: ${d.methods.length > 0 ? d.methods.join(', ') : '(none)'}`)
        }
        return 0
      } catch (err) {
        const code = reportCompileError(err, args, io)
        if (code !== null) return code
        throw err
      } finally {
        await pool.close()
      }
    },
  },
  {
    path: ['contract', 'exec'],
    summary: 'run a sequence of calls on a contract locally; prints results, gas and final state as JSON',
    usage: [
      EXEC_USAGE,
      '',
      'CALLS.json is an array of { "method": "name", "arg": <JSON value> }. The contract is',
      'deployed (onCreate) and the calls run in order in the same sandbox, metering and',
      'watchdog as on a node. Output: { "results": [ { "method", "ok", "result"?, "error"?,',
      '"gas", "calls"? } ], "state": <final Global> }. A failing call is a result with',
      'ok: false; the exit code is 0 unless a file cannot be read or the contract not compiled',
      'or deployed. Transaction IDs, heights and block times are fixed, so runs are repeatable.',
      `Defaults: --gas ${DEFAULTS.gasLimit} per call, --watchdog-ms ${DEFAULTS.watchdogMs}.`,
    ].join('\n'),
    valueOptions: ['calls', 'gas', 'deploy-arg', 'sender', 'org', 'watchdog-ms'],
    run: async (args, io) => {
      const file = oneFile(args, EXEC_USAGE)
      const callsFile = args.options.get('calls')
      if (callsFile === undefined || callsFile === '') throw new BetascoError('BAD_ARGUMENT', `--calls is required (${EXEC_USAGE})`)
      const gasLimit = numberOption(args, 'gas', DEFAULTS.gasLimit, 1, 1e12)
      const watchdogMs = numberOption(args, 'watchdog-ms', DEFAULTS.watchdogMs, 10, 3_600_000)
      let deployArg: Json = null
      const rawDeploy = args.options.get('deploy-arg')
      if (rawDeploy !== undefined) {
        try { deployArg = JSON.parse(rawDeploy) as Json } catch { throw new BetascoError('BAD_ARGUMENT', '--deploy-arg must be JSON text') }
      }
      const source = await readText(file, 'contract file')
      const callsText = await readText(callsFile, 'calls file')
      let parsedCalls: unknown
      try { parsedCalls = JSON.parse(callsText) } catch (err) { throw new BetascoError('BAD_ARGUMENT', `${callsFile}: not JSON (${(err as Error).message})`) }
      const calls = checkCalls(parsedCalls, callsFile)
      const pool = new ContractPool({ spawn: nodeContractWorkers(), watchdogMs })
      try {
        const options: Parameters<typeof runLocally>[3] = { gasLimit, deployArg }
        const sender = args.options.get('sender')
        const org = args.options.get('org')
        if (sender !== undefined) options.sender = sender
        if (org !== undefined) options.org = org
        let run
        try {
          run = await runLocally(pool, { source, file }, calls, options)
        } catch (err) {
          const code = reportCompileError(err, args, io)
          if (code !== null) return code
          throw err
        }
        io.out(JSON.stringify({ results: run.results, state: run.state }, null, 2))
        return 0
      } finally {
        await pool.close()
      }
    },
  },
]
