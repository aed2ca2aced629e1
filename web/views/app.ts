// The dashboard: a header saying who this tab is, and one view at a time chosen by the URL's
// hash (#network, #contracts, #ledger, #deploy, #call, #figures), refreshed every second.
import type { BootedApp } from '../boot.ts'
import { CallView } from './call.ts'
import { ContractsView } from './contracts.ts'
import { DeployView } from './deploy.ts'
import { h, short } from './dom.ts'
import { FiguresView } from './figures.ts'
import { LedgerView } from './ledger.ts'
import { AppModel } from './model.ts'
import { NetworkView } from './network.ts'

export const VIEWS = ['network', 'contracts', 'ledger', 'deploy', 'call', 'figures'] as const
export type ViewName = typeof VIEWS[number]

const TITLES: Record<ViewName, string> = { network: 'Network', contracts: 'Contracts', ledger: 'Blocks & receipts', deploy: 'Deploy', call: 'Call', figures: 'Figures' }

export interface MountedApp {
  model: AppModel
  show: (view: ViewName) => void
  deploy: DeployView
  call: CallView
}

export function mountViews (root: HTMLElement, app: BootedApp): MountedApp {
  const model = new AppModel(app)
  const call = new CallView(model)
  const views = {
    network: new NetworkView(model),
    contracts: new ContractsView(model),
    ledger: new LedgerView(model),
    deploy: new DeployView(model, (id) => { call.select(id) }),
    call,
    figures: new FiguresView(model),
  }
  const status = h('span', { class: 'status', id: 'node-status' })
  const nav = h('nav', {}, ...VIEWS.map(v => h('a', { href: `#${v}`, 'data-view': v }, TITLES[v])))
  const tab = app.tab
  root.replaceChildren(
    h('header', {},
      h('h1', {}, 'BETASCO ', h('small', {}, 'a full node in this tab')),
      h('p', {}, h('strong', {}, tab.identity.name), ` (${tab.identity.org}) · peer `, h('code', { id: 'peer-id', title: tab.peerId }, short(tab.peerId, 12)),
        app.ids.resumed ? ' · resumed from this browser\'s storage' : ' · newly enrolled', ' · ', status),
      ...(app.ledgerLostBy !== undefined
        ? [h('p', { class: 'error', id: 'ledger-lost' }, `The browser deleted this tab's ledger (peer ${short(app.ledgerLostBy, 12)}), so the tab joined again as a new peer; the shards of the old peer replace it as they would a closed tab.`)]
        : [])),
    nav,
    h('main', {}, ...VIEWS.map(v => views[v].el)),
  )
  let current: ViewName = 'network'
  const show = (view: ViewName): void => {
    current = view
    for (const v of VIEWS) {
      views[v].el.hidden = v !== view
      nav.querySelector(`[data-view="${v}"]`)?.classList.toggle('active', v === view)
    }
    views[view].update()
  }
  const fromHash = (): void => {
    const v = location.hash.slice(1) as ViewName
    show(VIEWS.includes(v) ? v : 'network')
  }
  addEventListener('hashchange', fromHash)
  const refresh = (): void => {
    const peers = tab.node.peers().size
    const conns = tab.connections()
    const rtc = new Set(conns.filter(c => c.transport === 'webrtc').map(c => c.peerId)).size
    status.textContent = `${peers} admitted peers (${rtc} over WebRTC) · ${tab.node.hostedShards().length} shards hosted`
    call.update()
    if (current !== 'network') views.network.peers() // keep track of peers (and who left) while hidden
    views[current].update()
  }
  model.onChange(refresh)
  fromHash()
  refresh()
  return { model, show, deploy: views.deploy, call }
}
