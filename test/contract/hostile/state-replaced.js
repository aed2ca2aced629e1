// expect: NON_JSON_STATE
contract StateReplaced {
  onCreate() { Global.n = 1 }
  export function attack() { Global = 42; return 1 }
  export function ping() { return ++Global.n }
}
