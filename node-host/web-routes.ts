// What a host offers the web app (a node in a browser tab): the built app itself (dist/web), its
// configuration (genesis, the relay's WebSocket address for tabs, consensus parameters), an
// enrollment endpoint that issues tab identities from the demo organizations' CAs, and a
// directory of the peers this relay knows, which tabs use to dial Node peers (WebSockets) and
// other tabs (WebRTC, signalled through this relay). One request handler the host mounts:
//
//   const web = createWebRoutes({ webRoot, genesis, cas, relay: networkPeer })
//   http.createServer((req, res) => { if (web(req, res)) return; … the API … })
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { OrdererParams } from '../src/consensus/index.ts'
import { genesisToJson, type Genesis } from '../src/crypto/genesis.ts'
import { identityToJson, issueIdentity, type CaKey } from '../src/crypto/identity.ts'
import type { NetworkPeer } from '../src/network/peer.ts'
import type { BetascoNode, HostedContract } from '../src/node/node.ts'

export interface WebRoutesOptions {
  /** Directory of the built web app (index.html and assets/), e.g. dist/web. */
  webRoot: string
  genesis: Genesis
  /** CAs of the demo organizations tabs may enroll in; empty: no enrollment (import only). */
  cas: CaKey[]
  /** The host's network peer, a circuit relay server listening on WebSockets. */
  relay: NetworkPeer
  /** The host's node: its shards are listed at web/contracts, so tabs see the demo's contracts. */
  node?: BetascoNode
  /** The relay's organization, shown in the directory. */
  relayOrg?: string
  /** Consensus parameters tabs should run with (the host's own, usually). */
  params?: Partial<OrdererParams>
  /** ICE servers tabs use for WebRTC; [] on a LAN or loopback network (no STUN lookups). */
  iceServers?: Array<{ urls: string | string[] }>
  /** Validity of issued tab certificates (default 7 days). */
  validityDays?: number
  /** Bound on identities issued by this host's life (default 10,000). */
  maxEnrollments?: number
  /** URL prefix the routes live under (default '/'). */
  prefix?: string
}

export interface DirectoryEntry {
  peerId: string
  org: string
  name: string
  addrs: string[]
  tab: boolean
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
}
const MAX_ENROLL_BODY_BYTES = 1024

function sendJson (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

function sendError (res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } })
}

