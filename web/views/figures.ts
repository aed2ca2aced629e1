// The node's own figures as live uPlot charts: transactions committed per second by the shards
// this tab is a member of, and the latency (and rate) of the calls made from this tab.
import type uPlot from 'uplot'
import { h } from './dom.ts'
import type { AppModel } from './model.ts'

export class FiguresView {
  readonly el = h('section', { id: 'view-figures', class: 'view' })
  private readonly model: AppModel
  private tps: uPlot | undefined
  private latency: uPlot | undefined
  private readonly tpsBox = h('div', { class: 'chart', id: 'chart-tps' })
  private readonly latencyBox = h('div', { class: 'chart', id: 'chart-latency' })
  private readonly summary = h('p', {})

  constructor (model: AppModel) {
    this.model = model
    this.el.append(h('h2', {}, 'Figures of this node'), this.summary, this.tpsBox, this.latencyBox)
  }

  private loading: Promise<typeof uPlot> | undefined
  private UPlot: typeof uPlot | undefined

  /** uPlot is loaded on its own chunk the first time the figures are shown. */
  private ensure (): boolean {
    if (this.tps !== undefined) return true
    if (this.UPlot === undefined) {
      this.loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => {
        this.UPlot = m.default
        this.update()
        return m.default
      })
      return false
    }
    const UPlot = this.UPlot
    const width = Math.max(480, Math.min(900, (this.el.clientWidth || 900) - 20))
    this.tps = new UPlot({
      title: 'Transactions committed per second (shards hosted in this tab)',
      width, height: 220,
      series: [{}, { label: 'tx/s', stroke: '#3182bd', fill: 'rgba(49,130,189,0.15)', width: 2, points: { show: false } }],
      axes: [{}, { label: 'tx/s' }],
      scales: { x: { time: true } },
    }, [[], []], this.tpsBox)
    this.latency = new UPlot({
      title: 'Calls from this tab: latency and rate',
      width, height: 220,
      series: [{}, { label: 'latency (ms)', stroke: '#e6550d', width: 2, scale: 'ms', spanGaps: true }, { label: 'calls/s', stroke: '#31a354', width: 1, scale: 'n', points: { show: false } }],
      axes: [{}, { scale: 'ms', label: 'ms' }, { scale: 'n', side: 1, label: 'calls/s', grid: { show: false } }],
      scales: { x: { time: true } },
    }, [[], [], []], this.latencyBox)
    return true
  }

  update (): void {
    if (!this.el.isConnected || this.el.offsetParent === null) return // hidden: draw when shown
    if (!this.ensure()) return
    const s = this.model.samples
    const xs = s.map(x => x.t)
    this.tps!.setData([xs, s.map(x => x.tps)])
    this.latency!.setData([xs, s.map(x => x.latencyMs), s.map(x => x.calls)])
    const c = this.model.tab.node.counters
    const recent = s.slice(-10)
    const avgTps = recent.length === 0 ? 0 : recent.reduce((a, x) => a + x.tps, 0) / recent.length
    this.summary.textContent = `last 10 s: ${avgTps.toFixed(1)} tx/s committed here · totals: ${c.committed} committed, ${c.failed} failed, ${c.blocks} blocks, ${c.forwarded} forwarded, ${c.received} received from clients`
  }
}
