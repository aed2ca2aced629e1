// expect: CONTRACT_THROW
// a thrown symbol, BigInt or null-prototype object is described without running contract code
contract ThrowOddValues {
  onCreate() { Global.n = 1 }
  export function attack(kind) { throw [Symbol('s'), 10n, Object.create(null), () => 1][Global.n - 1] }
  export function ping() { return ++Global.n }
}
