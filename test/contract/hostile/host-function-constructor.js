// expect: CONTRACT_THROW
// the endowments are host functions: their constructor chain must not reach the host realm
contract HostConstructor {
  onCreate() { Global.n = 1 }
  export function attack() { return executeContract.constructor('return process')().pid }
  export function ping() { return ++Global.n }
}
