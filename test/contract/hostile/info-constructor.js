// expect: CONTRACT_THROW
contract InfoConstructor {
  onCreate() { Global.n = 1 }
  export function attack() { return getExecuteInfo().constructor.constructor('return globalThis')().process.env }
  export function ping() { return ++Global.n }
}
