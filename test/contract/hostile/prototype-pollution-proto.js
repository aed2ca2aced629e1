// expect: CONTRACT_THROW
contract ProtoPollution {
  onCreate() { Global.n = 1 }
  export function attack() { ({}).__proto__.toString = function () { return 'owned' }; return 1 }
  export function ping() { return ++Global.n + (String({}) === 'owned' ? 1000 : 0) }
}
