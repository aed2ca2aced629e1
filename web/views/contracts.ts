// The contracts view: each contract this tab knows (hosts, deployed or called), with its shard
// members, consensus, height, leader and, where this tab is a member, its code and state.
import { h, short, table } from './dom.ts'
import type { AppModel } from './model.ts'

export class ContractsView {
  readonly el = h('section', { id: 'view-contracts', class: 'view' })
  private readonly model: AppModel

  constructor (model: AppModel) {
    this.model = model
  }

  update (): void {
    const node = this.model.tab.node
    const self = this.model.tab.peerId
    const cards = [...this.model.contracts.values()].map((c) => {
      const s = node.shardStatus(c.id)
      const state = node.contractState(c.id)
      const online = new Set([self, ...node.peers().keys()])
      return h('article', { class: 'contract-card', 'data-contract': c.id },
        h('h3', {}, `${c.name ?? 'contract'} `, h('code', { title: c.id }, short(c.id, 16))),
        table(['shard size', 'consensus', 'height', 'leader', 'config version', 'hosted here'], [[
          String(c.shardSize), c.consensus,
          s !== undefined ? String(s.height) : c.remote !== undefined ? `${c.remote.height} (host)` : '—',
          s !== undefined ? (s.leader === null ? '—' : short(s.leader, 8)) : c.remote?.leader != null ? short(c.remote.leader, 8) : '—',
          s !== undefined ? String(s.configVersion) : c.remote !== undefined ? String(c.remote.configVersion) : '—',
          s === undefined ? 'no' : 'yes (member)',
        ]]),
        h('p', {}, h('strong', {}, 'members: '), ...c.members.map(m => h('span', { class: online.has(m) ? 'member-chip' : 'member-chip gone', title: m }, m === self ? 'this tab' : short(m, 8)))),
        state === undefined ? h('p', { class: 'muted' }, 'state: held by the shard members') : h('p', {}, h('strong', {}, 'state (Global): '), h('code', { class: 'state' }, state)),
        c.code === undefined ? null : h('details', {}, h('summary', {}, 'code'), h('pre', {}, c.code)),
      )
    })
    this.el.replaceChildren(h('h2', {}, 'Contracts'), ...(cards.length === 0 ? [h('p', { class: 'muted' }, 'No contract yet: deploy one.')] : cards))
  }
}
