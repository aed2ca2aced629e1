// expect: CONTRACT_THROW
// the host serializes state with JSON: contracts cannot replace it
contract JsonOverride {
  onCreate() { Global.n = 1 }
  export function attack() { JSON.stringify = function () { return '{"n":999}' }; return 1 }
  export function ping() { return ++Global.n }
}
