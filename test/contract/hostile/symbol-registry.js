// expect: CONTRACT_THROW
// frozen intrinsics: a symbol-keyed property on a shared prototype is refused too
contract SymbolRegistry {
  onCreate() { Global.n = 1 }
  export function attack() { Array.prototype[Symbol.for('x')] = 1; return 1 }
  export function ping() { return ++Global.n }
}
