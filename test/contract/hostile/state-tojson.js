// expect: NON_JSON_STATE
contract StateToJson {
  onCreate() { Global.n = 1 }
  export function attack() { Global.x = { toJSON() { while (true) {} } }; return 1 }
  export function ping() { return ++Global.n }
}
