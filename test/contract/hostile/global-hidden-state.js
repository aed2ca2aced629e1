// expect: CONTRACT_THROW
// the global object is frozen: no state can hide outside Global between executions
contract GlobalHiddenState {
  onCreate() { Global.n = 1 }
  export function attack() { globalThis.stash = 1; return globalThis.stash }
  export function ping() { return ++Global.n + (typeof globalThis.stash === 'undefined' ? 0 : 1000) }
}
