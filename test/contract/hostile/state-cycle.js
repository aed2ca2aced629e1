// expect: NON_JSON_STATE
contract StateCycle {
  onCreate() { Global.n = 1 }
  export function attack() { const a = { b: {} }; a.b.a = a; Global.a = a; return 1 }
  export function ping() { return ++Global.n }
}
