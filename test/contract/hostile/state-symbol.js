// expect: NON_JSON_STATE
contract StateSymbol {
  onCreate() { Global.n = 1 }
  export function attack() { Global.s = Symbol('x'); return 1 }
  export function ping() { return ++Global.n }
}
