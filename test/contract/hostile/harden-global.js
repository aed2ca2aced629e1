// expect: CONTRACT_THROW
// hardening the state only hurts the contract itself, and only for this execution
contract HardenGlobal {
  onCreate() { Global.n = 1 }
  export function attack() { harden(Global); Global.n = 5; return 1 }
  export function ping() { return ++Global.n }
}
