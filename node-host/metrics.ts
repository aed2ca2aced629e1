// Prometheus text exposition for `/v1/metrics`: counters and gauges read from the node, and
// latency histograms the API records (tx submit → matching receipt, HTTP request time).
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export class Histogram {
  readonly buckets: number[]
  readonly counts: number[]
  sum = 0
  count = 0

  constructor (buckets = LATENCY_BUCKETS_S) {
    this.buckets = buckets
    this.counts = buckets.map(() => 0)
  }

  observe (value: number): void {
    this.sum += value
    this.count++
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++
  }

  render (name: string, labels = ''): string[] {
    const sep = labels === '' ? '' : ','
    const lines = this.buckets.map((b, i) => `${name}_bucket{${labels}${sep}le="${b}"} ${this.counts[i]}`)
    lines.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`)
    const l = labels === '' ? '' : `{${labels}}`
    lines.push(`${name}_sum${l} ${this.sum}`, `${name}_count${l} ${this.count}`)
    return lines
  }
}

export interface Metric {
  name: string
  help: string
  type: 'counter' | 'gauge'
  value: number
}

export function renderMetrics (metrics: Metric[], histograms: Array<{ name: string, help: string, series: Array<{ labels: string, h: Histogram }> }>): string {
  const out: string[] = []
  for (const m of metrics) out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, `${m.name} ${m.value}`)
  for (const h of histograms) {
    out.push(`# HELP ${h.name} ${h.help}`, `# TYPE ${h.name} histogram`)
    for (const s of h.series) out.push(...s.h.render(h.name, s.labels))
  }
  return out.join('\n') + '\n'
}
