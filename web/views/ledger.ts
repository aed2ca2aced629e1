// Blocks and receipts as this tab's shards commit them (newest first).
import { h, json, short, table } from './dom.ts'
import type { AppModel } from './model.ts'

export class LedgerView {
  readonly el = h('section', { id: 'view-ledger', class: 'view' })
  private readonly model: AppModel

  constructor (model: AppModel) {
    this.model = model
  }

  update (): void {
    const rows = this.model.ledger.slice(0, 40).map(e => [
      new Date(e.atMs).toLocaleTimeString(),
      e.kind,
      h('code', { title: e.shard }, short(e.shard, 10)),
      String(e.height),
      e.kind === 'block' ? `${e.txs ?? 0} txs` : h('code', { title: e.receipt!.txId }, short(e.receipt!.txId, 10)),
      e.kind === 'block' ? '' : h('span', { class: e.receipt!.status }, e.receipt!.status),
      e.kind === 'block' ? '' : e.receipt!.status === 'committed' ? json(e.receipt!.result) : `${e.receipt!.error?.code ?? ''} ${e.receipt!.error?.message ?? ''}`,
      e.kind === 'block' ? '' : String(e.receipt!.gasUsed),
    ])
    const blocks = this.model.ledger.filter(e => e.kind === 'block').length
    this.el.replaceChildren(
      h('h2', {}, 'Blocks and receipts'),
      h('p', {}, `Committed by the shards this tab is a member of: ${blocks} blocks and ${this.model.ledger.length - blocks} receipts in view (latest ${this.model.ledger.length}).`),
      table(['time', 'kind', 'shard', 'height', 'txs / tx', 'status', 'result', 'gas'], rows, 'No block yet: this tab is not a member of a shard that committed one.'),
    )
  }
}
