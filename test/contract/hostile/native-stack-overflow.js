// expect: STACK_OVERFLOW
// native recursion (Array.prototype.toString on a deep array) overflows V8's stack; caught or not,
// it fails the same way and charges the whole budget
contract NativeOverflow {
  onCreate() { Global.n = 1 }
  export function attack() {
    let a = []
    for (let i = 0; i < 50000; i++) a = [a]
    try { return String(a).length } catch (e) { return 'caught: ' + e.message }
  }
  export function ping() { return ++Global.n }
}
