// Locks down the realm that runs contracts (SES lockdown: frozen intrinsics, tamed Date, Math,
// errors and locales). Called once, at the start of a contract worker, after its modules have
// loaded; a node's main thread is never locked down.
import 'ses'

let done = false

export function lockdownContractRealm (): void {
  if (done) return
  lockdown({
    errorTaming: 'safe',
    errorTrapping: 'none',
    unhandledRejectionTrapping: 'none',
    consoleTaming: 'unsafe',
    stackFiltering: 'concise',
    localeTaming: 'safe',
    regExpTaming: 'safe',
  })
  done = true
}
