// expect: CONTRACT_THROW
// garbage collection timing is not deterministic
contract WeakRefs {
  onCreate() { Global.n = 1 }
  export function attack() { return new WeakRef({}).deref() !== undefined }
  export function ping() { return ++Global.n }
}
