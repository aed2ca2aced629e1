// Starting the app: read the host's web config (genesis, relays, directory), get this tab's
// identities (stored, or enrolled), start the TabNode. Everything the views and the tests use
// hangs off the returned object; `globalThis.__betasco` exposes it to the browser tests.
import { parseGenesis, type Genesis } from '../src/crypto/index.ts'
import type { OrdererParams } from '../src/consensus/index.ts'
import { loadOrEnroll, type TabIdentities } from './identity.ts'
import { TabNode } from './tab-node.ts'

export interface WebConfig {
  genesis: unknown
  relayAddrs: string[]
  orgs: string[]
  params?: Partial<OrdererParams>
  iceServers?: RTCIceServer[]
}

export interface BootedApp {
  tab: TabNode
  genesis: Genesis
  ids: TabIdentities
  config: WebConfig
  startedMs: number
}

export interface BootHooks {
  /** Shows the identity import form; see EnrollOptions.importer. */
  importer?: (problem?: string) => Promise<{ node: unknown, user: unknown }>
}

export async function boot (baseUrl: string, search: URLSearchParams, hooks: BootHooks = {}): Promise<BootedApp> {
  const res = await fetch(new URL('web/config.json', baseUrl), { signal: AbortSignal.timeout(15_000) })
  if (!res.ok) throw new Error(`the host's web config is not available (HTTP ${res.status})`)
  const config = await res.json() as WebConfig
  const genesis = parseGenesis(config.genesis)
  const org = search.get('org') ?? undefined
  const slot = search.get('tab') ?? undefined
  const ids = await loadOrEnroll({
    genesis,
    baseUrl,
    preferImport: search.has('import'),
    ...(hooks.importer !== undefined ? { importer: hooks.importer } : {}),
    ...(org !== undefined ? { org } : {}),
    ...(slot !== undefined ? { slot } : {}),
  })
  const tab = await TabNode.start({
    genesis,
    node: ids.node,
    user: ids.user,
    relayAddrs: config.relayAddrs,
    directoryUrl: new URL('web/peers', baseUrl).href,
    contractsUrl: new URL('web/contracts', baseUrl).href,
    ...(config.params !== undefined ? { params: config.params } : {}),
    ...(config.iceServers !== undefined ? { iceServers: config.iceServers } : {}),
  })
  addEventListener('pagehide', () => { void tab.close() })
  return { tab, genesis, ids, config, startedMs: Date.now() }
}
