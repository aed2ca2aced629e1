// The network test page: the same createNetworkPeer as a Node peer, with a tab's options
// (no listener, WebRTC through a relay, DHT client mode), driven from the Node test.
import { parseGenesis } from '../../../src/crypto/genesis.ts'
import { parseIdentity } from '../../../src/crypto/identity.ts'
import { createNetworkPeer } from '../../../src/network/peer.ts'
import type { NetworkPeer } from '../../../src/network/peer.ts'
import type { NetPageApi } from './api.ts'

let peer: NetworkPeer | undefined

function need (): NetworkPeer {
  if (peer === undefined) throw new Error('call start() first')
  return peer
}

const api: NetPageApi = {
  async start (genesisJson, identityJson, relayAddr) {
    const genesis = parseGenesis(genesisJson)
    const identity = await parseIdentity(identityJson, genesis)
    peer = await createNetworkPeer({ genesis, identity, dialOnly: true, webrtc: true, dhtServer: false, allowPrivateAddresses: true, iceServers: [], maxConnections: 16 })
    peer.locator.handle(async d => new TextEncoder().encode(`tab:${d.hops}`))
    await peer.connect(relayAddr)
    return { peerId: peer.peerId }
  },
  async webrtcAddr () {
    const p = need()
    for (let i = 0; i < 100; i++) {
      const a = p.node.getMultiaddrs().map(String).find(x => x.includes('/p2p-circuit/webrtc'))
      if (a !== undefined) return a
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    throw new Error('no /p2p-circuit/webrtc address within 10 s')
  },
  becomeMember (contract) {
    const p = need()
    p.locator.membership.record(contract, [{ peerId: p.peerId, org: p.admission.ownOrg, addrs: [] }])
  },
  async route (contract) {
    const r = await need().locator.route(contract, new Uint8Array(16))
    return { deliveredBy: r.deliveredBy, hops: r.hops, path: r.path, response: new TextDecoder().decode(r.response) }
  },
  admitted () { return [...need().admission.peers().keys()] },
  connections () {
    return need().node.getConnections().map(c => ({ peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), limited: c.limits !== undefined }))
  },
  async stop () { await peer?.stop(); peer = undefined },
}

;(globalThis as unknown as { __net: NetPageApi }).__net = api
