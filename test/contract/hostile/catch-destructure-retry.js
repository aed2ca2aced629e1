// expect: OUT_OF_GAS
contract CatchDestructure {
  onCreate() { Global.n = 1 }
  function spin() { while (true) {} }
  export function attack() {
    while (true) { try { spin() } catch ({ message }) { Global.m = message } }
  }
  export function ping() { return ++Global.n }
}
