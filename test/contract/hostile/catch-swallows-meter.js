// expect: OUT_OF_GAS
// the contract's own try/catch must not swallow running out of gas
contract CatchSwallows {
  onCreate() { Global.n = 1 }
  export function attack() {
    for (let i = 0; i < 10; i++) {
      try { while (true) {} } catch (e) { Global.n = 'swallowed' }
    }
    return 'survived'
  }
  export function ping() { return ++Global.n }
}
