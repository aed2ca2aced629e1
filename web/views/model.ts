// What the views show, gathered from the tab's node: the peers and contracts it knows, recent
// blocks and receipts, and per-second figures. Listens to BetascoNode events; bounded buffers.
import type { Receipt } from '../../src/core/receipt.ts'
import type { ShardConfig } from '../../src/core/shard-config.ts'
import type { BootedApp } from '../boot.ts'
import type { HostContract, TabNode } from '../tab-node.ts'

export interface KnownContract {
  id: string
  /** Membership as configured (hosted here) or as chosen when this tab deployed it. */
  config?: ShardConfig
  members: string[]
  consensus: string
  shardSize: number
  deployedHere: boolean
  code?: string
  name?: string
  /** As the host's node reports it, when this tab does not host the shard. */
  remote?: HostContract
}

export interface LedgerEntry {
  atMs: number
  kind: 'block' | 'receipt'
  shard: string
  height: number
  txs?: number
  receipt?: Receipt
}

export interface Sample { t: number, tps: number, latencyMs: number | null, calls: number }

const MAX_ENTRIES = 300
const MAX_SAMPLES = 180

export class AppModel {
  readonly app: BootedApp
  readonly tab: TabNode
  readonly contracts = new Map<string, KnownContract>()
  readonly ledger: LedgerEntry[] = []
  readonly samples: Sample[] = []
  private committedThisSecond = 0
  private latencies: number[] = []
  private callsThisSecond = 0
  private readonly listeners = new Set<() => void>()
  private timer: ReturnType<typeof setInterval>

  constructor (app: BootedApp) {
    this.app = app
    this.tab = app.tab
    this.tab.on((e) => {
      if (e.type === 'block') this.push({ atMs: Date.now(), kind: 'block', shard: e.shard, height: e.height, txs: e.txs })
      else if (e.type === 'receipt') {
        this.push({ atMs: Date.now(), kind: 'receipt', shard: e.receipt.shard, height: e.receipt.height, receipt: e.receipt })
        if (e.receipt.status === 'committed') this.committedThisSecond++
      } else if (e.type === 'shard') this.learnConfig(e.config)
    })
    this.timer = setInterval(() => { this.second() }, 1_000)
  }

  onChange (l: () => void): void { this.listeners.add(l) }

  close (): void { clearInterval(this.timer) }

  /** Records the round trip of a call made from this tab (for the latency chart). */
  recordCall (latencyMs: number): void {
    this.latencies.push(latencyMs)
    this.callsThisSecond++
  }

  rememberDeploy (id: string, code: string, shardSize: number, consensus: string, members: string[]): void {
    const c = this.contracts.get(id) ?? { id, members, consensus, shardSize, deployedHere: true }
    c.deployedHere = true
    c.code = code
    c.name ??= /\bcontract\s+([A-Za-z_$][\w$]*)/.exec(code)?.[1]
    if (c.config === undefined) c.members = members
    this.contracts.set(id, c)
    this.changed()
  }

  rememberContract (id: string): void {
    if (!this.contracts.has(id)) this.contracts.set(id, { id, members: [], consensus: '?', shardSize: 0, deployedHere: false })
  }

  refresh (): void {
    // what the host's node hosts (this tab's own configurations, learnt below, take precedence)
    for (const hc of this.tab.hostContracts) {
      const hosted = this.tab.node.shardStatus(hc.contract) !== undefined
      if (hosted) continue
      const c = this.contracts.get(hc.contract) ?? { id: hc.contract, members: [], consensus: hc.consensus, shardSize: hc.shardSize, deployedHere: false }
      c.members = hc.members.map(m => m.peerId)
      c.consensus = hc.consensus
      c.shardSize = hc.shardSize
      c.remote = hc
      if (hc.name !== null) c.name = hc.name
      this.contracts.set(hc.contract, c)
    }
    for (const shard of this.tab.node.hostedShards()) {
      const s = this.tab.node.shardStatus(shard)
      if (s !== undefined) this.learnConfig(s.config)
      const c = this.contracts.get(shard)
      if (c !== undefined && s?.contract !== undefined) { c.code = s.contract.code; c.name = s.contract.name }
    }
  }

  private learnConfig (config: ShardConfig): void {
    const c = this.contracts.get(config.contract) ?? { id: config.contract, members: [], consensus: config.consensus, shardSize: config.shardSize, deployedHere: false }
    c.config = config
    c.members = config.members.map(m => m.peerId)
    c.consensus = config.consensus
    c.shardSize = config.shardSize
    this.contracts.set(config.contract, c)
  }

  private push (entry: LedgerEntry): void {
    this.ledger.unshift(entry)
    if (this.ledger.length > MAX_ENTRIES) this.ledger.length = MAX_ENTRIES
  }

  private second (): void {
    const lat = this.latencies.length === 0 ? null : this.latencies.reduce((a, b) => a + b, 0) / this.latencies.length
    this.samples.push({ t: Math.floor(Date.now() / 1000), tps: this.committedThisSecond, latencyMs: lat, calls: this.callsThisSecond })
    if (this.samples.length > MAX_SAMPLES) this.samples.shift()
    this.committedThisSecond = 0
    this.callsThisSecond = 0
    this.latencies = []
    this.refresh()
    this.changed()
  }

  private changed (): void {
    for (const l of this.listeners) {
      try { l() } catch (err) { console.error(err) }
    }
  }
}
