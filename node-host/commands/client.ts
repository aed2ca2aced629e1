// `betasco deploy | call | tx | status`: the developer's commands against a node's API
// (DESIGN §7), through the client SDK. Identities sign locally; the node never sees a secret key.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { BetascoError, isBetascoError } from '../../src/core/errors.ts'
import { parseContract } from '../../src/contract/language.ts'
import type { Json } from '../../src/core/shape.ts'
import { BetascoClient, type TxStatus } from '../../src/client/index.ts'
import type { Command, CommandIO } from '../cli.ts'
import type { ParsedArgs } from '../args.ts'
import { loadIdentity } from '../config.ts'

const DEFAULT_API = 'http://127.0.0.1:8080'
const COMMON = ['api', 'identity', 'timeout']
const COMMON_HELP = [
  '  --api URL         the node\'s API (default $BETASCO_API or ' + DEFAULT_API + ')',
  '  --identity FILE   the user identity that signs (default $BETASCO_IDENTITY), e.g. NET/org1-user1.json',
  '  --timeout S       seconds to wait for the receipt (default 60)',
  '  --json            machine output: one JSON object on stdout'
]

function apiUrl (args: ParsedArgs): string {
  const raw = args.options.get('api') ?? process.env.BETASCO_API ?? DEFAULT_API
  const url = /^https?:\/\//.test(raw) ? raw : `http://${raw}`
  try { new URL(url) } catch { throw new BetascoError('BAD_ARGUMENT', `--api must be a URL like ${DEFAULT_API}, got "${raw}"`) }
  return url
}

async function client (args: ParsedArgs, needIdentity: boolean): Promise<BetascoClient> {
  const file = args.options.get('identity') ?? process.env.BETASCO_IDENTITY
  if (file === undefined) {
    if (needIdentity) throw new BetascoError('BAD_ARGUMENT', '--identity FILE is required to sign (a user identity, e.g. NET/org1-user1.json)')
    return new BetascoClient({ url: apiUrl(args) })
  }
  return new BetascoClient({ url: apiUrl(args), identity: await loadIdentity(file, undefined, 'user') })
}

function timeoutMs (args: ParsedArgs): number {
  const raw = args.options.get('timeout')
  if (raw === undefined) return 60_000
  const s = Number(raw)
  if (!Number.isFinite(s) || s <= 0 || s > 3600) throw new BetascoError('BAD_ARGUMENT', `--timeout must be a number of seconds from 0 to 3600, got "${raw}"`)
  return Math.round(s * 1000)
}

function progress (args: ParsedArgs, io: CommandIO, what: string): (ms: number) => void {
  return (ms) => { if (!args.flags.has('json')) io.err(`${what}… ${Math.round(ms / 1000)} s`) }
}

function positional (args: ParsedArgs, i: number, name: string): string {
  const v = args.positionals[i]
  if (v === undefined) throw new BetascoError('BAD_ARGUMENT', `${name} is required`)
  return v
}

function report (io: CommandIO, args: ParsedArgs, s: TxStatus, human: () => string): number {
  if (args.flags.has('json')) io.out(JSON.stringify(s))
  else if (s.status === 'failed') io.err(`transaction ${s.txId} failed: ${s.error?.code ?? 'ERROR'}: ${s.error?.message ?? ''}`)
  else io.out(human())
  return s.status === 'failed' ? 1 : 0
}

/** An ARG on the command line: JSON when it parses as JSON, else the plain string. */
export function parseArg (raw: string | undefined): Json {
  if (raw === undefined) return null
  try { return JSON.parse(raw) as Json } catch { return raw }
}

