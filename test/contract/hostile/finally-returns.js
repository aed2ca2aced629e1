// expect: OUT_OF_GAS
// a finally that returns would cancel the meter's throw; it must not run
contract FinallyReturns {
  onCreate() { Global.n = 1 }
  export function attack() {
    try { while (true) {} } finally { return 'escaped' }
  }
  export function ping() { return ++Global.n }
}
