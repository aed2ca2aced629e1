// expect: ok "scheduled"
// an endless microtask chain stops at its first metered step after the execution
contract MicrotaskLoop {
  onCreate() { Global.n = 1 }
  export function attack() {
    const spin = () => Promise.resolve().then(spin)
    spin()
    return 'scheduled'
  }
  export function ping() { return ++Global.n }
}
