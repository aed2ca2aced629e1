// The `betasco` command line: a table of commands, each with its own help, `--json` output,
// exit code 0 on success and one clear line on stderr on failure (DESIGN §7).
import { BetascoError } from '../src/core/errors.ts'
import { parseArgs, type ParsedArgs } from './args.ts'
import { commands } from './commands.ts'

export interface CommandIO {
  out: (line: string) => void
  err: (line: string) => void
}

export interface Command {
  /** Words that select the command, e.g. ['network', 'init']. */
  path: string[]
  summary: string
  usage: string
  /** Option names that take a value; others are flags. */
  valueOptions?: string[]
  /** Options that may repeat (collected into arrays). */
  repeatable?: string[]
  run: (args: ParsedArgs, io: CommandIO) => Promise<number>
}

function usage (): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length))
  return [
    'betasco: a consortium blockchain with one shard per smart contract',
    '',
    'Usage: betasco <command> [options]   (betasco <command> --help for details)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Every command accepts --help and --json.',
  ].join('\n')
}

export async function main (argv: string[], io: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
}): Promise<number> {
  const command = [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((w, i) => argv[i] === w))
  if (command === undefined) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.out(usage())
      return 0
    }
    io.err(`betasco: unknown command "${argv.join(' ')}" (see betasco --help)`)
    return 2
  }
  let args: ParsedArgs
  try {
    args = parseArgs(argv.slice(command.path.length), command.valueOptions ?? [], command.repeatable ?? [])
  } catch (err) {
    io.err(`betasco ${command.path.join(' ')}: ${(err as Error).message}`)
    return 2
  }
  if (args.flags.has('help')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`)
    return 0
  }
  try {
    return await command.run(args, io)
  } catch (err) {
    const code = err instanceof BetascoError ? `${err.code}: ` : ''
    if (args.flags.has('json')) io.err(JSON.stringify({ error: { code: err instanceof BetascoError ? err.code : 'INTERNAL', message: (err as Error).message } }))
    else io.err(`betasco ${command.path.join(' ')}: ${code}${(err as Error).message}`)
    return 1
  }
}
