// expect: CONTRACT_THROW
contract FunctionGlobal {
  onCreate() { Global.n = 1 }
  export function attack() { return Function('while (true) {}')() }
  export function ping() { return ++Global.n }
}
