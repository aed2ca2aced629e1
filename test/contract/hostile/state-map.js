// expect: NON_JSON_STATE
contract StateMap {
  onCreate() { Global.n = 1 }
  export function attack() { Global.m = new Map([[1, 2]]); return 1 }
  export function ping() { return ++Global.n }
}
