// expect: CONTRACT_THROW
// reading what was thrown must not run contract code (no getters, no toString)
contract ThrowGetter {
  onCreate() { Global.n = 1 }
  export function attack() { throw { get message() { while (true) {} }, toString() { while (true) {} } } }
  export function ping() { return ++Global.n }
}
