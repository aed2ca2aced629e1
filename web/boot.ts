// Starting the app: read the host's web config (genesis, relays, directory), get this tab's
// identities (stored, or enrolled), start the TabNode. Everything the views and the tests use
// hangs off the returned object; `globalThis.__betasco` exposes it to the browser tests.
import { parseGenesis, type Genesis } from '../src/crypto/index.ts'
import type { OrdererParams } from '../src/consensus/index.ts'
import { isBetascoError } from '../src/core/index.ts'
import { forgetIdentities, loadOrEnroll, noteLedgerOpened, type EnrollOptions, type TabIdentities } from './identity.ts'
import { TabNode, type TabNodeOptions } from './tab-node.ts'

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
  /** The peer this tab was before the browser deleted its ledger; it came back as a new peer. */
  ledgerLostBy?: string
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
  const enroll: EnrollOptions = {
    genesis,
    baseUrl,
    preferImport: search.has('import'),
    ...(hooks.importer !== undefined ? { importer: hooks.importer } : {}),
    ...(org !== undefined ? { org } : {}),
    ...(slot !== undefined ? { slot } : {}),
  }
  const start = async (ids: TabIdentities): Promise<TabNode> => await TabNode.start({
    genesis,
    node: ids.node,
    user: ids.user,
    ledgerExisted: ids.ledgerOpened,
    relayAddrs: config.relayAddrs,
    directoryUrl: new URL('web/peers', baseUrl).href,
    contractsUrl: new URL('web/contracts', baseUrl).href,
    ...(config.params !== undefined ? { params: config.params } : {}),
    ...(config.iceServers !== undefined ? { iceServers: config.iceServers } : {}),
  } satisfies TabNodeOptions)
  let ids = await loadOrEnroll(enroll)
  let tab: TabNode
  let ledgerLostBy: string | undefined
  try {
    tab = await start(ids)
  } catch (err) {
    if (!isBetascoError(err, 'LEDGER_LOST')) throw err
    // Coming back as the same peer with an empty ledger would leave its shards a member that
    // holds nothing and answers nothing. As a new peer, the old one is simply gone: its shards
    // replace it as they replace a closed tab, and nothing committed is lost (k replicas).
    ledgerLostBy = ids.node.peerId!
    console.warn(`${err.message}: enrolling as a new peer; the shards of ${ledgerLostBy} replace it as a departed member`)
    forgetIdentities(genesis, ids.slot)
    ids = await loadOrEnroll({ ...enroll, slot: ids.slot })
    tab = await start(ids)
  }
  noteLedgerOpened(genesis, ids.slot)
  addEventListener('pagehide', () => { void tab.close() })
  return { tab, genesis, ids, config, startedMs: Date.now(), ...(ledgerLostBy !== undefined ? { ledgerLostBy } : {}) }
}
