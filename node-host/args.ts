// Command-line option parsing: `--name value`, `--name=value`, boolean flags and positionals.
import { BetascoError } from '../src/core/errors.ts'
export interface ParsedArgs {
  positionals: string[]
  options: Map<string, string>
  lists: Map<string, string[]>
  flags: Set<string>
}

export function parseArgs (argv: string[], valueOptions: string[], repeatable: string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: new Map(), lists: new Map(), flags: new Set() }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    if (valueOptions.includes(name) || repeatable.includes(name)) {
      let value: string | undefined
      if (eq !== -1) value = arg.slice(eq + 1)
      else {
        value = argv[i + 1]
        if (value === undefined || value.startsWith('--')) throw new Error(`option --${name} needs a value`)
        i++
      }
      if (repeatable.includes(name)) {
        // a repeatable option also takes several values in a row: --listen A B
        const values = parsed.lists.get(name) ?? []
        values.push(value)
        while (eq === -1 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) values.push(argv[++i]!)
        parsed.lists.set(name, values)
      } else parsed.options.set(name, value)
    } else if (['help', 'json'].includes(name) || eq === -1) {
      parsed.flags.add(name)
    } else {
      throw new Error(`unknown option --${name}`)
    }
  }
  return parsed
}

/** A numeric option within [min, max] (integers unless `integer` is false), or the fallback. */
export function numberOption (args: ParsedArgs, name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = args.options.get(name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isSafeInteger(n))) {
    throw new BetascoError('BAD_ARGUMENT', `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${raw}"`)
  }
  return n
}

/** A value option that must be given. */
export function requiredOption (args: ParsedArgs, name: string): string {
  const v = args.options.get(name)
  if (v === undefined || v === '') throw new BetascoError('BAD_ARGUMENT', `--${name} is required`)
  return v
}
