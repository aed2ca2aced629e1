// expect: CONTRACT_THROW
// a failed execution sends none of the calls it queued (phase 1)
contract CallsThenThrow {
  onCreate() { Global.n = 1 }
  export function attack() { executeContract('other', 'f', 1); executeContract('other', 'g', 2); throw new Error('after queueing') }
  export function ping() { return ++Global.n }
}
