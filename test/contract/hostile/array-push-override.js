// expect: CONTRACT_THROW
contract ArrayPushOverride {
  onCreate() { Global.n = 1 }
  export function attack() { Array.prototype.push = function () { return 0 }; return 1 }
  export function ping() { const a = []; a.push(1); return ++Global.n + (a.length === 1 ? 0 : 1000) }
}
