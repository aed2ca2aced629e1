// expect: CONTRACT_THROW
contract FunctionHiddenState {
  onCreate() { Global.n = 1 }
  export function attack() { ping.stash = 1; return 1 }
  export function ping() { return ++Global.n + (ping.stash === undefined ? 0 : 1000) }
}
