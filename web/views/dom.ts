// A tiny DOM builder for the views (no framework: the views are few and mostly tables).
export type Child = Node | string | number | null | undefined | false

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Record<string, string | number | boolean | EventListener | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v)
    else if (v === true) el.setAttribute(k, '')
    else el.setAttribute(k, String(v))
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c)
  return el
}

export function svg<K extends keyof SVGElementTagNameMap> (tag: K, attrs: Record<string, string | number> = {}, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  for (const c of children) el.append(c)
  return el
}

export function short (id: string, n = 8): string {
  return id.length <= n + 1 ? id : `…${id.slice(-n)}`
}

export function table (head: string[], rows: Child[][], empty = 'nothing yet'): HTMLTableElement {
  return h('table', {},
    h('thead', {}, h('tr', {}, ...head.map(t => h('th', {}, t)))),
    h('tbody', {}, ...(rows.length === 0 ? [h('tr', {}, h('td', { colspan: head.length, class: 'empty' }, empty))] : rows.map(r => h('tr', {}, ...r.map(c => h('td', {}, c)))))))
}

export function json (value: unknown): string {
  try { return JSON.stringify(value) } catch { return String(value) }
}
