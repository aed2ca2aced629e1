// expect: CONTRACT_THROW
// top-level functions are constants: rebinding one would be state outside Global
contract RebindFunction {
  onCreate() { Global.n = 1 }
  function bump() { return 1 }
  export function attack() { bump = function () { return 1000 }; return bump() }
  export function ping() { Global.n += bump(); return Global.n }
}
