// The simulator's agenda: events ordered by virtual time, ties broken by insertion order, so a
// run is a pure function of its seed.

interface Item<T> { at: number, seq: number, event: T }

export class EventQueue<T> {
  private readonly heap: Item<T>[] = []
  private seq = 0

  get size (): number { return this.heap.length }

  push (at: number, event: T): void {
    const h = this.heap
    h.push({ at, seq: this.seq++, event })
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  peekTime (): number | undefined { return this.heap[0]?.at }

  pop (): { at: number, event: T } | undefined {
    const h = this.heap
    const top = h[0]
    if (top === undefined) return undefined
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && less(h[l]!, h[m]!)) m = l
        if (r < h.length && less(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return { at: top.at, event: top.event }
  }
}

function less<T> (a: Item<T>, b: Item<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
