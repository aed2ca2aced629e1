// expect: NON_JSON_STATE
contract StateBigInt {
  onCreate() { Global.n = 1 }
  export function attack() { Global.big = 10n ** 30n; return 1 }
  export function ping() { return ++Global.n }
}
