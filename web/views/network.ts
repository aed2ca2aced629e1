// The network view: every peer this tab knows placed on the Kademlia key space (a ring ordered
// by SHA-256 of the peer ID, the same keys Algorithm 1 and kad-dht use), the contracts placed by
// their own keys, and each shard drawn as a group joining its contract to its members. Members
// that are gone are drawn hollow and crossed, so a shard visibly shrinks and heals with churn.
import { contractKadId, peerKadId } from '../../src/network/distance.ts'
import { h, short, svg, table } from './dom.ts'
import type { AppModel } from './model.ts'

const SIZE = 560
const R_PEERS = 215
const R_CONTRACTS = 150
const MAX_SEEN = 500
const ORG_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf']
const SHARD_COLORS = ['#e6550d', '#3182bd', '#31a354', '#756bb1', '#de2d26', '#636363', '#bcbd22', '#17becf']

interface PeerDot { peerId: string, name: string, org: string, tab: boolean, self: boolean, connected: string | null, admitted: boolean }

/** Angle of a key on the ring: its first 32 bits as a fraction of the key space. */
function angleOf (key: Uint8Array): number {
  const v = ((key[0]! << 24) >>> 0) + (key[1]! << 16) + (key[2]! << 8) + key[3]!
  return (v / 2 ** 32) * 2 * Math.PI - Math.PI / 2
}

function at (angle: number, r: number): [number, number] {
  return [SIZE / 2 + r * Math.cos(angle), SIZE / 2 + r * Math.sin(angle)]
}

/** Length of the common prefix of two keys in bits: larger is closer under XOR. */
function commonPrefixBits (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return a.length * 8
}

export class NetworkView {
  readonly el = h('section', { id: 'view-network', class: 'view' })
  private readonly model: AppModel
  /** Peers seen before: a peer that left stays on the ring, hollow, so churn stays visible. */
  private readonly seen = new Map<string, PeerDot>()

  constructor (model: AppModel) {
    this.model = model
  }

  peers (): PeerDot[] {
    const tab = this.model.tab
    const conns = tab.connections()
    const admitted = tab.node.peers()
    const out = new Map<string, PeerDot>()
    out.set(tab.peerId, { peerId: tab.peerId, name: tab.identity.name, org: tab.identity.org, tab: true, self: true, connected: 'self', admitted: true })
    for (const d of tab.directory) {
      if (d.peerId === tab.peerId) continue
      out.set(d.peerId, { peerId: d.peerId, name: d.name, org: d.org, tab: d.tab, self: false, connected: null, admitted: false })
    }
    for (const [peerId, who] of admitted) {
      const p = out.get(peerId) ?? { peerId, name: who.name, org: who.org, tab: false, self: false, connected: null, admitted: true }
      p.admitted = true
      p.org = who.org
      p.name = who.name
      out.set(peerId, p)
    }
    for (const c of conns) {
      const p = out.get(c.peerId)
      if (p === undefined) continue
      // the best transport of this peer's connections: WebRTC over a relayed circuit
      if (p.connected === null || c.transport === 'webrtc') p.connected = c.transport
      if (c.transport === 'webrtc') p.tab = true // only tabs are reached over WebRTC here
    }
    for (const p of out.values()) this.seen.set(p.peerId, { ...p, tab: p.tab || (this.seen.get(p.peerId)?.tab ?? false) })
    while (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.keys().next().value as string)
    // gone peers (seen before, or shard members never met) stay drawn, disconnected
    for (const [peerId, p] of this.seen) if (!out.has(peerId)) out.set(peerId, { ...p, connected: null, admitted: false })
    for (const c of this.model.contracts.values()) {
      for (const m of c.members) if (!out.has(m)) out.set(m, { peerId: m, name: 'unknown peer', org: c.config?.members.find(x => x.peerId === m)?.org ?? '', tab: false, self: false, connected: null, admitted: false })
    }
    return [...out.values()]
  }

