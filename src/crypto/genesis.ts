// The genesis: the root of trust of a consortium network. It names the signature scheme, one
// CA public key per organization, the revoked certificates and the network's parameters. Its
// network ID every transaction carries is the hash of its trust roots only (name, scheme,
// creation time, organizations and their CAs), so revoking a certificate or tuning a
// parameter later does not change the network's identity or void every certificate.
import { BetascoError } from '../core/errors.ts'
import { fromHex, toHex } from '../core/bytes.ts'
import { idOf } from '../core/hash.ts'
import { LIMITS } from '../core/limits.ts'
import { int, list, record, str } from '../core/shape.ts'
import { HEX32 } from '../core/transaction.ts'
import { SCHEME_NAMES } from './scheme.ts'
import type { SchemeName } from './scheme.ts'

export const ORG_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/i

export interface OrgEntry {
  name: string
  caPublicKey: Uint8Array
}

export interface NetworkParams {
  /** Blocks between checkpoints unless a deploy says otherwise. */
  checkpointInterval: number
  /** Shard size k a deploy gets unless it says otherwise. */
  defaultShardSize: number
  /** Per-transaction gas budget a deploy gets unless it says otherwise. */
  defaultGasLimit: number
}

export interface Genesis {
  v: 1
  name: string
  scheme: SchemeName
  createdMs: number
  orgs: OrgEntry[]
  /** IDs (hex) of revoked certificates. */
  revoked: string[]
  params: NetworkParams
}

export const DEFAULT_PARAMS: NetworkParams = { checkpointInterval: 100, defaultShardSize: 4, defaultGasLimit: 1_000_000 }

/** The network ID: hex SHA-256 of the canonical trust roots of the genesis. */
export function networkId (genesis: Genesis): string {
  return idOf({ v: genesis.v, name: genesis.name, scheme: genesis.scheme, createdMs: genesis.createdMs, orgs: genesis.orgs })
}

export function findOrg (genesis: Genesis, org: string): OrgEntry | undefined {
  return genesis.orgs.find(o => o.name === org)
}

/** JSON form of the genesis file (keys as hex). */
export function genesisToJson (g: Genesis): Record<string, unknown> {
  return {
    v: g.v,
    name: g.name,
    scheme: g.scheme,
    createdMs: g.createdMs,
    orgs: g.orgs.map(o => ({ name: o.name, caPublicKey: toHex(o.caPublicKey) })),
    revoked: g.revoked,
    params: { ...g.params }
  }
}

/** Parses and checks a genesis file's JSON; any defect is a BAD_SHAPE error naming the field. */
export function parseGenesis (json: unknown): Genesis {
  const o = record(json, 'genesis', ['v', 'name', 'scheme', 'createdMs', 'orgs', 'revoked', 'params'])
  if (o.v !== 1) throw new BetascoError('BAD_SHAPE', 'genesis.v: unsupported version')
  const scheme = str(o.scheme, 'genesis.scheme', 16)
  if (!SCHEME_NAMES.includes(scheme as SchemeName)) throw new BetascoError('BAD_SHAPE', `genesis.scheme: unknown scheme "${scheme}"`)
  const orgs = list(o.orgs, 'genesis.orgs', 256, (v, p) => {
    const x = record(v, p, ['name', 'caPublicKey'])
    const key = str(x.caPublicKey, `${p}.caPublicKey`, 256, /^[0-9a-f]+$/)
    return { name: str(x.name, `${p}.name`, LIMITS.maxOrgNameLength, ORG_NAME), caPublicKey: fromHex(key) }
  })
  if (orgs.length === 0) throw new BetascoError('BAD_SHAPE', 'genesis.orgs: at least one organization is needed')
  if (new Set(orgs.map(x => x.name)).size !== orgs.length) throw new BetascoError('BAD_SHAPE', 'genesis.orgs: duplicate organization name')
  const p = record(o.params, 'genesis.params', ['checkpointInterval', 'defaultShardSize', 'defaultGasLimit'])
  return {
    v: 1,
    name: str(o.name, 'genesis.name', 128),
    scheme: scheme as SchemeName,
    createdMs: int(o.createdMs, 'genesis.createdMs'),
    orgs,
    revoked: list(o.revoked, 'genesis.revoked', 100_000, (v, path) => str(v, path, 64, HEX32)),
    params: {
      checkpointInterval: int(p.checkpointInterval, 'genesis.params.checkpointInterval', 1, 1_000_000),
      defaultShardSize: int(p.defaultShardSize, 'genesis.params.defaultShardSize', 1, LIMITS.maxShardMembers),
      defaultGasLimit: int(p.defaultGasLimit, 'genesis.params.defaultGasLimit', 1, 1e12)
    }
  }
}