async function readBody (req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new Error(`body larger than ${maxBytes} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const isWebSocketAddr = (a: string): boolean => /\/wss?(\/|$)/.test(a) && !a.includes('/p2p-circuit')

/** The relay's WebSocket addresses tabs dial, with /p2p/<relay>. */
export function relayAddrsOf (relay: NetworkPeer): string[] {
  return relay.node.getMultiaddrs().map(m => m.toString()).filter(isWebSocketAddr)
    .map(a => a.includes('/p2p/') ? a : `${a}/p2p/${relay.peerId}`)
}

/**
 * The peers this relay has admitted, with addresses others can dial: a Node peer's WebSocket
 * listen addresses; a tab (no address of its own) through this relay over WebRTC.
 */
export async function peerDirectory (relay: NetworkPeer, relayOrg?: string): Promise<DirectoryEntry[]> {
  const relayAddrs = relayAddrsOf(relay)
  const out: DirectoryEntry[] = [{ peerId: relay.peerId, org: relayOrg ?? '', name: 'relay', addrs: relayAddrs, tab: false }]
  for (const [peerId, who] of relay.admission.peers()) {
    let known: string[] = []
    try {
      known = (await relay.node.peerStore.get(peerIdFromString(peerId))).addresses.map(a => a.multiaddr.toString())
    } catch { /* not in the peer store yet */ }
    const direct = known.filter(isWebSocketAddr).map(a => a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)
    if (direct.length > 0) out.push({ peerId, org: who.org, name: who.name, addrs: direct, tab: false })
    else out.push({ peerId, org: who.org, name: who.name, addrs: relayAddrs.map(a => `${a}/p2p-circuit/webrtc/p2p/${peerId}`), tab: true })
  }
  return out
}

export type ContractEntry = HostedContract

/** The shards a node hosts, with their recorded configuration (what tabs draw as groups). */
export function hostedContracts (node: BetascoNode): ContractEntry[] {
  return node.hostedContracts()
}

export function createWebRoutes (opts: WebRoutesOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = resolve(opts.webRoot)
  const prefix = opts.prefix ?? '/'
  const validityDays = opts.validityDays ?? 7
  const maxEnrollments = opts.maxEnrollments ?? 10_000
  let enrolled = 0
  let nextOrg = 0

  async function enroll (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (opts.cas.length === 0) { sendError(res, 403, 'FORBIDDEN', 'this host does not enroll tabs; import an identity instead'); return }
    if (enrolled >= maxEnrollments) { sendError(res, 429, 'LIMIT', `this host has issued its ${maxEnrollments} tab identities`); return }
    let wanted: string | undefined
    try {
      const text = await readBody(req, MAX_ENROLL_BODY_BYTES)
      const body = text === '' ? {} : JSON.parse(text) as { org?: unknown }
      if (body.org !== undefined && typeof body.org !== 'string') throw new Error('org must be a string')
      wanted = body.org as string | undefined
    } catch (err) {
      sendError(res, 400, 'BAD_ARGUMENT', `enrollment request: ${(err as Error).message}`)
      return
    }
    const ca = wanted === undefined ? opts.cas[nextOrg++ % opts.cas.length] : opts.cas.find(c => c.org === wanted)
    if (ca === undefined) { sendError(res, 404, 'UNKNOWN_ORG', `no demo organization "${wanted}" here (have: ${opts.cas.map(c => c.org).join(', ')})`); return }
    enrolled++
    const tag = randomBytes(4).toString('hex')
    const nowMs = Date.now()
    const node = await issueIdentity(opts.genesis, ca, 'node', `${ca.org}-tab-${tag}`, { validityDays, nowMs, role: 'tab' })
    const user = await issueIdentity(opts.genesis, ca, 'user', `${ca.org}-tab-${tag}-user`, { validityDays, nowMs })
    sendJson(res, 200, { node: identityToJson(node), user: identityToJson(user) })
  }

  async function serveFile (path: string, res: ServerResponse): Promise<void> {
    let file = normalize(join(root, path))
    if (file !== root && !file.startsWith(root + sep)) { sendError(res, 403, 'FORBIDDEN', 'outside the web root'); return }
    if ((await stat(file).catch(() => undefined))?.isDirectory() === true) file = join(file, 'index.html')
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      if (path === '/') sendError(res, 404, 'NOT_FOUND', `the web app is not built (no ${join(root, 'index.html')}): run \`npx vite build\``)
      else sendError(res, 404, 'NOT_FOUND', `no ${path}`)
      return
    }
    // hashed asset names never change; index.html must not be cached across builds
    const cache = path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store'
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': cache }).end(body)
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://host')
    if (!url.pathname.startsWith(prefix)) return false
    const path = '/' + url.pathname.slice(prefix.length)
    if (path.startsWith('/v1/')) return false // the node's API
    const fail = (err: unknown): void => {
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', (err as Error).message)
      else res.destroy()
    }
    if (path === '/web/config.json' && req.method === 'GET') {
      sendJson(res, 200, { genesis: genesisToJson(opts.genesis), relayAddrs: relayAddrsOf(opts.relay), orgs: opts.cas.map(c => c.org), ...(opts.params !== undefined ? { params: opts.params } : {}), ...(opts.iceServers !== undefined ? { iceServers: opts.iceServers } : {}) })
      return true
    }
    if (path === '/web/peers' && req.method === 'GET') {
      peerDirectory(opts.relay, opts.relayOrg).then((peers) => { sendJson(res, 200, { peers }) }, fail)
      return true
    }
    if (path === '/web/contracts' && req.method === 'GET') {
      sendJson(res, 200, { contracts: opts.node === undefined ? [] : hostedContracts(opts.node) })
      return true
    }
    if (path === '/web/enroll') {
      if (req.method !== 'POST') { sendError(res, 405, 'BAD_ARGUMENT', 'POST to enroll'); return true }
      enroll(req, res).catch(fail)
      return true
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    let decoded: string
    try { decoded = decodeURIComponent(path) } catch { sendError(res, 400, 'BAD_ARGUMENT', 'bad URL encoding'); return true }
    serveFile(decoded, res).catch(fail)
    return true
  }
}
