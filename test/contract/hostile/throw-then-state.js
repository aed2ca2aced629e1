// expect: CONTRACT_THROW
// a throw discards every change the execution made
contract ThrowThenState {
  onCreate() { Global.n = 1 }
  export function attack() { Global.n = 500; Global.extra = [1, 2, 3]; throw new Error('boom') }
  export function ping() { return ++Global.n + (Global.extra === undefined ? 0 : 1000) }
}
