// expect: CONTRACT_THROW
contract DateNow {
  onCreate() { Global.n = 1 }
  export function attack() { return Date.now() }
  export function ping() { return ++Global.n }
}