export const clientCommands: Command[] = [
  {
    path: ['deploy'],
    summary: 'deploy a contract file to a new shard and wait until it is created',
    usage: ['betasco deploy FILE --shard-size K --consensus raft|pbft|solo [--gas-limit N] [--api URL] [--identity FILE] [--json]', '', ...COMMON_HELP].join('\n'),
    valueOptions: [...COMMON, 'shard-size', 'consensus', 'gas-limit', 'checkpoint-interval'],
    run: async (args, io) => {
      const file = positional(args, 0, 'FILE (the contract source)')
      let code: string
      try { code = await readFile(resolve(file), 'utf8') } catch (err) { throw new BetascoError('BAD_ARGUMENT', `cannot read contract ${file}: ${(err as Error).message}`) }
      // a contract that does not parse is reported here, as FILE:LINE:COL, not by a shard
      try {
        parseContract(code, file)
      } catch (err) {
        if (!isBetascoError(err) || !['CONTRACT_SYNTAX', 'CONTRACT_INVALID', 'TOO_LARGE'].includes(err.code)) throw err
        if (args.flags.has('json')) io.err(JSON.stringify({ error: err.toJSON() }))
        else io.err(err.message)
        return 1
      }
      const k = Number(args.options.get('shard-size') ?? '4')
      if (!Number.isSafeInteger(k) || k < 1 || k > 64) throw new BetascoError('BAD_ARGUMENT', `--shard-size must be an integer from 1 to 64, got "${args.options.get('shard-size')}"`)
      const consensus = args.options.get('consensus') ?? (k === 1 ? 'solo' : 'raft')
      if (consensus !== 'raft' && consensus !== 'pbft' && consensus !== 'solo') throw new BetascoError('BAD_ARGUMENT', `--consensus must be raft, pbft or solo, got "${consensus}"`)
      const gas = args.options.get('gas-limit')
      const cpi = args.options.get('checkpoint-interval')
      const c = await client(args, true)
      if (!args.flags.has('json')) io.err(`deploying ${file} to a shard of ${k} (${consensus}) through ${c.url}`)
      const s = await c.deploy(code, {
        shardSize: k, consensus, timeoutMs: timeoutMs(args), onProgress: progress(args, io, 'waiting for the shard to form'),
        ...(gas !== undefined ? { gasLimit: Number(gas) } : {}), ...(cpi !== undefined ? { checkpointInterval: Number(cpi) } : {})
      })
      return report(io, args, s, () => `contract ${s.contract} deployed (${consensus}, ${k} members; tx ${s.txId}, block ${s.block})`)
    }
  },
  {
    path: ['call'],
    summary: 'call a contract method and print its result',
    usage: ['betasco call CONTRACT METHOD [ARG] [--api URL] [--identity FILE] [--no-wait] [--json]', '', '  ARG               a JSON value (a bare word is taken as a string)', '  --no-wait         print the tx ID once the node admits it, do not wait', ...COMMON_HELP].join('\n'),
    valueOptions: COMMON,
    run: async (args, io) => {
      const contract = positional(args, 0, 'CONTRACT (the contract ID)')
      const method = positional(args, 1, 'METHOD')
      if (args.positionals.length > 3) throw new BetascoError('BAD_ARGUMENT', 'too many arguments: quote ARG as one JSON value')
      const c = await client(args, true)
      const wait = !args.flags.has('no-wait')
      const s = await c.call(contract, method, parseArg(args.positionals[2]), { wait, timeoutMs: timeoutMs(args), onProgress: progress(args, io, 'waiting for the receipt') })
      if (!wait) {
        if (args.flags.has('json')) io.out(JSON.stringify(s))
        else io.out(`tx ${s.txId} admitted (pending); check it with: betasco tx ${s.txId} --contract ${s.contract}`)
        return 0
      }
      return report(io, args, s, () => JSON.stringify(s.result ?? null))
    }
  },
  {
    path: ['tx'],
    summary: 'show a transaction\'s receipt (pending, committed or failed)',
    usage: ['betasco tx ID [--contract CONTRACT] [--api URL] [--json]', '', '  --contract ID     the tx\'s contract (optional: a node that did not submit the tx asks its peers)', ...COMMON_HELP].join('\n'),
    valueOptions: [...COMMON, 'contract'],
    run: async (args, io) => {
      const id = positional(args, 0, 'ID (the transaction ID)')
      const c = await client(args, false)
      const contract = args.options.get('contract')
      const s = await c.tx(id, { waitMs: 2000, ...(contract !== undefined ? { contract } : {}) })
      if (args.flags.has('json')) { io.out(JSON.stringify(s)); return 0 }
      io.out(`tx ${s.txId}: ${s.status}`)
      io.out(`  contract ${s.contract}`)
      if (s.status !== 'pending') {
        io.out(`  block ${s.block}${s.matching !== undefined ? `, ${s.matching}/${s.needed} matching receipts` : ''}`)
        if (s.status === 'committed') io.out(`  result ${JSON.stringify(s.result ?? null)}`)
        else io.out(`  error ${s.error?.code}: ${s.error?.message}`)
      }
      return 0
    }
  },
  {
    path: ['status'],
    summary: 'show a node\'s peer ID, peers and hosted shards, or one contract\'s shard',
    usage: ['betasco status [CONTRACT] [--api URL] [--wait-peers N] [--json]', '', '  CONTRACT          show this contract\'s shard instead (any peer answers, from its members)', '  --wait-peers N    first wait (up to --timeout) until the node is up and sees N peers', ...COMMON_HELP].join('\n'),
    valueOptions: [...COMMON, 'wait-peers'],
    run: async (args, io) => {
      const c = await client(args, false)
      if (args.positionals.length > 1) throw new BetascoError('BAD_ARGUMENT', 'too many arguments: betasco status [CONTRACT]')
      const contractId = args.positionals[0]
      if (contractId !== undefined) {
        const info = await c.contract(contractId)
        if (args.flags.has('json')) { io.out(JSON.stringify(info)); return 0 }
        io.out(`contract ${info.contract} ${info.name ?? ''}`.trimEnd())
        io.out(`  ${info.consensus}, ${info.members.length} members (configuration ${info.configVersion}), height ${info.height}`)
        for (const m of info.members) io.out(`  member ${m.peerId} (${m.org})${m.peerId === info.leader ? ' leader' : ''}`)
        if (info.methods.length > 0) io.out(`  methods ${info.methods.join(', ')}`)
        io.out(info.hostedHere ? '  hosted by this peer' : `  answered by ${(info.answeredBy ?? []).length} member(s): ${(info.answeredBy ?? []).join(', ')}`)
        return 0
      }
      const wantRaw = args.options.get('wait-peers')
      const want = wantRaw === undefined ? undefined : Number(wantRaw)
      if (want !== undefined && (!Number.isSafeInteger(want) || want < 0 || want > 1000)) throw new BetascoError('BAD_ARGUMENT', `--wait-peers must be an integer from 0 to 1000, got "${wantRaw}"`)
      let s = want === undefined ? await c.status() : undefined
      if (want !== undefined) {
        const deadline = Date.now() + timeoutMs(args)
        const started = Date.now()
        let lastReport = started
        for (;;) {
          try {
            s = await c.status()
            if (s.peers.length >= want) break
          } catch (err) {
            if (!(err instanceof BetascoError && err.code === 'UNREACHABLE')) throw err
          }
          if (Date.now() >= deadline) throw new BetascoError('TIMEOUT', `the node at ${c.url} ${s === undefined ? 'did not answer' : `sees ${s.peers.length} peers, not ${want},`} within ${timeoutMs(args) / 1000} s`)
          if (Date.now() - lastReport >= 1000 && !args.flags.has('json')) { lastReport = Date.now(); io.err(`waiting for ${want} peers… ${Math.round((Date.now() - started) / 1000)} s`) }
          await new Promise(resolve => setTimeout(resolve, 250))
        }
      }
      if (s === undefined) throw new BetascoError('INTERNAL', 'no status')
      if (args.flags.has('json')) { io.out(JSON.stringify(s)); return 0 }
      io.out(`peer ${s.peerId} on network ${s.networkName} (${s.network.slice(0, 16)}…), up ${s.uptimeS} s`)
      for (const ma of s.multiaddrs) io.out(`  listening ${ma}`)
      io.out(`peers (${s.peers.length}):`)
      for (const p of s.peers) io.out(`  ${p.peerId} ${p.name} (${p.org})`)
      io.out(`shards hosted (${s.shards.length}):`)
      for (const sh of s.shards) io.out(`  ${sh.contract} ${sh.name ?? ''} ${sh.consensus} height ${sh.height}${sh.leader === s.peerId ? ' (leader)' : ''}`)
      const n = s.counters
      io.out(`txs: received ${n.received}, forwarded ${n.forwarded}, committed ${n.committed}, failed ${n.failed}; blocks ${n.blocks}`)
      return 0
    }
  }
]
