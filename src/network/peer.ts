// A network peer: the libp2p node with admission (and the locator) wired together. This is
// what the node layer composes; it takes every environment choice as an option.
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { BetascoError } from '../core/errors.ts'
import { Admission } from './admission.ts'
import type { AdmissionOptions } from './admission.ts'
import { Locator } from './locator.ts'
import type { LocatorOptions } from './locator.ts'
import { createLibp2pNode } from './node.ts'
import type { BetascoLibp2p, Libp2pNodeOptions } from './node.ts'

export interface NetworkPeerOptions extends Omit<Libp2pNodeOptions, 'isDenied'> {
  nowMs?: () => number
  admissionTimeoutMs?: number
  /** Period of the re-check of connected peers' certificates (default 60 s, 0 = off). */
  admissionRecheckMs?: number
  locator?: Omit<LocatorOptions, 'genesis' | 'node' | 'admission' | 'nowMs'>
}

export interface NetworkPeer {
  readonly node: BetascoLibp2p
  readonly admission: Admission
  readonly locator: Locator
  readonly peerId: string
  /** Dials a peer (3 attempts) and waits until it is admitted (or throws its rejection). */
  connect (addr: string | Multiaddr): Promise<string>
  stop (): Promise<void>
}

const CONNECT_ATTEMPTS = 3

export async function createNetworkPeer (opts: NetworkPeerOptions): Promise<NetworkPeer> {
  const aOpts: AdmissionOptions = { genesis: opts.genesis, identity: opts.identity }
  if (opts.nowMs !== undefined) aOpts.nowMs = opts.nowMs
  if (opts.admissionTimeoutMs !== undefined) aOpts.timeoutMs = opts.admissionTimeoutMs
  if (opts.admissionRecheckMs !== undefined) aOpts.recheckMs = opts.admissionRecheckMs
  const admission = new Admission(aOpts)
  const node = await createLibp2pNode({ ...opts, isDenied: admission.isDenied })
  await admission.start(node)
  const locator = new Locator({ ...opts.locator, genesis: opts.genesis, node, admission, ...(opts.nowMs !== undefined ? { nowMs: opts.nowMs } : {}) })
  await locator.start()
  let stopped = false
  return {
    node,
    admission,
    locator,
    peerId: node.peerId.toString(),
    async connect (addr) {
      const ma = typeof addr === 'string' ? multiaddr(addr) : addr
      // a dial or handshake can fail transiently (a loaded machine, a simultaneous dial from the
      // other side); admission verdicts are final
      for (let attempt = 1; ; attempt++) {
        try {
          const conn = await node.dial(ma, { signal: AbortSignal.timeout(15_000) })
          return (await admission.waitFor(conn.remotePeer.toString())).peerId ?? conn.remotePeer.toString()
        } catch (err) {
          const transient = !(err instanceof BetascoError) || err.code === 'CLOSED' || err.code === 'TIMEOUT'
          if (attempt >= CONNECT_ATTEMPTS || !transient || node.status !== 'started') throw err
          await new Promise(resolve => setTimeout(resolve, 250 * attempt))
        }
      }
    },
    async stop () {
      if (stopped) return
      stopped = true
      await locator.stop()
      await admission.stop()
      await node.stop()
    }
  }
}
