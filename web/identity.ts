// The tab's identities: a node identity (its libp2p peer and shard membership) and a user
// identity (it signs the transactions the tab's user sends). Issued once by the host's enrollment
// endpoint (or imported), then kept in localStorage so that a reloaded tab is the same peer.
// Several tabs of one browser share localStorage: each tab holds one "slot", remembered in its
// sessionStorage (which survives reloads of that tab only) and guarded by a Web Lock while open.
// The stored record also notes once the node has opened its ledger under that identity, so that
// a ledger the browser later deleted is told apart from a new one (see boot.ts).
import { identityToJson, parseIdentity, type Genesis, type Identity } from '../src/crypto/index.ts'
import { networkId } from '../src/crypto/genesis.ts'

export interface TabIdentities {
  slot: string
  node: Identity
  user: Identity
  /** True when this tab found the identities in storage (a reload or a reused slot). */
  resumed: boolean
  /** True when a node already opened its ledger under these identities (noteLedgerOpened). */
  ledgerOpened: boolean
}

interface StoredIdentities { node: unknown, user: unknown, ledger?: true }

export interface EnrollOptions {
  genesis: Genesis
  /** Base URL of the host's web routes (where web/enroll lives). */
  baseUrl: string
  /** Organization to enroll in; the host picks one when absent. */
  org?: string
  /** Slot name from the URL (?tab=…); otherwise this tab's remembered or a free one. */
  slot?: string
  fetchTimeoutMs?: number
  /**
   * Asks the user for identity files (node and user JSON). Used instead of enrollment when the
   * URL asks for an import, and when the host does not enroll tabs. Called again after a file
   * that does not parse or does not belong to this network, with the reason.
   */
  importer?: (problem?: string) => Promise<{ node: unknown, user: unknown }>
  /** Import instead of enrolling. */
  preferImport?: boolean
}

const MAX_SLOTS = 64

function storageKey (network: string, slot: string): string {
  return `betasco:${network.slice(0, 16)}:identity:${slot}`
}

/** Slot locks this page holds (a Web Lock is held until the page goes away). */
const held = new Set<string>()

/** Holds a Web Lock named after the slot for the life of the page; false if another tab has it. */
async function claim (network: string, slot: string, waitMs: number): Promise<boolean> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks
  if (locks === undefined) return true
  const name = `betasco:${network.slice(0, 16)}:slot:${slot}`
  if (held.has(name)) return true
  const deadline = Date.now() + waitMs
  for (;;) {
    const got = await new Promise<boolean>((resolve) => {
      void locks.request(name, { ifAvailable: true }, async (lock) => {
        if (lock === null) { resolve(false); return }
        held.add(name)
        resolve(true)
        await new Promise<never>(() => {}) // held until the page goes away
      })
    })
    if (got || Date.now() >= deadline) return got
    await new Promise((r) => setTimeout(r, 100))
  }
}

export async function loadOrEnroll (opts: EnrollOptions): Promise<TabIdentities> {
  const network = networkId(opts.genesis)
  let slot = opts.slot ?? sessionStorage.getItem('betasco:slot') ?? undefined
  if (slot !== undefined) {
    // A reload: the previous page's lock is released as it unloads; wait for it a little.
    if (!await claim(network, slot, 5_000)) throw new Error(`tab slot "${slot}" is in use by another tab`)
  } else {
    for (let i = 0; i < MAX_SLOTS && slot === undefined; i++) {
      if (await claim(network, String(i), 0)) slot = String(i)
    }
    if (slot === undefined) throw new Error(`more than ${MAX_SLOTS} tabs of this network are open`)
  }
  sessionStorage.setItem('betasco:slot', slot)
  const key = storageKey(network, slot)
  const saved = localStorage.getItem(key)
  if (saved !== null) {
    try {
      const o = JSON.parse(saved) as StoredIdentities
      const node = await parseIdentity(o.node, opts.genesis)
      const user = await parseIdentity(o.user, opts.genesis)
      return { slot, node, user, resumed: true, ledgerOpened: o.ledger === true }
    } catch (err) {
      // expired or from an older network: enroll again
      console.warn(`stored identity of slot ${slot} is not usable (${(err as Error).message}); enrolling again`)
    }
  }
  if (opts.importer !== undefined && opts.preferImport === true) return await importInto(opts, key, slot, opts.importer)
  const res = await fetch(new URL('web/enroll', opts.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(opts.org === undefined ? {} : { org: opts.org }),
    signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 15_000),
  })
  const body = await res.json() as { node?: unknown, user?: unknown, error?: { message: string } }
  if (res.status === 403 && opts.importer !== undefined) return await importInto(opts, key, slot, opts.importer)
  if (!res.ok) throw new Error(`enrollment refused: ${body.error?.message ?? res.status}`)
  const node = await parseIdentity(body.node, opts.genesis)
  const user = await parseIdentity(body.user, opts.genesis)
  localStorage.setItem(key, JSON.stringify({ node: identityToJson(node), user: identityToJson(user) }))
  return { slot, node, user, resumed: false, ledgerOpened: false }
}

async function importInto (opts: EnrollOptions, key: string, slot: string, importer: NonNullable<EnrollOptions['importer']>): Promise<TabIdentities> {
  let problem: string | undefined
  for (;;) {
    const files = await importer(problem)
    try {
      const node = await parseIdentity(files.node, opts.genesis)
      const user = await parseIdentity(files.user, opts.genesis)
      if (node.kind !== 'node') throw new Error('the first file is not a node identity (kind "node", with a peer key)')
      if (user.kind !== 'user') throw new Error('the second file is not a user identity (kind "user")')
      localStorage.setItem(key, JSON.stringify({ node: identityToJson(node), user: identityToJson(user) }))
      return { slot, node, user, resumed: false, ledgerOpened: false }
    } catch (err) {
      problem = (err as Error).message
    }
  }
}

/** Imports identity files (a node's and a user's, the JSON that `betasco network init` writes). */
export async function importIdentities (genesis: Genesis, slot: string, nodeJson: unknown, userJson: unknown): Promise<void> {
  const node = await parseIdentity(nodeJson, genesis)
  const user = await parseIdentity(userJson, genesis)
  if (node.kind !== 'node' || user.kind !== 'user') throw new Error('import a node identity and a user identity')
  localStorage.setItem(storageKey(networkId(genesis), slot), JSON.stringify({ node: identityToJson(node), user: identityToJson(user) }))
}

/** Records that a node opened its ledger under the slot's identities. */
export function noteLedgerOpened (genesis: Genesis, slot: string): void {
  const key = storageKey(networkId(genesis), slot)
  const saved = localStorage.getItem(key)
  if (saved === null) return
  const o = JSON.parse(saved) as StoredIdentities
  if (o.ledger === true) return
  localStorage.setItem(key, JSON.stringify({ ...o, ledger: true }))
}

/** Drops the slot's stored identities, so that the next loadOrEnroll enrolls new ones. */
export function forgetIdentities (genesis: Genesis, slot: string): void {
  localStorage.removeItem(storageKey(networkId(genesis), slot))
}
