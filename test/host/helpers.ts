// Helpers of the node-host tests: a network directory written by `betasco network init`,
// in-process hosts on loopback, the CLI with captured output, and raw HTTP requests.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../node-host/cli.ts'
import { loadGenesis, loadIdentity } from '../../node-host/config.ts'
import { startHost, type HostOptions, type PeerHost } from '../../node-host/host.ts'
import type { Genesis, Identity } from '../../src/crypto/index.ts'

export const FAST_PARAMS = { tickMs: 20, electionTicks: 8, heartbeatTicks: 2, viewChangeTicks: 40, maxTxsPerBlock: 64 }

export async function cli (argv: string[]): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out, err }
}

export interface TestNetwork {
  dir: string
  genesis: Genesis
  node: (name: string) => Promise<Identity>
  user: (name?: string) => Promise<Identity>
  file: (name: string) => string
  remove: () => Promise<void>
}

export async function makeNetwork (orgs = 'org1,org2,org3', nodes = 2): Promise<TestNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'betasco-host-'))
  const r = await cli(['network', 'init', '--orgs', orgs, '--out', dir, '--nodes', String(nodes), '--json'])
  if (r.code !== 0) throw new Error(`network init failed: ${r.err.join('\n')}`)
  const genesis = await loadGenesis(dir)
  return {
    dir,
    genesis,
    file: (name) => join(dir, `${name}.json`),
    node: async (name) => await loadIdentity(join(dir, `${name}.json`), genesis, 'node'),
    user: async (name = 'org1-user1') => await loadIdentity(join(dir, `${name}.json`), genesis, 'user'),
    remove: async () => { await rm(dir, { recursive: true, force: true }) }
  }
}

export async function startTestHost (net: TestNetwork, name: string, extra: Partial<HostOptions> = {}): Promise<PeerHost> {
  return await startHost({ genesis: net.genesis, identity: await net.node(name), api: { host: '127.0.0.1', port: 0 }, params: FAST_PARAMS, ...extra })
}

export async function http (url: string, init: { method?: string, body?: string, headers?: Record<string, string> } = {}): Promise<{ status: number, json: any, text: string, headers: Headers }> {
  const res = await fetch(url, { method: init.method ?? 'GET', ...(init.body !== undefined ? { body: init.body } : {}), headers: init.headers ?? (init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) })
  const text = await res.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: res.status, json, text, headers: res.headers }
}
