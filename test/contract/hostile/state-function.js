// expect: NON_JSON_STATE
contract StateFunction {
  onCreate() { Global.n = 1 }
  export function attack() { Global.f = function () {}; return 1 }
  export function ping() { return ++Global.n }
}
