// expect: WATCHDOG_TIMEOUT
// a native loop that never calls back into the contract: only the watchdog can stop it
contract NativeEmptyLoop {
  onCreate() { Global.n = 1 }
  export function attack() { return Array.prototype.map.call({ length: 2 ** 32 - 1 }, (x) => x).length }
  export function ping() { return ++Global.n }
}
