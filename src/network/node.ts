// The libp2p node of a BETASCO peer, one factory for both environments (DESIGN §1, §6).
// The caller (the composition root) chooses what differs: a Node peer listens on WebSockets and
// may serve as relay; a tab only dials out and is reached through a relay over WebRTC.
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { webRTC } from '@libp2p/webrtc'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import type { Ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import type { KadDHT } from '@libp2p/kad-dht'
import { bootstrap } from '@libp2p/bootstrap'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import { BetascoError } from '../core/errors.ts'
import { networkId } from '../crypto/genesis.ts'
import type { Genesis } from '../crypto/genesis.ts'
import type { Identity } from '../crypto/identity.ts'

export interface BetascoServices {
  identify: Identify
  ping: Ping
  dht?: KadDHT
  relay?: CircuitRelayService
}

export type BetascoLibp2p = Libp2p<BetascoServices & Record<string, unknown>>

export interface Libp2pNodeOptions {
  genesis: Genesis
  /** A node identity (its certificate names the peer ID of `peerPrivateKey`). */
  identity: Identity
  /** Listen addresses, e.g. `/ip4/127.0.0.1/tcp/0/ws` for a Node peer. Ignored when dialOnly. */
  listen?: string[]
  /** A tab: no listener of its own, reachable only through relays (over WebRTC). */
  dialOnly?: boolean
  /** Enable the WebRTC transport (signalled through circuit relay) and listen on `/webrtc`. */
  webrtc?: boolean
  /**
   * ICE servers for WebRTC. Unset: libp2p's public STUN servers. A LAN or loopback network
   * passes [] (no STUN lookups that cannot succeed offline).
   */
  iceServers?: RTCIceServer[]
  /** Act as a circuit relay (v2) server for tabs. */
  relayServer?: boolean
  /** Make relay reservations on connected relays (`/p2p-circuit` listen address). */
  reserveOnRelays?: boolean
  /** Multiaddrs (with /p2p/) dialled at start. */
  bootstrap?: string[]
  /**
   * Keep private and loopback addresses in DHT records. Needed on a LAN or loopback test
   * network; on the Internet leave it false so private addresses are not gossiped.
   */
  allowPrivateAddresses?: boolean
  /**
   * Run kad-dht (default true). Without it the locator only knows its neighbours: Algorithm 1
   * exactly as the paper has it, used to measure routing over a sparse overlay.
   */
  dht?: boolean
  /** DHT server mode (answers queries). Node peers: true; tabs cannot be dialled: false. */
  dhtServer?: boolean
  /** Refuses connections to and from these peers (e.g. failed admission), checked after noise. */
  isDenied?: (peerId: PeerId) => boolean
  maxConnections?: number
  /**
   * How often the DHT looks up its own key again to refresh its routing table (kad-dht
   * default: 5 min). The first self-lookup always runs (kad-dht holds every query until it
   * has), so this only limits the later ones.
   */
  dhtQuerySelfIntervalMs?: number
}

/** Protocol prefix of this network: `/betasco/<first 16 hex digits of the network ID>`. */
export function protocolPrefix (genesis: Genesis): string {
  return `/betasco/${networkId(genesis).slice(0, 16)}`
}

/** Builds (and starts) the libp2p node. Environment choices come from the options only. */
export async function createLibp2pNode (opts: Libp2pNodeOptions): Promise<BetascoLibp2p> {
  const id = opts.identity
  if (id.kind !== 'node' || id.peerPrivateKey === undefined) throw new BetascoError('BAD_ARGUMENT', `identity ${id.name} is not a node identity with a peer key`)
  if (id.network !== networkId(opts.genesis)) throw new BetascoError('WRONG_NETWORK', `identity ${id.name} belongs to another network`)
  let privateKey
  try {
    privateKey = privateKeyFromProtobuf(id.peerPrivateKey)
  } catch (err) {
    throw new BetascoError('BAD_ARGUMENT', `identity ${id.name}: bad peer key (${(err as Error).message})`)
  }
  const listen: string[] = opts.dialOnly === true ? [] : [...(opts.listen ?? [])]
  if (opts.webrtc === true) listen.push('/webrtc')
  if (opts.reserveOnRelays === true || opts.dialOnly === true) listen.push('/p2p-circuit')
  const prefix = protocolPrefix(opts.genesis)
  const isDenied = opts.isDenied
  const gater: ConnectionGater = {
    // loopback and private addresses are this network's business, not libp2p's default filter
    denyDialMultiaddr: () => false,
    denyInboundEncryptedConnection: (peerId) => isDenied?.(peerId) ?? false,
    denyOutboundEncryptedConnection: (peerId) => isDenied?.(peerId) ?? false,
    denyDialPeer: (peerId) => isDenied?.(peerId) ?? false
  }
  const services: Record<string, unknown> = {
    identify: identify(),
    // kad-dht pings new and old contacts concurrently; at the default of 1 outbound ping per
    // connection the excess fails and, under load, took the admission stream down with it
    ping: ping({ maxOutboundStreams: 4, maxInboundStreams: 4 })
  }
  if (opts.dht !== false) {
    services.dht = kadDHT({
      protocol: `${prefix}/kad/1.0.0`,
      clientMode: opts.dhtServer !== true,
      peerInfoMapper: opts.allowPrivateAddresses === true ? passthroughMapper : removePrivateAddressesMapper,
      ...(opts.dhtQuerySelfIntervalMs !== undefined ? { querySelfInterval: opts.dhtQuerySelfIntervalMs } : {})
    })
  }
  if (opts.relayServer === true) services.relay = circuitRelayServer({ reservations: { maxReservations: 128 } })
  const transports = [webSockets(), circuitRelayTransport()] as Array<ReturnType<typeof webSockets>>
  if (opts.webrtc === true) {
    const rtc = opts.iceServers !== undefined ? webRTC({ rtcConfiguration: { iceServers: opts.iceServers } }) : webRTC()
    transports.push(rtc as unknown as ReturnType<typeof webSockets>)
  }
  const node = await createLibp2p({
    privateKey,
    addresses: { listen },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    connectionManager: { maxConnections: opts.maxConnections ?? 200 },
    peerDiscovery: opts.bootstrap !== undefined && opts.bootstrap.length > 0 ? [bootstrap({ list: opts.bootstrap })] : [],
    services: services as never
  })
  return node as unknown as BetascoLibp2p
}
