// expect: WORKER_CRASHED|WATCHDOG_TIMEOUT|CONTRACT_THROW
// a native allocation past the worker's heap: the worker dies or is killed, the node goes on
contract HugeArray {
  onCreate() { Global.n = 1 }
  export function attack() { const a = []; a.length = 2 ** 31; return a.fill(1.5).length }
  export function ping() { return ++Global.n }
}
