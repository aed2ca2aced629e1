// Two Node peers without listeners of their own (like browser tabs) reach each other over
// WebRTC, signalled through a circuit relay on a third peer; the locator then routes across
// that WebRTC link alone (the relay is stopped first).
import { afterAll, describe, expect, it } from 'vitest'
import { toHex } from '../../src/core/bytes.ts'
import { sortByDistance } from '../../src/network/distance.ts'
import type { NetworkPeer } from '../../src/network/peer.ts'
import { makeConsortium, nodeIdentities, startPeer, stopAll, wsAddr } from './fixtures.ts'

const peers: NetworkPeer[] = []
afterAll(async () => { await stopAll(peers) })

describe('WebRTC through a circuit relay', () => {
  it('connects two dial-only peers over WebRTC and routes a contract message across that link', async () => {
    const m = await makeConsortium(1)
    const [r, b, c] = nodeIdentities(m)
    const relay = await startPeer(m.genesis, r!, { relayServer: true })
    peers.push(relay)
    const tab = { dialOnly: true, webrtc: true, dhtServer: false, iceServers: [] }
    const pb = await startPeer(m.genesis, b!, tab)
    const pc = await startPeer(m.genesis, c!, tab)
    peers.push(pb, pc)
    await pb.connect(wsAddr(relay))
    await pc.connect(wsAddr(relay))
    // B becomes reachable through its relay reservation: a /p2p-circuit/webrtc address
    let target: string | undefined
    for (let i = 0; i < 100 && target === undefined; i++) {
      target = pb.node.getMultiaddrs().map(String).find(a => a.includes('/p2p-circuit/webrtc'))
      if (target === undefined) await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(target).toBeDefined()
    expect(pb.node.getMultiaddrs().map(String).some(a => a.includes('/tcp/') && !a.includes('/p2p-circuit'))).toBe(false)
    await pc.connect(target!)
    const direct = pc.node.getConnections(pb.node.peerId).filter(x => x.limits === undefined)
    expect(direct.map(x => x.remoteAddr.toString()).some(a => a.includes('/webrtc'))).toBe(true)
    expect(pb.admission.identityOf(pc.peerId)?.name).toBe(c!.name)

    // a contract whose closest peer is B; only B is a member
    let contract = ''
    for (let i = 0; i < 1000; i++) {
      const x = toHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))
      if (sortByDistance(x, [relay.peerId, pb.peerId, pc.peerId])[0] === pb.peerId) { contract = x; break }
    }
    expect(contract).not.toBe('')
    pb.locator.membership.record(contract, [{ peerId: pb.peerId, org: b!.org, addrs: [] }])
    pb.locator.handle(async d => new TextEncoder().encode(`B got ${d.payload.length} bytes after ${d.hops} hops`))

    // with the relay gone, the WebRTC connection is the only link between B and C
    await relay.stop()
    for (let i = 0; i < 100 && pc.locator.neighbours().includes(relay.peerId); i++) await new Promise(resolve => setTimeout(resolve, 50))
    expect(pc.locator.neighbours()).toEqual([pb.peerId])
    const res = await pc.locator.route(contract, new Uint8Array(7))
    expect(res.deliveredBy).toBe(pb.peerId)
    expect(res.path).toEqual([pc.peerId, pb.peerId])
    expect(new TextDecoder().decode(res.response)).toBe('B got 7 bytes after 1 hops')
    expect(pc.node.getConnections(pb.node.peerId).map(x => x.remoteAddr.toString()).every(a => a.includes('/webrtc'))).toBe(true)
  })
})
