// The deploy form: a CodeMirror editor holding the contract, the shard size and consensus, and
// the outcome (contract ID, members, receipt). Deploys from this tab's node, signed by its user.
import type { EditorView } from 'codemirror'
import { h, json, short } from './dom.ts'
import type { AppModel } from './model.ts'
import counterExample from '../../examples/contracts/Counter.js?raw'

/** The editor starts with the repository's Counter example (bundled as text). */
export const EXAMPLE_CONTRACT = counterExample

export class DeployView {
  readonly el = h('section', { id: 'view-deploy', class: 'view' })
  /** CodeMirror, loaded on its own chunk after the node started (undefined until then). */
  editor: EditorView | undefined
  private readonly model: AppModel
  private readonly out = h('div', { class: 'outcome', id: 'deploy-outcome' })

  constructor (model: AppModel, onDeployed: (contract: string) => void) {
    this.model = model
    const host = h('div', { class: 'editor', id: 'deploy-editor' })
    void Promise.all([import('codemirror'), import('@codemirror/lang-javascript')]).then(([cm, js]) => {
      this.editor = new cm.EditorView({ doc: EXAMPLE_CONTRACT, extensions: [cm.basicSetup, js.javascript()], parent: host })
    }, (err: Error) => { host.textContent = `The code editor did not load: ${err.message}` })
    const size = h('input', { type: 'number', id: 'deploy-k', min: 1, max: 15, value: 3 })
    const consensus = h('select', { id: 'deploy-consensus' }, h('option', { value: 'raft' }, 'Raft (crash faults)'), h('option', { value: 'pbft' }, 'PBFT (Byzantine faults)'), h('option', { value: 'solo' }, 'solo (k = 1)'))
    const button = h('button', { type: 'submit', id: 'deploy-button' }, 'Deploy')
    const form = h('form', {}, host, h('div', { class: 'row' }, h('label', {}, 'shard size k ', size), h('label', {}, 'consensus ', consensus), button))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      button.disabled = true
      this.out.replaceChildren(h('p', {}, 'Deploying…'))
      void this.deploy(this.editor?.state.doc.toString() ?? EXAMPLE_CONTRACT, Number(size.value), consensus.value as 'raft' | 'pbft' | 'solo')
        .then((id) => { if (id !== undefined) onDeployed(id) })
        .finally(() => { button.disabled = false })
    })
    this.el.append(h('h2', {}, 'Deploy a contract'), h('p', { class: 'muted' }, 'The paper\'s form (contract Name { … }) or an ES module; only exported functions can be called. The shard is the k peers closest to the new contract\'s ID.'), form, this.out)
  }

  async deploy (code: string, shardSize: number, consensus: 'raft' | 'pbft' | 'solo'): Promise<string | undefined> {
    const tab = this.model.tab
    const started = performance.now()
    try {
      const env = await tab.deployTx(code, { shardSize, consensus })
      const members = tab.node.chooseMembers(env.tx.contract, shardSize).map(m => m.peerId)
      this.model.rememberDeploy(env.tx.contract, code, shardSize, consensus, members)
      const answer = await tab.node.execute(env, 30_000)
      this.model.recordCall(performance.now() - started)
      const ok = answer.receipt.status === 'committed'
      this.out.replaceChildren(
        h('p', { class: ok ? 'committed' : 'failed' }, ok ? 'Deployed.' : `Deploy failed: ${answer.receipt.error?.code ?? ''} ${answer.receipt.error?.message ?? ''}`),
        h('p', {}, 'contract ', h('code', { id: 'deployed-contract' }, env.tx.contract)),
        h('p', {}, `members (k = ${shardSize}): `, ...members.map(m => h('span', { class: 'member-chip', title: m }, m === tab.peerId ? 'this tab' : short(m, 8)))),
        h('p', {}, `onCreate result ${json(answer.receipt.result)}, ${answer.matching}/${answer.needed} matching receipts, ${Math.round(performance.now() - started)} ms`),
      )
      return ok ? env.tx.contract : undefined
    } catch (err) {
      this.out.replaceChildren(h('p', { class: 'failed' }, `Deploy failed: ${(err as Error).message}`))
      return undefined
    }
  }

  update (): void {}
}
