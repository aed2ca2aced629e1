// expect: CONTRACT_THROW
contract PrototypePollution {
  onCreate() { Global.n = 1 }
  export function attack() {
    Object.prototype.polluted = true
    return 'polluted'
  }
  export function ping() { return ++Global.n + (({}).polluted ? 1000 : 0) }
}
