// expect: CONTRACT_THROW
contract AtomicsWait {
  onCreate() { Global.n = 1 }
  export function attack() { return Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0) }
  export function ping() { return ++Global.n }
}
