// The execute stage (paper §2.3): every member runs each committed block's transactions in
// order through the contract's process, and gets the same receipts, the same state and the
// same async calls out. Nothing here is environment- or network-specific: the replica hands in
// a block, the contract host and the current state, and persists what comes out atomically.
import { BetascoError, type ErrorCode } from '../core/errors.ts'
import type { CommittedBlock } from '../core/block.ts'
import { LIMITS } from '../core/limits.ts'
import type { Receipt } from '../core/receipt.ts'
import type { Json } from '../core/shape.ts'
import { txId, type Envelope, type TxBody } from '../core/transaction.ts'
import type { ContractDescription, ContractHost, ExecKind, ExecOutcome, QueuedCall } from '../contract/types.ts'
import { decodeCertificate } from '../crypto/certificate.ts'

/** What a shard keeps about its contract besides the state: written once, at deploy. */
export interface ContractRecord {
  contract: string
  name: string
  code: string
  codeHash: string
  methods: string[]
  deployTx: string
}

export interface ShardView {
  network: string
  shard: string
  host: ContractHost
  gasLimit: number
  /** The contract, once deployed (undefined before the deploy block). */
  record: ContractRecord | undefined
  /** Global as JSON text before this block. */
  state: string
  /** True when a receipt for this tx exists already (executed in an earlier block). */
  executed: (txId: string) => Promise<boolean>
  /** Loads the contract into the host (after deploy or after a restart). */
  ensureLoaded: (record: ContractRecord) => Promise<ContractDescription>
}

export interface BlockOutcome {
  receipts: Receipt[]
  /** Global after the block (JSON text), or undefined when unchanged. */
  state: string | undefined
  /** Set by the deploy block only. */
  record: ContractRecord | undefined
  /** Contract-issued transactions to send to other shards, in order (phase 1 and 2). */
  outgoing: TxBody[]
}


function senderOf (env: Envelope): { sender: string, org: string } {
  if (env.tx.origin !== undefined) return { sender: env.tx.origin.contract, org: '' }
  const proof = env.proofs[0]
  if (proof === undefined) return { sender: env.tx.from, org: '' }
  try {
    return { sender: env.tx.from, org: decodeCertificate(proof.cert).body.org }
  } catch {
    return { sender: env.tx.from, org: '' }
  }
}

function clip (message: string): string {
  return message.length > LIMITS.maxErrorMessageLength ? message.slice(0, LIMITS.maxErrorMessageLength - 1) + '…' : message
}

/** The transaction a callee shard issues back to the caller: a callback or an error notice. */
export function replyTx (network: string, call: TxBody, callTxId: string, outcome: { ok: true, result: Json } | { ok: false, error: { code: string, message: string } }): TxBody | undefined {
  const origin = call.origin
  if (origin === undefined) return undefined
  if (outcome.ok && call.handler === undefined) return undefined
  const callInfo = { id: call.nonce, contract: call.contract, method: call.method, arg: call.arg }
  return {
    v: 1,
    network,
    kind: outcome.ok ? 'callback' : 'error',
    contract: origin.contract,
    method: outcome.ok ? call.handler! : 'onError',
    arg: outcome.ok ? { call: callInfo, result: outcome.result } : { call: callInfo, error: outcome.error },
    nonce: `${outcome.ok ? 'cb' : 'err'}:${call.nonce.slice(0, 56)}`,
    from: call.contract,
    origin: { contract: call.contract, txId: callTxId, index: 0 }
  }
}

/** The transaction a queued call becomes: every member of the caller shard builds the same one. */
export function callTx (network: string, caller: string, origin: string, call: QueuedCall): TxBody {
  const tx: TxBody = {
    v: 1,
    network,
    kind: 'call',
    contract: call.contract,
    method: call.method,
    arg: call.arg,
    nonce: call.id,
    from: caller,
    origin: { contract: caller, txId: origin, index: call.index }
  }
  if (call.handler !== null) tx.handler = call.handler
  return tx
}