  update (): void {
    const peers = this.peers()
    const orgs = [...new Set(peers.map(p => p.org).filter(o => o !== ''))].sort()
    const color = (org: string): string => ORG_COLORS[orgs.indexOf(org) % ORG_COLORS.length] ?? '#888'
    const selfKey = peerKadId(this.model.tab.peerId)
    const online = new Set(peers.filter(p => p.self || p.connected !== null).map(p => p.peerId))
    const pos = new Map(peers.map(p => [p.peerId, at(angleOf(peerKadId(p.peerId)), R_PEERS)]))

    const drawing = svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, width: SIZE, height: SIZE, class: 'keyspace', role: 'img', 'aria-label': 'peers and shards on the XOR key space' })
    drawing.append(svg('circle', { cx: SIZE / 2, cy: SIZE / 2, r: R_PEERS, class: 'ring' }))
    drawing.append(svg('circle', { cx: SIZE / 2, cy: SIZE / 2, r: R_CONTRACTS, class: 'ring inner' }))
    drawing.append(svg('text', { x: SIZE / 2, y: SIZE / 2 - 6, class: 'caption' }, 'key space'))
    drawing.append(svg('text', { x: SIZE / 2, y: SIZE / 2 + 12, class: 'caption small' }, 'SHA-256, XOR metric'))
    // this tab's connections
    const [sx, sy] = pos.get(this.model.tab.peerId)!
    for (const p of peers) {
      if (p.self || p.connected === null) continue
      const [x, y] = pos.get(p.peerId)!
      drawing.append(svg('line', { x1: sx, y1: sy, x2: x, y2: y, class: `link ${p.connected}` }))
    }
    // shards as groups: contract → members
    const contracts = [...this.model.contracts.values()].filter(c => c.members.length > 0)
    contracts.forEach((c, i) => {
      const shardColor = SHARD_COLORS[i % SHARD_COLORS.length]!
      const [cx, cy] = at(angleOf(contractKadId(c.id)), R_CONTRACTS)
      const memberPoints = c.members.map(m => pos.get(m)).filter((x): x is [number, number] => x !== undefined)
      if (memberPoints.length >= 3) {
        drawing.append(svg('polygon', { points: memberPoints.map(([x, y]) => `${x},${y}`).join(' '), class: 'shard-hull', fill: shardColor, stroke: shardColor }))
      }
      for (const m of c.members) {
        const p = pos.get(m)
        if (p === undefined) continue
        drawing.append(svg('line', { x1: cx, y1: cy, x2: p[0], y2: p[1], class: online.has(m) ? 'member' : 'member gone', stroke: shardColor }))
      }
      drawing.append(svg('rect', { x: cx - 6, y: cy - 6, width: 12, height: 12, transform: `rotate(45 ${cx} ${cy})`, fill: shardColor, class: 'contract' }))
      drawing.append(svg('text', { x: cx, y: cy - 12, class: 'label' }, `${c.name ?? 'contract'} ${short(c.id, 6)}`))
    })
    for (const p of peers) {
      const [x, y] = pos.get(p.peerId)!
      const gone = !online.has(p.peerId)
      const shape = p.tab
        ? svg('circle', { cx: x, cy: y, r: p.self ? 11 : 8, fill: gone ? '#fff' : color(p.org), stroke: color(p.org), class: p.self ? 'peer self' : 'peer' })
        : svg('rect', { x: x - 8, y: y - 8, width: 16, height: 16, fill: gone ? '#fff' : color(p.org), stroke: color(p.org), class: 'peer' })
      drawing.append(shape)
      const [lx, ly] = at(angleOf(peerKadId(p.peerId)), R_PEERS + 22)
      drawing.append(svg('text', { x: lx, y: ly, class: 'label' }, `${p.self ? 'this tab' : p.tab ? 'tab' : 'node'} ${short(p.peerId, 4)}`))
    }

    const rows = peers.map(p => [
      h('span', { class: 'swatch', style: `background:${color(p.org)}` }),
      p.self ? `${p.name} (this tab)` : p.name,
      p.org,
      p.tab ? 'tab' : 'Node peer',
      p.connected ?? 'not connected',
      p.admitted ? 'yes' : 'no',
      p.self ? '—' : String(commonPrefixBits(selfKey, peerKadId(p.peerId))),
      h('code', { title: p.peerId }, short(p.peerId, 10)),
    ])
    const legend = h('p', { class: 'legend' },
      '■ Node peer  ● tab  ◆ contract — lines from a contract join its shard members (hollow, dashed: member gone); ',
      h('span', { class: 'webrtc-key' }, '— WebRTC'), ' ', h('span', { class: 'ws-key' }, '— WebSockets'), ' connections of this tab.')
    this.el.replaceChildren(
      h('h2', {}, 'Network'),
      h('p', {}, `${peers.length - 1} other peers known, ${online.size - 1} connected, ${contracts.length} shards drawn (hosted here, deployed from here, or hosted by the host's node).`),
      h('div', { class: 'network' }, drawing, h('div', {}, legend, table(['', 'name', 'org', 'kind', 'connection', 'admitted', 'common prefix (bits)', 'peer ID'], rows))),
    )
  }
}
