// A ContractHost that runs the sandbox in the calling thread: locks the calling realm down, has no
// watchdog and no memory isolation. For benchmarks and tools that already run in a worker;
// a node uses ContractPool.
import { lockdownContractRealm } from './realm.ts'
import { ContractSandbox } from './sandbox.ts'
import type { ContractDescription, ContractHost, ExecOutcome, ExecRequest, LoadRequest } from './types.ts'

export class InProcessContractHost implements ContractHost {
  private readonly sandbox: ContractSandbox

  constructor () {
    lockdownContractRealm()
    this.sandbox = new ContractSandbox()
  }

  get size (): number { return this.sandbox.size }

  async load (request: LoadRequest): Promise<ContractDescription> { return this.sandbox.load(request) }
  async execute (request: ExecRequest): Promise<ExecOutcome> { return this.sandbox.execute(request) }
  async unload (contractId: string): Promise<void> { this.sandbox.unload(contractId) }
  async close (): Promise<void> {}
}
