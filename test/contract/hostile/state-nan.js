// expect: NON_JSON_STATE
contract StateNaN {
  onCreate() { Global.n = 1 }
  export function attack() { Global.x = [1, 0 / 0]; return 1 }
  export function ping() { return ++Global.n }
}