/** Executes one committed block of a shard. Deterministic given the same inputs on every member. */
export async function executeBlock (cb: CommittedBlock, view: ShardView): Promise<BlockOutcome> {
  const { header, txs } = cb.block
  let state = view.state
  let record = view.record
  let changed = false
  let newRecord: ContractRecord | undefined
  const receipts: Receipt[] = []
  const outgoing: TxBody[] = []
  for (const [index, env] of txs.entries()) {
    const tx = env.tx
    const id = txId(tx)
    if (await view.executed(id) || receipts.some(r => r.txId === id)) continue
    const receipt: Receipt = { v: 1, txId: id, shard: view.shard, height: header.height, index, status: 'committed', result: null, error: null, gasUsed: 0, calls: [] }
    const fail = (code: ErrorCode | string, message: string): void => {
      receipt.status = 'failed'
      receipt.error = { code, message: clip(message) }
    }
    if (tx.kind === 'config' || tx.kind === 'checkpoint') {
      // Ordered and applied by the consensus layer (configuration) or the checkpoint logic.
      receipts.push(receipt)
      continue
    }
    let kind: ExecKind
    let method = tx.method
    if (tx.kind === 'deploy') {
      if (record !== undefined) { fail('ALREADY_DEPLOYED', 'this shard already runs a contract'); receipts.push(receipt); continue }
      try {
        const pending: ContractRecord = { contract: view.shard, name: '', code: tx.deploy!.code, codeHash: '', methods: [], deployTx: id }
        const description = await view.ensureLoaded(pending)
        record = { ...pending, name: description.name, codeHash: description.codeHash, methods: description.methods }
        newRecord = record
      } catch (err) {
        const e = err instanceof BetascoError ? err : new BetascoError('INTERNAL', String(err))
        fail(e.code, e.message)
        record = undefined
        receipts.push(receipt)
        continue
      }
      kind = 'deploy'
      method = 'onCreate'
    } else {
      if (record === undefined) { fail('NOT_FOUND', 'no contract is deployed on this shard'); receipts.push(receipt); continue }
      kind = tx.kind === 'invoke' ? 'invoke' : tx.kind
      if (tx.kind === 'error') method = 'onError'
    }
    const { sender, org } = senderOf(env)
    let outcome: ExecOutcome
    try {
      outcome = await view.host.execute({
        contractId: view.shard,
        kind,
        method,
        arg: tx.arg,
        state,
        gasLimit: view.gasLimit,
        info: { height: header.height, txId: id, sender, org, timeMs: header.timeMs }
      })
    } catch (err) {
      // The host itself failed (a worker crashed outside any watchdog): a coded failure,
      // the same on every member because the same code does the same thing.
      const e = err instanceof BetascoError ? err : new BetascoError('INTERNAL', String(err))
      outcome = { ok: false, error: { code: e.code, message: e.message }, gasUsed: 0, calls: [] }
    }
    receipt.gasUsed = outcome.gasUsed
    if (outcome.ok) {
      receipt.result = outcome.result
      receipt.calls = outcome.calls.map(c => c.id)
      if (outcome.state !== state) { state = outcome.state; changed = true }
      for (const call of outcome.calls) outgoing.push(callTx(view.network, view.shard, id, call))
      if (tx.kind === 'call') {
        const reply = replyTx(view.network, tx, id, { ok: true, result: outcome.result })
        if (reply !== undefined) outgoing.push(reply)
      }
    } else {
      fail(outcome.error.code, outcome.error.message)
      if (tx.kind === 'deploy') { record = undefined; newRecord = undefined }
      if (tx.kind === 'call') {
        const reply = replyTx(view.network, tx, id, { ok: false, error: outcome.error })
        if (reply !== undefined) outgoing.push(reply)
      }
    }
    receipts.push(receipt)
  }
  return { receipts, state: changed ? state : undefined, record: newRecord, outgoing }
}
