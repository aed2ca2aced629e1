// Shared fixtures of the contract tests: a worker pool (the sandbox needs a locked-down realm,
// which only a contract worker has) and a runner that deploys and calls a contract.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runLocally, type LocalCall, type LocalRun } from '../../src/contract/local-run.ts'
import { nodeContractWorkers } from '../../src/contract/node-worker.ts'
import { ContractPool } from '../../src/contract/pool.ts'
import type { ExecuteInfo } from '../../src/contract/types.ts'

export const EXAMPLES = fileURLToPath(new URL('../../examples/contracts/', import.meta.url))
export const HOSTILE = fileURLToPath(new URL('./hostile/', import.meta.url))

export function example (name: string): string {
  return readFileSync(EXAMPLES + name, 'utf8')
}

export function testPool (options: { workers?: number, watchdogMs?: number, heapMb?: number } = {}): ContractPool {
  return new ContractPool({
    spawn: nodeContractWorkers({ heapMb: options.heapMb ?? 96 }),
    workers: options.workers ?? 1,
    watchdogMs: options.watchdogMs ?? 1500,
  })
}

export async function run (pool: ContractPool, source: string, calls: Array<Partial<LocalCall> & { method: string }>, file = 'test.js', gasLimit = 100_000): Promise<LocalRun> {
  return await runLocally(pool, { source, file }, calls.map((c) => ({ ...c, arg: c.arg ?? null })), { gasLimit })
}

export function info (txId = 'a'.repeat(64), height = 1): ExecuteInfo {
  return { height, txId, sender: 'alice', org: 'org1', timeMs: 1_700_000_000_000 }
}
