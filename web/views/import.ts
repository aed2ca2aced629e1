// The identity import form, shown before the node starts when the URL says ?import or the host
// does not enroll tabs: a node identity and a user identity, the JSON files that
// `betasco network init` writes (pasted, or read from files).
import { h } from './dom.ts'

export function identityImporter (root: HTMLElement): (problem?: string) => Promise<{ node: unknown, user: unknown }> {
  return async (problem) => await new Promise((resolve) => {
    const node = h('textarea', { id: 'import-node', rows: 8, cols: 90, placeholder: '{ "v": 1, "kind": "node", … }' })
    const user = h('textarea', { id: 'import-user', rows: 8, cols: 90, placeholder: '{ "v": 1, "kind": "user", … }' })
    const fileInto = (area: HTMLTextAreaElement): HTMLInputElement => {
      const input = h('input', { type: 'file', accept: '.json,application/json' })
      input.addEventListener('change', () => { void input.files?.[0]?.text().then((t) => { area.value = t }) })
      return input
    }
    const error = h('p', { class: 'failed', id: 'import-error' }, problem ?? '')
    const form = h('form', { id: 'import-form' },
      h('h2', {}, 'Import an identity'),
      h('p', { class: 'muted' }, 'This tab runs a node of the network: it needs a node identity (its peer key and certificate) and a user identity (it signs your transactions), both issued by an organization of the genesis.'),
      h('p', {}, h('label', {}, 'node identity ', fileInto(node)), h('br'), node),
      h('p', {}, h('label', {}, 'user identity ', fileInto(user)), h('br'), user),
      error,
      h('button', { type: 'submit', id: 'import-button' }, 'Import and start'))
    form.addEventListener('input', () => { error.textContent = '' })
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      let parsed: { node: unknown, user: unknown }
      try {
        parsed = { node: JSON.parse(node.value), user: JSON.parse(user.value) }
      } catch {
        error.textContent = 'Both identities must be JSON.'
        return
      }
      form.remove()
      resolve(parsed)
    })
    root.replaceChildren(form)
  })
}
