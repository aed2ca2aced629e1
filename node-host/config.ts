// Reading a peer's configuration files (genesis, identity) with one clear error per mistake.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { BetascoError } from '../src/core/errors.ts'
import { parseGenesis, parseIdentity, type Genesis, type Identity } from '../src/crypto/index.ts'

async function readJsonFile (path: string, what: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new BetascoError('BAD_ARGUMENT', code === 'ENOENT' ? `${what} ${path} does not exist` : `cannot read ${what} ${path}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new BetascoError('BAD_ARGUMENT', `${what} ${path} is not valid JSON: ${(err as Error).message}`)
  }
}

/** The genesis of a network directory (DIR/genesis.json) or of a genesis file. */
export async function loadGenesis (networkDirOrFile: string): Promise<Genesis> {
  const path = networkDirOrFile.endsWith('.json') ? resolve(networkDirOrFile) : join(resolve(networkDirOrFile), 'genesis.json')
  const json = await readJsonFile(path, 'genesis')
  try {
    return parseGenesis(json)
  } catch (err) {
    throw new BetascoError('BAD_ARGUMENT', `genesis ${path} is not a BETASCO genesis: ${(err as Error).message}`)
  }
}

export async function loadIdentity (file: string, genesis: Genesis | undefined, kind?: 'node' | 'user'): Promise<Identity> {
  const path = resolve(file)
  const json = await readJsonFile(path, 'identity')
  let id: Identity
  try {
    id = await parseIdentity(json, genesis)
  } catch (err) {
    if (err instanceof BetascoError && err.code === 'WRONG_NETWORK') throw new BetascoError('WRONG_NETWORK', `identity ${path} belongs to another network than this genesis (wrong --network?)`)
    const code = err instanceof BetascoError ? err.code : 'BAD_ARGUMENT'
    throw new BetascoError(code, `identity ${path} cannot be used: ${(err as Error).message}`)
  }
  if (kind !== undefined && id.kind !== kind) throw new BetascoError('BAD_ARGUMENT', `identity ${path} is a ${id.kind} identity; this needs a ${kind} identity (e.g. ORG-${kind}1.json)`)
  return id
}

/** `HOST:PORT` (or `:PORT`, `PORT`) of --api. */
export function parseHostPort (raw: string, option = 'api'): { host: string, port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(raw)
  const port = Number(m?.[2])
  if (m === null || port > 65535) throw new BetascoError('BAD_ARGUMENT', `--${option} must be HOST:PORT (e.g. 127.0.0.1:8080), got "${raw}"`)
  const host = m[1] === undefined || m[1] === '' ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, '')
  return { host, port }
}
