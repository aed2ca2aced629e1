// The call form: pick a contract, a method and a JSON argument; the result comes back with the
// number of matching receipts the entry node (this tab) collected. Also a small load generator.
import type { Json } from '../../src/core/shape.ts'
import { h, json, short } from './dom.ts'
import type { AppModel } from './model.ts'

export class CallView {
  readonly el = h('section', { id: 'view-call', class: 'view' })
  private readonly model: AppModel
  private readonly contract = h('select', { id: 'call-contract' })
  private readonly other = h('input', { id: 'call-contract-id', placeholder: 'or paste a contract ID (64 hex digits)', size: 66 })
  private readonly method = h('input', { id: 'call-method', value: 'call' })
  private readonly arg = h('input', { id: 'call-arg', value: 'null' })
  private readonly out = h('div', { class: 'outcome', id: 'call-outcome' })
  private readonly history = h('ol', { class: 'history', reversed: true })
  private loadTimer: ReturnType<typeof setInterval> | undefined
  /** Calls sent from this view and not answered yet. */
  pending = 0

  constructor (model: AppModel) {
    this.model = model
    const button = h('button', { type: 'submit', id: 'call-button' }, 'Call')
    const form = h('form', {},
      h('div', { class: 'row' }, h('label', {}, 'contract ', this.contract), this.other),
      h('div', { class: 'row' }, h('label', {}, 'method ', this.method), h('label', {}, 'argument (JSON) ', this.arg), button))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      button.disabled = true
      void this.call().finally(() => { button.disabled = false })
    })
    const rate = h('input', { type: 'number', id: 'load-rate', min: 1, max: 50, value: 5 })
    const load = h('button', { type: 'button', id: 'load-button' }, 'Start load')
    load.addEventListener('click', () => {
      if (this.loadTimer !== undefined) { clearInterval(this.loadTimer); this.loadTimer = undefined; load.textContent = 'Start load'; return }
      load.textContent = 'Stop load'
      this.loadTimer = setInterval(() => { void this.call(true) }, Math.max(20, 1000 / Number(rate.value)))
    })
    this.el.append(h('h2', {}, 'Call a contract'), form, this.out,
      h('p', { class: 'row' }, h('label', {}, 'load: calls per second ', rate), load),
      h('h3', {}, 'This tab\'s calls'), this.history)
  }

  selected (): string {
    const pasted = this.other.value.trim()
    return pasted !== '' ? pasted : this.contract.value
  }

  async call (quiet = false): Promise<void> {
    const contract = this.selected()
    if (!/^[0-9a-f]{64}$/.test(contract)) { this.out.replaceChildren(h('p', { class: 'failed' }, 'Choose a contract.')); return }
    let arg: Json
    try { arg = JSON.parse(this.arg.value === '' ? 'null' : this.arg.value) as Json } catch { this.out.replaceChildren(h('p', { class: 'failed' }, 'The argument is not JSON.')); return }
    const started = performance.now()
    this.pending++
    try {
      this.model.rememberContract(contract)
      const r = await this.model.tab.call(contract, this.method.value, arg, 30_000)
      const ms = Math.round(performance.now() - started)
      this.model.recordCall(ms)
      const ok = r.receipt.status === 'committed'
      const line = ok ? `${this.method.value}(${json(arg)}) → ${json(r.receipt.result)}` : `${this.method.value}(${json(arg)}) failed: ${r.receipt.error?.code ?? ''} ${r.receipt.error?.message ?? ''}`
      if (!quiet) this.out.replaceChildren(h('p', { class: ok ? 'committed' : 'failed', id: 'call-result' }, line), h('p', { class: 'muted' }, `block ${r.receipt.height}, ${r.matching}/${r.needed} matching receipts, ${ms} ms, tx ${short(r.txId, 12)}`))
      this.history.prepend(h('li', {}, `${line} (${ms} ms)`))
      while (this.history.children.length > 30) this.history.lastElementChild?.remove()
    } catch (err) {
      if (!quiet) this.out.replaceChildren(h('p', { class: 'failed' }, `Call failed: ${(err as Error).message}`))
    } finally {
      this.pending--
    }
  }

  update (): void {
    const ids = [...this.model.contracts.keys()]
    const current = this.contract.value
    if (ids.length === this.contract.options.length && ids.every((id, i) => this.contract.options[i]!.value === id)) return
    this.contract.replaceChildren(...ids.map(id => h('option', { value: id }, `${this.model.contracts.get(id)!.name ?? 'contract'} ${short(id, 12)}`)))
    if (ids.includes(current)) this.contract.value = current
  }

  select (contract: string): void {
    this.update()
    this.contract.value = contract
    this.other.value = ''
  }
}
